"""The fake Telegram's data: chats, messages, recorded calls, limits and Telegram's errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from telethon import errors
from telethon.tl import types

from ..._clock import Clock

__all__ = ["FakeTelegramChat", "FakeTelegramMessage", "TelegramCall"]


_TEXT_LIMIT = 4096
_CAPTION_LIMIT = 1024
_ALBUM_LIMIT = 10
_SCHEDULE_LIMIT = timedelta(days=366)
_RETRIED = (
    errors.ServerError,
    errors.RpcCallFailError,
    errors.RpcMcgetFailError,
    errors.InterdcCallErrorError,
    errors.TimedOutError,
)
_INTERNAL_SLEEP = 2  # what Telethon sleeps after an internal error before retrying


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class FakeTelegramMessage:
    """One message in a chat of the fake. ``chat`` is the bare id of its chat."""

    id: int
    chat: int
    date: datetime
    text: str = ""
    from_peer: tuple[str, int] | None = None
    """``("user", id)`` or ``("channel", id)``; ``None`` for a post of a channel."""
    reply_to: int | None = None
    top_id: int | None = None
    """The thread's top message (in a discussion group), when this message is in one."""
    media: Any = None
    grouped_id: int | None = None
    views: int | None = None
    forwards: int | None = None
    reactions: int = 0
    pinned: bool = False
    forwarded_post: int | None = None
    """For the group's copy of a channel post: the post's id in the channel."""
    action: Any = None
    """A ``types.MessageAction*`` for a service message."""
    scheduled: bool = False


@dataclass
class FakeTelegramChat:
    """A broadcast channel or a discussion supergroup (``megagroup``)."""

    id: int
    title: str
    username: str | None = None
    broadcast: bool = True
    about: str = ""
    participants: int = 0
    verified: bool = False
    scam: bool = False
    fake: bool = False
    photo: bool = True
    admin: bool = True
    """The session's account administers the chat (post, delete)."""
    can_write: bool = True
    """For a group: the account may send messages there."""
    linked: int | None = None
    access_hash: int = 0
    messages: list[FakeTelegramMessage] = field(default_factory=list)
    scheduled: list[FakeTelegramMessage] = field(default_factory=list)
    pinned_msg_id: int | None = None


@dataclass(frozen=True)
class TelegramCall:
    """One call the fake received: the protocol method, the chat's bare id, the arguments."""

    method: str
    chat: int | None
    params: dict[str, Any]


_R = TypeVar("_R")


@dataclass
class _Fault:
    error: str | None = None
    code: int | None = None
    exception: BaseException | None = None
    lose_response: bool = False


_METHODS = frozenset(
    {
        "get_entity",
        "get_full_channel",
        "iter_messages",
        "send_message",
        "send_photos",
        "send_poll",
        "delete_messages",
    }
)


def _rpc(code: int | None, name: str, request: Any) -> BaseException:
    """The Telethon error for Telegram's answer ``code``/``name``, built as Telethon does."""
    if code is None:
        known = errors.rpcerrorlist.rpc_errors_dict.get(name)
        code = int(getattr(known, "code", None) or 400)
        if name.startswith(("FLOOD_WAIT_", "SLOWMODE_WAIT_", "FLOOD_PREMIUM_WAIT_")):
            code = 420
    error: BaseException = errors.rpc_message_to_error(
        types.RpcError(error_code=code, error_message=name), request
    )
    return error


class _DatetimeClock(Clock):
    """The deprecated ``now=`` function of `FakeTelegram`, as a clock that waits for no one."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._slept = 0.0

    def monotonic(self) -> float:
        return self._slept

    def time(self) -> float:
        return self._now().timestamp() + self._slept

    async def sleep(self, seconds: float) -> None:
        self._slept += max(seconds, 0.0)
