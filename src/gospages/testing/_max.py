"""A stateful fake of the MAX Bot API at ``https://platform-api2.max.ru``.

It answers in MAX's real shapes: errors as an HTTP status with ``{"code", "message"}``,
string message ids (``mid....``), Unix times in milliseconds, ``sender: null`` for
posts and comments in a channel's name, ``{"success": true}`` from action endpoints. The
token is read from the ``Authorization`` header only (a token in the query string is
refused, as MAX does now). Each token has its bot's rights per channel
(``members/me``); MAX's limit of 30 requests a second per token answers HTTP 429.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from .._clock import Clock
from ._base import FakeCall, FakeError, FakeHTTPPlatform, UnsupportedByFake

__all__ = ["FakeMax", "FakeMaxChannel", "FakeMaxComment", "FakeMaxMessage"]

ALL_RIGHTS = ("read_all_messages", "write", "edit", "delete")
"""The rights an administrator bot of a channel needs."""

_STATUS = {
    "verify.token": 401,
    "chat.denied": 403,
    "access.denied": 403,
    "not.found": 404,
    "chat.not.found": 404,
    "method.not.allowed": 405,
    "too.many.requests": 429,
    "attachment.not.ready": 400,
    "proto.payload": 400,
    "internal.error": 500,
    "service.unavailable": 503,
}


@dataclass
class FakeMaxComment:
    mid: str
    text: str
    timestamp: int
    """Unix milliseconds."""
    user_id: int | None
    """``None``: written in the channel's name."""
    reply_to: str | None = None
    deleted: bool = False


@dataclass
class FakeMaxMessage:
    mid: str
    text: str
    timestamp: int
    attachments: list[dict[str, Any]] = field(default_factory=list)
    views: int = 0
    format: str | None = None
    comments: list[FakeMaxComment] = field(default_factory=list)


@dataclass
class FakeMaxChannel:
    """One MAX channel; ``bots`` maps a bot's user id to its rights here."""

    chat_id: int
    title: str
    name: str | None = None
    description: str = ""
    participants: int = 0
    icon_url: str | None = None
    is_public: bool = True
    messages: list[FakeMaxMessage] = field(default_factory=list)
    bots: dict[int, set[str]] = field(default_factory=dict)

    @property
    def link(self) -> str:
        return f"https://max.ru/{self.name or self.chat_id}"


