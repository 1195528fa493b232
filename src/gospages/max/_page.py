"""The MAX backend of :class:`gospages.OfficialPage`: a channel through the Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from .._clock import Clock
from .._errors import GospagesError, PermissionDenied, ValidationError, answer_shape, malformed
from .._models import (
    Capabilities,
    Comment,
    Operation,
    PageProfile,
    Platform,
    Post,
    PostSummary,
    PublishStatus,
    Verification,
)
from .._page import OfficialPage
from .._parts import MAX_PARTS, long_text_problem, split_post_text, split_sentence, too_many_parts
from .._secrets import register_secret
from .._transport import RetryMode, RetryPolicy, Transport
from ._api import DEFAULT_API_URL, REQUESTS_PER_SECOND, MaxApi
from ._receipt import MaxReceipt
from ._tls import max_mounts

__all__ = ["LongText", "MaxChannel", "TextFormat"]

TextFormat = Literal["markdown", "html"]
LongText = Literal["split", "refuse"]
"""What `MaxChannel.publish` does with a text over MAX's 4,000 characters."""

_PAGE_SIZE = 100
_READ_BACK = 20

#: The bot's rights in the channel (``GET /chats/{id}/members/me``) each operation needs.
_NEEDS: dict[Operation, tuple[str, str]] = {
    Operation.POSTS: ("read_all_messages", "читать все сообщения"),
    Operation.COMMENTS: ("read_all_messages", "читать все сообщения"),
    Operation.PUBLISH: ("write", "писать"),
    Operation.PUBLISH_PHOTOS: ("write", "писать"),
    Operation.REPLY: ("write", "писать"),
    Operation.DELETE_COMMENT: ("delete", "удалять сообщения"),
}


