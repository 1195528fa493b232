"""The slice of Telethon's ``TelegramClient`` that `TelegramChannel` uses.

MTProto is not HTTP, and Telethon ships no fake server, so the channel does not talk to
``TelegramClient`` directly but to this protocol. `TelethonClient` forwards each call to
a real ``TelegramClient``; `gospages.testing.FakeTelegram` answers them in memory. Both
return real Telethon objects (``types.Channel``, ``types.messages.ChatFull``,
``types.Message`` ...) and raise real Telethon errors (``errors.FloodWaitError`` ...),
so the channel's code path is the same in tests and in production.

Implementations behave like a ``TelegramClient`` configured by `gospages.telegram.connect`:
flood waits up to ``flood_sleep_threshold`` are slept through and retried inside the
client; a longer one is raised as ``FloodWaitError``. Nothing above retries again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, Protocol

__all__ = ["TelegramAPI"]


class TelegramAPI(Protocol):
    """The calls gospages makes to Telegram, with Telethon's names and semantics.

    Entities are Telethon objects: a broadcast channel or its discussion supergroup is a
    ``telethon.tl.types.Channel``.
    """

    async def get_entity(self, entity: str | int) -> Any:
        """``TelegramClient.get_entity``: a username (without ``@``) or a marked id
        (``-100…``) to a ``types.Channel`` (or ``types.User`` / ``types.Chat``)."""
        ...

    async def get_full_channel(self, channel: Any) -> Any:
        """``channels.GetFullChannelRequest``: a ``types.messages.ChatFull`` whose
        ``full_chat`` is a ``types.ChannelFull``; ``chats`` holds the channel and its
        linked discussion group."""
        ...

    def iter_messages(
        self,
        entity: Any,
        *,
        limit: int | None = None,
        offset_date: datetime | None = None,
        reply_to: int | None = None,
        reverse: bool = False,
        scheduled: bool = False,
    ) -> AsyncIterator[Any]:
        """``TelegramClient.iter_messages``: ``types.Message`` objects, newest first
        (oldest first with ``reverse``).

        ``offset_date`` yields messages sent before it; ``reply_to`` a post id yields the
        comments of that post from the linked discussion group (``messages.getReplies``;
        the ids are the group's); ``scheduled`` yields the scheduled messages only.
        """
        ...

    async def send_message(
        self,
        entity: Any,
        text: str,
        *,
        reply_to: int | None = None,
        send_as: Any | None = None,
        schedule: datetime | None = None,
    ) -> Any:
        """``TelegramClient.send_message`` with ``parse_mode=None``: the text goes as is,
        without Markdown. Returns the sent ``types.Message``."""
        ...

    async def send_photos(
        self,
        entity: Any,
        photos: Sequence[tuple[str, bytes]],
        *,
        caption: str = "",
        schedule: datetime | None = None,
    ) -> list[Any]:
        """``TelegramClient.send_file``: one photo, or an album of up to 10 with the
        caption on the first. ``photos`` are ``(file name, bytes)``. Returns the sent
        messages, lowest id first."""
        ...

    async def send_poll(self, entity: Any, poll: Any, *, schedule: datetime | None = None) -> Any:
        """``TelegramClient.send_file`` with a ``types.InputMediaPoll``."""
        ...

    async def delete_messages(self, entity: Any, ids: Sequence[int]) -> list[Any]:
        """``TelegramClient.delete_messages``: a list of
        ``types.messages.AffectedMessages``; ``pts_count`` is how many went."""
        ...

    async def disconnect(self) -> None:
        """Close the connection. Safe to call twice."""
        ...