class FakeMax(FakeHTTPPlatform):
    """A fake MAX Bot API server, in process (``fake.client()``) or on loopback (``serve``).

    >>> fake = FakeMax()
    >>> fake.add_bot("max-bot-token", user_id=900001)
    >>> channel = fake.add_channel(-70000000000005, "Администрация", name="adm_ensk",
    ...                            bots={900001: ALL_RIGHTS})

    ``fail_next("POST /messages", error_code="attachment.not.ready")`` answers MAX's
    error; method names are the verb and the path template (``/messages/{id}/comments``).
    """

    default_base_url = "https://platform-api2.max.ru"
    transient_codes: tuple[int, ...] = ()  # injected faults: HTTP 502

    def __init__(
        self,
        *,
        rate_limits: bool = True,
        per_second: int = 30,
        clock: Clock | Callable[[], float] | None = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        self.per_second = per_second
        super().__init__(rate_limits=rate_limits, clock=clock, now=now)

    def reset(self) -> None:
        """Forget everything: bots, channels, recorded calls, queued faults."""
        super().reset()
        self.bots: dict[str, int] = {}
        self.channels: dict[int, FakeMaxChannel] = {}
        self._uploads: dict[str, bytes | None] = {}
        self._photo_tokens: set[str] = set()
        self._mids = itertools.count(1)

    # -- state ---------------------------------------------------------------------------

    def add_bot(self, token: str, *, user_id: int) -> None:
        """A bot whose token the fake accepts."""
        self.bots[token] = user_id

    def add_channel(
        self,
        chat_id: int,
        title: str,
        *,
        name: str | None = None,
        description: str = "",
        participants: int = 0,
        icon_url: str | None = None,
        bots: Mapping[int, Iterable[str]] | None = None,
    ) -> FakeMaxChannel:
        """A channel; ``bots`` maps bot user ids to their rights (:data:`ALL_RIGHTS`)."""
        if chat_id >= 0:
            raise ValueError("FakeMax: id канала отрицательный (int64)")
        channel = FakeMaxChannel(
            chat_id,
            title,
            name=name,
            description=description,
            participants=participants,
            icon_url=icon_url,
            bots={b: set(r) for b, r in (bots or {}).items()},
        )
        self.channels[chat_id] = channel
        return channel

    def grant(self, chat_id: int, bot_user_id: int, rights: Iterable[str] = ALL_RIGHTS) -> None:
        """Make the bot an administrator of the channel with ``rights``."""
        self.channels[chat_id].bots[bot_user_id] = set(rights)

    def add_post(
        self, chat_id: int, text: str, *, date: float | None = None, views: int = 0
    ) -> FakeMaxMessage:
        """A post in the channel's name (``date``: Unix seconds, now by default)."""
        message = FakeMaxMessage(self._mid(), text, _ms(date if date is not None else self._now()))
        message.views = views
        self.channels[chat_id].messages.append(message)
        return message

    def add_comment(
        self,
        chat_id: int,
        mid: str,
        text: str,
        *,
        user_id: int | None,
        reply_to: str | None = None,
        date: float | None = None,
    ) -> FakeMaxComment:
        """A comment under post ``mid`` (``user_id=None``: in the channel's name)."""
        message = self._message(self.channels[chat_id], mid)
        comment = FakeMaxComment(
            self._mid(),
            text,
            _ms(date if date is not None else self._now()),
            user_id,
            reply_to=reply_to,
        )
        message.comments.append(comment)
        return comment

    # -- HTTP ----------------------------------------------------------------------------

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/upload/"):
            return self._upload(request)
        verb = request.method
        params = dict(request.url.params.items())
        method = f"{verb} {_template(path)}"
        self.calls.append(FakeCall(method, _visible(params), "bot", _without_token(request.url)))
        injected, lose = self._take_fault(method)
        if injected is not None:
            return injected
        try:
            if "access_token" in params:
                raise FakeError(401, "Access token in the query string is not supported")
            token = request.headers.get("Authorization", "")
            bot = self.bots.get(token)
            if bot is None:
                raise FakeError("verify.token", "Invalid access_token")
            if self.rate_limits and self._over_rate(token, self.per_second):
                raise FakeError("too.many.requests", "Too many requests")
            body = _json(request)
            result = self._route(verb, path.strip("/").split("/"), params, body, bot)
        except FakeError as error:
            return self._error_response(error, method, params)
        if lose:
            raise httpx.ReadTimeout("fake: the answer was lost", request=request)
        return httpx.Response(200, json=result)

    def _error_response(
        self, error: FakeError, method: str, params: Mapping[str, str]
    ) -> httpx.Response:
        code: Any = error.code
        if isinstance(code, int):
            status, text = code if code >= 400 else 400, "proto.payload"
            if status == 401:
                text = "verify.token"
        else:
            status, text = _STATUS.get(str(code), 400), str(code)
        return httpx.Response(status, json={"code": text, "message": error.msg})

    def _unknown_method(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(405, json={"code": "method.not.allowed", "message": "Unknown path"})

    def _route(self, verb: str, parts: list[str], p: dict[str, str], body: Any, bot: int) -> Any:
        match verb, parts:
            case "GET", ["chats", ref]:
                return self._chat_obj(self._chat_by(ref, bot))
            case "GET", ["chats", ref, "members", "me"]:
                channel = self._chat_by(ref, bot)
                return {
                    "user_id": bot,
                    "is_admin": True,
                    "is_owner": False,
                    "permissions": sorted(channel.bots[bot]),
                }
            case "GET", ["messages"]:
                return self._history(p, bot)
            case "POST", ["messages"]:
                return self._post(p, body, bot)
            case "POST", ["uploads"]:
                if p.get("type") not in ("image", "video", "audio", "file"):
                    raise FakeError("proto.payload", "type is required")
                key = f"u{next(self._ids)}"
                self._uploads[key] = None
                return {"url": f"{self.base_url}/upload/{key}"}
            case "GET", ["messages", mid, "comments"]:
                return self._comments(mid, p, bot)
            case "POST", ["messages", mid, "comments"]:
                return self._add_comment(mid, body, bot)
            case "DELETE", ["messages", mid, "comments"]:
                return self._delete_comment(mid, p, bot)
        raise UnsupportedByFake(f"FakeMax does not implement {verb} /{'/'.join(parts)}")

    # -- endpoints -----------------------------------------------------------------------

    def _chat_by(self, ref: str, bot: int) -> FakeMaxChannel:
        channel: FakeMaxChannel | None = None
        if ref.lstrip("-").isdigit():
            channel = self.channels.get(int(ref))
        else:
            channel = next((c for c in self.channels.values() if c.name == ref), None)
        if channel is None:
            raise FakeError("chat.not.found", f"Chat {ref} not found")
        if bot not in channel.bots:
            raise FakeError("chat.denied", "Bot is not a member of the chat")
        return channel

    def _need(self, channel: FakeMaxChannel, bot: int, right: str) -> None:
        if right not in channel.bots.get(bot, set()):
            raise FakeError("chat.denied", f"Bot has no right {right} in the chat")

    def _chat_obj(self, c: FakeMaxChannel) -> dict[str, Any]:
        return {
            "chat_id": c.chat_id,
            "type": "channel",
            "status": "active",
            "title": c.title,
            "description": c.description,
            "icon": {"url": c.icon_url} if c.icon_url else None,
            "participants_count": c.participants,
            "link": c.link,
            "is_public": c.is_public,
            "messages_count": len(c.messages),
            "last_event_time": max((m.timestamp for m in c.messages), default=0),
        }

    def _message_obj(self, c: FakeMaxChannel, m: FakeMaxMessage) -> dict[str, Any]:
        return {
            "sender": None,
            "recipient": {"chat_id": c.chat_id, "chat_type": "channel"},
            "timestamp": m.timestamp,
            "body": {
                "mid": m.mid,
                "seq": int(m.mid.rsplit(".", 1)[-1]),
                "text": m.text,
                "attachments": m.attachments or None,
            },
            "stat": {"views": m.views},
            "url": f"{c.link}/{m.mid}",
        }

    def _history(self, p: dict[str, str], bot: int) -> Any:
        channel = self._chat_by(p.get("chat_id", ""), bot)
        self._need(channel, bot, "read_all_messages")
        count = _int(p.get("count"), 50)
        if not 1 <= count <= 100:
            raise FakeError("proto.payload", "count must be 1..100")
        before = _int(p.get("before"), None)
        after = _int(p.get("after"), None)
        found = [
            m
            for m in channel.messages
            if (before is None or m.timestamp < before) and (after is None or m.timestamp > after)
        ]
        found.sort(key=lambda m: (-m.timestamp, m.mid))
        return {"messages": [self._message_obj(channel, m) for m in found[:count]]}

    def _post(self, p: dict[str, str], body: Any, bot: int) -> Any:
        channel = self._chat_by(p.get("chat_id", ""), bot)
        self._need(channel, bot, "write")
        if not isinstance(body, dict):
            raise FakeError("proto.payload", "body is required")
        text = body.get("text") or ""
        if len(text) > 4000:
            raise FakeError("proto.payload", "text: size must be between 0 and 4000")
        if body.get("format") not in (None, "markdown", "html"):
            raise FakeError("proto.payload", "format")
        attachments = body.get("attachments") or []
        for attachment in attachments:
            photos = (attachment.get("payload") or {}).get("photos") or {}
            tokens = [v.get("token") for v in photos.values() if isinstance(v, dict)]
            if attachment.get("type") != "image" or not tokens:
                raise FakeError("proto.payload", "attachment")
            if any(t not in self._photo_tokens for t in tokens):
                raise FakeError("attachment.not.ready", "Attachment not ready")
        if not text and not attachments:
            raise FakeError("proto.payload", "text or attachments required")
        message = FakeMaxMessage(self._mid(), text, _ms(self._now()), list(attachments))
        message.format = body.get("format")
        channel.messages.append(message)
        return {"message": self._message_obj(channel, message)}

    def _comments(self, mid: str, p: dict[str, str], bot: int) -> Any:
        channel, message = self._find(mid, bot)
        self._need(channel, bot, "read_all_messages")
        count = _int(p.get("count"), 50)
        before = _int(p.get("before"), None)
        live = [
            c
            for c in message.comments
            if not c.deleted and (before is None or c.timestamp < before)
        ]
        live.sort(key=lambda c: (-c.timestamp, c.mid))
        return {"comments": [self._comment_obj(channel, message, c) for c in live[:count]]}

    def _add_comment(self, mid: str, body: Any, bot: int) -> Any:
        channel, message = self._find(mid, bot)
        self._need(channel, bot, "write")
        text = (body or {}).get("text") or ""
        if not text.strip() or len(text) > 4000:
            raise FakeError("proto.payload", "text: size must be between 1 and 4000")
        link = (body or {}).get("link")
        reply_to = None
        if link:
            reply_to = link.get("mid")
            if link.get("type") != "reply" or not any(
                c.mid == reply_to and not c.deleted for c in message.comments
            ):
                raise FakeError("not.found", "Comment to reply not found")
        comment = FakeMaxComment(self._mid(), text, _ms(self._now()), None, reply_to=reply_to)
        message.comments.append(comment)
        return {"message": self._comment_obj(channel, message, comment)}

    def _delete_comment(self, mid: str, p: dict[str, str], bot: int) -> Any:
        channel, message = self._find(mid, bot)
        self._need(channel, bot, "delete")
        for comment in message.comments:
            if comment.mid == p.get("comment_id") and not comment.deleted:
                comment.deleted = True
                return {"success": True}
        raise FakeError("not.found", "Comment not found")

    def _comment_obj(
        self, channel: FakeMaxChannel, message: FakeMaxMessage, c: FakeMaxComment
    ) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "sender": None
            if c.user_id is None
            else {"user_id": c.user_id, "first_name": "Житель", "is_bot": False},
            "recipient": {
                "chat_id": channel.chat_id,
                "chat_type": "channel",
                "post_id": message.mid,
            },
            "timestamp": c.timestamp,
            "body": {"mid": c.mid, "seq": int(c.mid.rsplit(".", 1)[-1]), "text": c.text},
        }
        if c.reply_to:
            parent = next(x for x in message.comments if x.mid == c.reply_to)
            obj["link"] = {
                "type": "reply",
                "chat_id": channel.chat_id,
                "message": {"mid": parent.mid, "text": parent.text},
            }
        return obj

    def _upload(self, request: httpx.Request) -> httpx.Response:
        key = request.url.path.rsplit("/", 1)[-1]
        if key not in self._uploads or b'name="data"' not in request.content:
            return httpx.Response(400, json={"code": "proto.payload", "message": "data"})
        token = f"ph-{key}"
        self._photo_tokens.add(token)
        return httpx.Response(200, json={"photos": {key: {"token": token}}})

    # -- helpers -------------------------------------------------------------------------

    def _mid(self) -> str:
        return f"mid.0000000000000000.{next(self._mids) + 1000}"

    @staticmethod
    def _message(channel: FakeMaxChannel, mid: str) -> FakeMaxMessage:
        for message in channel.messages:
            if message.mid == mid:
                return message
        raise FakeError("not.found", f"Message {mid} not found")

    def _find(self, mid: str, bot: int) -> tuple[FakeMaxChannel, FakeMaxMessage]:
        for channel in self.channels.values():
            for message in channel.messages:
                if message.mid == mid:
                    if bot not in channel.bots:
                        raise FakeError("chat.denied", "Bot is not a member of the chat")
                    return channel, message
        raise FakeError("not.found", f"Message {mid} not found")


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _int(value: str | None, default: int | None) -> Any:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise FakeError("proto.payload", f"not a number: {value}") from None


def _json(request: httpx.Request) -> Any:
    if not request.content:
        return None
    try:
        return json.loads(request.content)
    except ValueError:
        raise FakeError("proto.payload", "body is not JSON") from None


def _template(path: str) -> str:
    parts = path.split("/")
    return "/".join(
        "{id}" if i > 1 and (p.lstrip("-").isdigit() or p.startswith("mid") or "." in p) else p
        for i, p in enumerate(parts)
    )


def _visible(params: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if k != "access_token"}


def _without_token(url: httpx.URL) -> str:
    return str(url.copy_remove_param("access_token"))