class MaxChannel(OfficialPage):
    """A body's channel in MAX, through the official Bot API.

    Args:
        chat_id: the channel's chat id (an int64, negative: ``-70000000000005``) or its
            public name from ``max.ru/<name>``.
        token: the bot's token from the MAX business platform. The bot must be an
            administrator of the channel (write, edit, delete, read all messages).
        ca_file: the Минцифры root certificate (PEM), trusted for the API host only;
            without it the API's certificate is refused (unless ``http_client`` is given).
        http_client: an ``httpx.AsyncClient`` to use (a fake's, or one shared by a run).
        api_url: ``https://platform-api2.max.ru`` by default.
        text_format: ``"markdown"`` or ``"html"`` to have MAX format the text of posts.
        long_text: a text over MAX's 4,000 characters: ``"split"`` (default) cuts it on
            paragraph and sentence boundaries into several messages, the first carrying
            the photos; ``"refuse"`` raises `gospages.ValidationError` before any request.
        verified: the «Госорганизация» mark as your registry records it
            (``PageRef.verified``; `gospages.open_page` passes it); the API has no mark,
            so ``None`` means «неизвестно».
        retry: how failed reads are retried; writes are never resent blindly.
        requests_per_second: pace per token (MAX allows 30).
        timeout: seconds to wait for MAX.
        clock: the time the limits and retry pauses run on.
    """

    platform = Platform.MAX

    def __init__(
        self,
        chat_id: int | str,
        *,
        token: SecretStr | str,
        ca_file: str | Path | None = None,
        http_client: httpx.AsyncClient | None = None,
        api_url: str = DEFAULT_API_URL,
        text_format: TextFormat | None = None,
        long_text: LongText = "split",
        verified: bool | None = None,
        retry: RetryPolicy | None = None,
        requests_per_second: int = REQUESTS_PER_SECOND,
        timeout: float = 30.0,
        clock: Clock | None = None,
    ) -> None:
        ref = str(chat_id).strip().lstrip("@")
        if not ref or not (_is_chat_id(ref) or ref.replace("_", "a").replace(".", "a").isalnum()):
            raise ValidationError(
                f"MaxChannel: нужен id чата (-70000000000005) или имя канала, а не «{chat_id}»",
                platform=Platform.MAX,
            )
        secret = token if isinstance(token, SecretStr) else SecretStr(token)
        if not secret.get_secret_value().strip():
            raise ValidationError("MaxChannel: пустой token", platform=Platform.MAX)
        register_secret(secret)
        if text_format not in (None, "markdown", "html"):
            raise ValidationError(
                f"MaxChannel: text_format={text_format!r}: допустимо «markdown» или «html»",
                platform=Platform.MAX,
            )
        if long_text not in ("split", "refuse"):
            raise ValidationError(
                f"MaxChannel: long_text={long_text!r}: допустимо «split» или «refuse»",
                platform=Platform.MAX,
            )
        if requests_per_second < 1:
            raise ValidationError("MaxChannel: requests_per_second должен быть не меньше 1")
        self._ref = ref
        self._chat_id: int | None = int(ref) if _is_chat_id(ref) else None
        self._format = text_format
        self._long_text: LongText = long_text
        self._verified = verified
        self._rights: frozenset[str] | None = None
        self._urls: dict[str, str] = {}
        mounts = None
        if http_client is None and ca_file is not None:
            ca = ca_file
            max_mounts(ca, api_url)  # the file is read now: a wrong path fails here

            def mounts() -> dict[str, httpx.AsyncBaseTransport]:
                return max_mounts(ca, api_url)

        self._transport = Transport(
            Platform.MAX,
            http_client=http_client,
            timeout=timeout,
            retry=retry,
            clock=clock,
            mounts=mounts,
        )
        self._api = MaxApi(
            token=secret,
            transport=self._transport,
            api_url=api_url,
            requests_per_second=requests_per_second,
        )

    def __repr__(self) -> str:
        return f"MaxChannel(chat_id={self._ref!r}, api_url={self._api.api_url!r})"

    @property
    def page_id(self) -> str:
        return self._ref

    @property
    def api(self) -> MaxApi:
        """The low-level caller, for MAX methods gospages does not wrap yet."""
        return self._api

    async def aclose(self) -> None:
        await self._transport.aclose()

    # -- rights --------------------------------------------------------------------------

    async def load_rights(self) -> frozenset[str]:
        """The bot's rights in the channel (``GET /chats/{id}/members/me``), read once;
        :meth:`capabilities` follows them afterwards."""
        if self._rights is None:
            chat = await self._chat()
            me = await self._api.call("GET", f"/chats/{chat}/members/me")
            with answer_shape(Platform.MAX, "GET /chats/{id}/members/me"):
                permissions = me.get("permissions") or []
                if not isinstance(permissions, list):
                    raise TypeError("permissions is not a list")
                rights = {str(p) for p in permissions}
                if me.get("is_owner"):
                    rights |= {"write", "edit", "delete", "read_all_messages"}
            self._rights = frozenset(rights)
        return self._rights

    def capabilities(self) -> Capabilities:
        missing = {
            Operation.SCHEDULE: "отложенные публикации не поддерживаются: в Bot API MAX нет "
            "отложенной отправки; опубликуйте сейчас (publish_at не задавайте)",
            Operation.PUBLISH_POLLS: "в Bot API MAX нет опросов",
            Operation.BAN: "блокировку пользователей Bot API MAX для каналов не даёт",
        }
        warnings: dict[Operation, str] = {
            Operation.VERIFICATION: "в API MAX нет отметки о проверке канала: ответ — "
            "«неизвестно», если реестр не записал иное"
        }
        if self._rights is None:
            warnings[Operation.PUBLISH] = (
                "права бота в канале ещё не прочитаны (load_rights): нужны права "
                "администратора «писать», «редактировать», «удалять», «читать все сообщения»"
            )
        else:
            for operation, (right, label) in _NEEDS.items():
                if right not in self._rights:
                    missing[operation] = f"у бота в канале нет права «{label}» ({right})"
        return Capabilities(
            platform=Platform.MAX,
            allowed=frozenset(Operation) - set(missing),
            missing=missing,
            warnings=warnings,
        )

    async def _rights_allow(self, operation: Operation) -> None:
        """Refuse ``operation`` before sending it when the bot lacks the right."""
        await self.load_rights()
        self._require(operation)

    # -- the channel ---------------------------------------------------------------------

    async def _chat(self) -> int:
        """The chat id (a public name is resolved once with ``GET /chats/{name}``)."""
        if self._chat_id is None:
            chat = await self._api.call("GET", f"/chats/{self._ref}")
            with answer_shape(Platform.MAX, "GET /chats/{link}"):
                self._chat_id = int(chat["chat_id"])
        return self._chat_id

    async def profile(self) -> PageProfile:
        chat = await self._chat()
        info = await self._api.call("GET", f"/chats/{chat}")
        with answer_shape(Platform.MAX, "GET /chats/{id}"):
            if not isinstance(info, Mapping):
                raise TypeError("chat is not an object")
            icon = info.get("icon")
            link = info.get("link")
            known = {"chat_id", "title", "description", "icon", "participants_count", "link"}
            name = _name_of(link)
            return PageProfile(
                platform=Platform.MAX,
                id=str(info.get("chat_id", chat)),
                name=str(info.get("title") or ""),
                screen_name=name,
                url=str(link) if link else None,
                description=str(info.get("description") or ""),
                avatar_url=str(icon["url"])
                if isinstance(icon, Mapping) and icon.get("url")
                else None,
                members_count=info.get("participants_count"),
                is_closed=None if info.get("is_public") is None else not info.get("is_public"),
                extras={k: v for k, v in info.items() if k not in known},
            )

    async def verification(self) -> Verification:
        # The API has no mark: what the registry records (verified=), else «неизвестно».
        return self._recorded_verification(self._verified)

    # -- reading -------------------------------------------------------------------------

    async def _history(self, before: int | None = None, count: int = _PAGE_SIZE) -> list[Any]:
        chat = await self._chat()
        answer = await self._api.call(
            "GET", "/messages", params={"chat_id": chat, "count": count, "before": before}
        )
        with answer_shape(Platform.MAX, "GET /messages"):
            messages = answer["messages"]
            if not isinstance(messages, list):
                raise TypeError("messages is not a list")
            return [m for m in messages if isinstance(m, Mapping)]

    async def _posts(
        self, since: datetime | None, until: datetime | None
    ) -> AsyncIterator[PostSummary]:
        before = _ms(until) + 1 if until is not None else None
        seen: set[str] = set()
        while True:
            messages = await self._history(before)
            with answer_shape(Platform.MAX, "GET /messages"):
                posts = [self._post_from(m) for m in messages]
                fresh = [p for p in posts if p.id not in seen]
                oldest = min((int(m["timestamp"]) for m in messages), default=None)
            seen.update(p.id for p in fresh)
            for post in fresh:
                yield post
            # Newest first: a page reaching past ``since`` (or a short one) ends the walk.
            if not fresh or oldest is None or len(messages) < _PAGE_SIZE:
                return
            if since is not None and oldest < _ms(since):
                return
            before = oldest

    def _post_from(self, message: Mapping[str, Any]) -> PostSummary:
        body = message["body"]
        stat = message.get("stat") or {}
        attachments = body.get("attachments") or []
        return PostSummary(
            platform=Platform.MAX,
            page=self._ref,
            id=str(body["mid"]),
            date=_date(message["timestamp"]),
            text=str(body.get("text") or ""),
            url=str(message["url"]) if message.get("url") else None,
            views=stat.get("views") if isinstance(stat, Mapping) else None,
            attachments=[str(a.get("type")) for a in attachments if isinstance(a, Mapping)],
        )

    async def _before_comments(self, post_id: str | None) -> None:
        self._require(Operation.COMMENTS)

    async def _post_comments(self, post_id: str, since: datetime | None) -> AsyncIterator[Comment]:
        before: int | None = None
        seen: set[str] = set()
        collected: list[Comment] = []
        while True:
            answer = await self._api.call(
                "GET",
                f"/messages/{post_id}/comments",
                params={"count": _PAGE_SIZE, "before": before},
            )
            with answer_shape(Platform.MAX, "GET /messages/{id}/comments"):
                items = [c for c in answer["comments"] if isinstance(c, Mapping)]
                fresh = [self._comment_from(c, post_id) for c in items]
                fresh = [c for c in fresh if c.id not in seen]
                oldest = min((int(c["timestamp"]) for c in items), default=None)
            seen.update(c.id for c in fresh)
            collected.extend(fresh)
            if not fresh or oldest is None or len(items) < _PAGE_SIZE:
                break
            if since is not None and oldest < _ms(since):
                break
            before = oldest
        # Parents before their replies: oldest first, threads resolved on the way.
        collected.sort(key=lambda c: (c.date or datetime.min.replace(tzinfo=timezone.utc), c.id))
        roots: dict[str, str] = {}
        for comment in collected:
            parent = comment.parent_id
            root = roots.get(parent, parent) if parent else None
            roots[comment.id] = root or comment.id
            yield comment.model_copy(update={"thread_id": root})

    def _comment_from(self, item: Mapping[str, Any], post_id: str) -> Comment:
        body = item["body"]
        sender = item.get("sender")
        link = item.get("link")
        parent = None
        if isinstance(link, Mapping) and link.get("type") == "reply":
            linked = link.get("message") or {}
            parent = str(linked.get("mid") or link.get("mid") or "") or None
        return Comment(
            platform=Platform.MAX,
            page=self._ref,
            id=str(body["mid"]),
            post_id=post_id,
            author_id=str(sender["user_id"]) if isinstance(sender, Mapping) else None,
            date=_date(item["timestamp"]),
            text=str(body.get("text") or ""),
            parent_id=parent,
            from_page=sender is None,  # written in the channel's name
        )

    # -- writing -------------------------------------------------------------------------

    _answer_of = "Ответ MAX"
    _refusal = "Публикация не пройдёт в MAX"

    max_parts: int = MAX_PARTS
    """The most messages a long text is split into (``long_text="split"``); a text that
    needs more is refused before anything is sent (``channel.max_parts = 20``)."""

    def _backend_problems(self, post: Post) -> list[str]:
        if self._long_text == "refuse":
            problem = long_text_problem(post, self.limits, "MAX")
        else:
            problem = too_many_parts(post, self.limits, self.max_parts, "MaxChannel")
        return [problem] if problem else []

    def notes(self, post: Post) -> list[str]:
        return [] if self._long_text == "refuse" else super().notes(post)

    async def _prepare_post(self, post: Post) -> list[dict[str, Any]]:
        """The bodies of ``POST /messages``, in order: the text cut to MAX's limit, the
        photos uploaded and attached to the first message."""
        await self._rights_allow(Operation.PUBLISH_PHOTOS if post.photos else Operation.PUBLISH)
        images = [(photo.name, self._read_photo(photo)) for photo in post.photos]
        texts = split_post_text(post, self.limits) or [""]
        bodies: list[dict[str, Any]] = []
        for text in texts:
            body: dict[str, Any] = {"text": text}
            if self._format is not None:
                body["format"] = self._format
            bodies.append(body)
        attachments = [
            {"type": "image", "payload": {"photos": await self._upload(name, data)}}
            for name, data in images
        ]
        if attachments:
            bodies[0]["attachments"] = attachments
        return bodies

    async def _upload(self, name: str, data: bytes) -> Any:
        slot = await self._api.call(
            "POST", "/uploads", params={"type": "image"}, retry=RetryMode.READ
        )
        with answer_shape(Platform.MAX, "POST /uploads"):
            url = str(slot["url"])
        uploaded = await self._api.upload(url, name, data)
        with answer_shape(Platform.MAX, "upload"):
            photos = uploaded["photos"]
            if not isinstance(photos, Mapping) or not photos:
                raise TypeError("no photos")
        return photos

    async def _send_post(self, post: Post, prepared: dict[str, Any]) -> str:
        chat = await self._chat()
        answer = await self._api.call(
            "POST", "/messages", params={"chat_id": chat}, json=prepared, retry=RetryMode.UNSAFE
        )
        try:
            mid = answer["message"]["body"]["mid"]
        except (LookupError, TypeError):
            raise malformed(Platform.MAX, "POST /messages") from None
        if not isinstance(mid, str) or not mid:
            raise malformed(Platform.MAX, "POST /messages")
        url = answer["message"].get("url")
        if isinstance(url, str) and url:
            self._urls[mid] = url
        return mid

    async def _baseline(self, post: Post, prepared: Any) -> set[str] | None:
        try:
            return {str(m["body"]["mid"]) for m in await self._history(count=_READ_BACK)}
        except (GospagesError, LookupError, TypeError):
            return None

    async def _find_written(
        self, post: Post, prepared: dict[str, Any], baseline: set[str]
    ) -> str | None:
        """The message of body ``prepared`` among the channel's newest ones that are not in
        ``baseline`` (the messages before, and those this publication sent)."""
        for message in await self._history(count=_READ_BACK):
            body = message.get("body") or {}
            mid = str(body.get("mid"))
            same = str(body.get("text") or "").strip() == prepared["text"].strip()
            if mid not in baseline and same and message.get("sender") is None:
                url = message.get("url")
                if isinstance(url, str) and url:
                    self._urls[mid] = url  # the read-back's address, as the answer's would be
                return mid
        return None

    def _post_url(self, prepared: Any, post_id: str) -> str | None:
        return self._urls.get(post_id)  # MAX gives the address in its answer

    async def _prepare_reply(self, comment: Comment) -> None:
        await self._rights_allow(Operation.REPLY)

    async def _send_reply(self, comment: Comment, text: str, target: Any) -> Comment:
        body: dict[str, Any] = {"text": text, "link": {"type": "reply", "mid": comment.id}}
        if self._format is not None:
            body["format"] = self._format
        answer = await self._api.call(
            "POST", f"/messages/{comment.post_id}/comments", json=body, retry=RetryMode.UNSAFE
        )
        with answer_shape(Platform.MAX, "POST /messages/{id}/comments"):
            message = answer["message"]
            made = self._comment_from(message, comment.post_id)
        return made.model_copy(
            update={"parent_id": comment.id, "thread_id": comment.thread_id or comment.id}
        )

    async def delete_comment(self, comment: Comment) -> None:
        await self._rights_allow(Operation.DELETE_COMMENT)
        await super().delete_comment(comment)

    async def _send_delete(self, comment: Comment) -> None:
        await self._api.call(
            "DELETE",
            f"/messages/{comment.post_id}/comments",
            params={"comment_id": comment.id},
            retry=RetryMode.UNSAFE,
        )

    async def publish(self, post: Post) -> MaxReceipt:
        """Publish ``post`` now. MAX has no scheduling and no polls: a post with
        ``publish_at`` or a poll is refused before any request (`PermissionDenied`, as
        :meth:`capabilities` says). A text over 4,000 characters goes out as several
        messages (``long_text="split"``), the first with the photos; the receipt lists
        them all (`MaxReceipt.message_ids`).

        MAX has no idempotency key: a message whose answer was lost is looked for among
        the channel's newest messages, never sent again; when it is not found the rest
        is not sent and the receipt says ``needs_check``.
        """
        if post.publish_at is not None:
            self._require(Operation.SCHEDULE)
        if post.polls:
            self._require(Operation.PUBLISH_POLLS)
        self.check(post)
        self._require(Operation.PUBLISH, post)
        bodies = await self._shaped(lambda: self._prepare_post(post), "publish")
        # What is there before we send: after a lost answer only newer messages count,
        # so an earlier post with the same text is never taken for this one.
        baseline = await self._baseline(post, bodies)
        outcome = await self._send_parts(
            bodies,
            label=_label,
            send=lambda body: self._send_post(post, body),
            baseline=baseline,
            find=lambda body, earlier, done: self._find_written(post, body, earlier | set(done)),
        )
        notes = outcome.notes
        if len(bodies) > 1:
            photos = "; фото — в первом сообщении" if bodies[0].get("attachments") else ""
            notes = [f"{split_sentence(len(bodies), 'MAX')}{photos}.", *notes]
        first = outcome.sent[0] if outcome.sent else None
        return MaxReceipt(
            platform=Platform.MAX,
            page=self.page_id,
            post_id=first,
            url=self._urls.get(first) if first else None,
            status=PublishStatus.PUBLISHED if outcome.complete else PublishStatus.NEEDS_CHECK,
            idempotency_key=post.idempotency_key,
            note=" ".join(notes) or None,
            message_ids=list(outcome.sent),
        )

    def _require(self, operation: Operation, post: Post | None = None) -> None:
        caps = self.capabilities()
        if not caps.can(operation):
            raise PermissionDenied(f"MAX: {caps.missing[operation]}", platform=Platform.MAX)


def _label(body: Mapping[str, Any]) -> str:
    if body.get("attachments"):
        return "текст с фото" if body.get("text") else "фото"
    return "текст"


def _is_chat_id(ref: str) -> bool:
    return ref.lstrip("-").isdigit() and len(ref.lstrip("-")) <= 19


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _date(value: Any) -> datetime:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("timestamp is not a number")
    return datetime.fromtimestamp(value / 1000, tz=timezone.utc)


def _name_of(link: Any) -> str | None:
    if not isinstance(link, str) or not link:
        return None
    name = link.rstrip("/").rsplit("/", 1)[-1]
    return name or None
