"""The Telegram backend of `gospages.OfficialPage`: a channel and its discussion group.

Telegram is not an information system named by order 2523-р: a channel is an additional
channel of a body, not an official page under 8-ФЗ (rule R2523-TG). From 01.06.2025
41-ФЗ bars state bodies from answering citizens through foreign-owned services
(rule 41FZ-MSG): `TelegramChannel.reply` works, but warns with `ForeignServiceWarning`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from telethon import utils
from telethon.tl import types

from .._clock import Clock, RealClock
from .._errors import (
    GospagesError,
    NotFound,
    ValidationError,
)
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
from .._parts import MAX_PARTS, long_text_problem, too_many_parts
from .._text import split_text, telegram_length
from ._errors import _call, _iterate, translate_error
from ._parse import (
    _comment_from,
    _message_id,
    _page_of,
    _parse_channel,
    _post_from,
    _post_url,
    _profile_from,
    _verification_from,
)
from ._plan import (
    _input_poll,
    _match,
    _Plan,
    _sent_at,
    _Step,
    _structure_note,
    plan_messages,
)
from ._protocol import TelegramAPI
from ._receipt import TelegramReceipt

__all__ = [
    "FOREIGN_SERVICE_NOTICE",
    "ForeignServiceWarning",
    "LongText",
    "TelegramChannel",
    "TelegramReceipt",
    "split_text",
    "telegram_length",
    "translate_error",
]

LongText = Literal["split", "refuse"]
"""What `TelegramChannel.publish` does with a text over a Telegram limit."""

FOREIGN_SERVICE_NOTICE = (
    "С 01.06.2025 41-ФЗ запрещает государственным органам, органам местного самоуправления "
    "и подведомственным организациям переписываться с гражданами (в том числе отвечать "
    "на комментарии) через сервисы, принадлежащие иностранным лицам; Telegram называют "
    "среди них. Отвечайте жителям на официальных страницах во ВКонтакте или "
    "Одноклассниках (правило 41FZ-MSG)."
)
"""Why answering citizens in Telegram needs a second thought (41-ФЗ of 01.04.2025)."""

_NOT_OFFICIAL = (
    "Telegram не входит в перечень информационных систем распоряжения № 2523-р: канал — "
    "дополнительный канал органа, а не официальная страница по 8-ФЗ; публикация здесь не "
    "заменяет публикацию во ВКонтакте или Одноклассниках (правило R2523-TG)."
)

log = logging.getLogger("gospages.telegram")

_READ_BACK = 30
"""How many recent messages are read back after a lost answer."""


class ForeignServiceWarning(UserWarning):
    """Answering citizens through Telegram, a foreign-owned service (41-ФЗ, rule 41FZ-MSG)."""

    rule_id = "41FZ-MSG"


class TelegramChannel(OfficialPage):
    """A Telegram channel of a body, with its linked discussion group for comments.

    Args:
        channel: the channel: ``@name``, ``name``, ``https://t.me/name`` or its id
            (``-100…``; a numeric id works only for channels the account has seen).
        client: how to reach Telegram: ``gospages.telegram.connect(...)`` (Telethon with a
            ``StringSession``) or ``gospages.testing.FakeTelegram``.
        comments: whether the channel has a linked discussion group. `capabilities` makes
            no request, so it trusts this: with ``comments=False`` comments, replies and
            deleting are reported missing. If the channel turns out to have no group, the
            comment methods raise `gospages.NotFound`.
        long_text: a text over Telegram's limits (4096 characters for a message, 1024 for
            a photo caption): ``"split"`` (default) cuts it on paragraph and sentence
            boundaries into several messages; ``"refuse"`` raises `gospages.ValidationError`
            before any request. The receipt's ``note`` says what was done.
        close_client: close ``client`` in `aclose`. Pass ``False`` when several channels
            share one client (one session per process is the rule).
        clock: the time publishing reads back against (real time by default, or the
            fake's when ``client`` is a ``FakeTelegram``).

    Telegram has no idempotency key: a message whose answer was lost is looked for among
    the recent messages, never sent again; if it cannot be found the receipt says
    ``needs_check``.
    """

    platform = Platform.TELEGRAM

    def __init__(
        self,
        channel: int | str,
        *,
        client: TelegramAPI,
        comments: bool = True,
        long_text: LongText = "split",
        close_client: bool = True,
        clock: Clock | None = None,
    ) -> None:
        self._entity_ref, self._ref = _parse_channel(channel)
        # The fake's clock when the client is a gospages fake that has one.
        bound = getattr(client, "clock", None)
        self._clock = clock or (bound if isinstance(bound, Clock) else RealClock())
        if long_text not in ("split", "refuse"):
            raise ValidationError(
                f"TelegramChannel: long_text={long_text!r}: допустимо «split» или «refuse»"
            )
        self._client = client
        self._comments = comments
        self._long_text: LongText = long_text
        self._close_client = close_client
        self._closed = False
        self._channel_cache: Any = None
        self._group_cache: Any = None
        self._group_known = False

    def __repr__(self) -> str:
        return (
            f"TelegramChannel(channel={self._ref!r}, client={type(self._client).__name__}, "
            f"comments={self._comments}, long_text={self._long_text!r})"
        )

    @property
    def page_id(self) -> str:
        return self._ref

    @property
    def client(self) -> TelegramAPI:
        """The client the channel calls, for Telethon calls gospages does not wrap."""
        return self._client

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._close_client:
            await self._client.disconnect()

    # -- capabilities --------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        allowed = set(Operation) - {Operation.BAN}
        missing: dict[Operation, str] = {
            Operation.BAN: "блокировка участников группы обсуждений через gospages не "
            "поддерживается: блокируйте в Telegram"
        }
        if not self._comments:
            why = (
                "у канала нет связанной группы обсуждений (comments=False): комментарии "
                "Telegram живут в ней; привяжите группу в настройках канала"
            )
            for operation in (Operation.COMMENTS, Operation.REPLY, Operation.DELETE_COMMENT):
                allowed.discard(operation)
                missing[operation] = why
        warnings_: dict[Operation, str] = {Operation.PUBLISH: _NOT_OFFICIAL}
        if Operation.REPLY in allowed:
            warnings_[Operation.REPLY] = FOREIGN_SERVICE_NOTICE
        return Capabilities(
            platform=Platform.TELEGRAM,
            allowed=frozenset(allowed),
            missing=missing,
            warnings=warnings_,
        )

    # -- the channel ---------------------------------------------------------------------

    async def _channel(self) -> Any:
        if self._channel_cache is None:
            try:
                entity = await self._client.get_entity(self._entity_ref)
            except GospagesError:
                raise
            except ValueError:  # Telethon: an id or name it cannot resolve
                raise self._not_found("get_entity") from None
            except Exception as error:
                raise translate_error(error, "get_entity") from None
            if not isinstance(entity, types.Channel) or not entity.broadcast:
                raise NotFound(
                    f"«{self._ref}» в Telegram — не канал",
                    platform=Platform.TELEGRAM,
                    method="get_entity",
                )
            self._channel_cache = entity
        return self._channel_cache

    def _not_found(self, method: str) -> NotFound:
        # Telethon answers an id it cannot resolve with a ValueError.
        return NotFound(
            f"Канал Telegram «{self._ref}» не найден (или аккаунт его ещё не видел: "
            "укажите @имя канала)",
            platform=Platform.TELEGRAM,
            method=method,
        )

    async def _full(self) -> tuple[Any, Any]:
        """``(channel, types.messages.ChatFull)``, fresh; remembers the discussion group."""
        channel = await self._channel()
        full = await _call("get_full_channel", lambda: self._client.get_full_channel(channel))
        linked = full.full_chat.linked_chat_id
        chats = {chat.id: chat for chat in full.chats}
        fresh = chats.get(channel.id)
        if isinstance(fresh, types.Channel):
            self._channel_cache = channel = fresh
        self._group_cache = chats.get(linked) if linked else None
        self._group_known = True
        return channel, full

    async def _discussion_group(self, method: str) -> Any:
        if not self._group_known:
            await self._full()
        if self._group_cache is None:
            raise NotFound(
                f"У канала «{self._ref}» нет связанной группы обсуждений: комментариев в нём "
                "нет. Передайте comments=False, чтобы capabilities() это учитывали.",
                platform=Platform.TELEGRAM,
                method=method,
            )
        return self._group_cache

    async def profile(self) -> PageProfile:
        channel, full = await self._full()
        return _profile_from(channel, full.full_chat, self._group_cache)

    async def verification(self) -> Verification:
        return _verification_from(await self._channel())

    # -- reading -------------------------------------------------------------------------

    async def _posts(
        self, since: datetime | None, until: datetime | None
    ) -> AsyncIterator[PostSummary]:
        channel = await self._channel()
        # offset_date is exclusive and Telegram dates are whole seconds.
        offset = until + timedelta(seconds=1) if until is not None else None
        album: list[Any] = []
        messages = self._client.iter_messages(channel, offset_date=offset)
        async for message in _iterate("iter_messages", messages):
            if not isinstance(message, types.Message):
                continue  # service messages ("channel created", "pinned") and empty ones
            if album and (message.grouped_id is None or message.grouped_id != album[0].grouped_id):
                post = _post_from(album, channel)
                album = []
                if since is not None and post.date < since:
                    return
                yield post
            album.append(message)
        if album:
            yield _post_from(album, channel)

    async def _before_comments(self, post_id: str | None) -> None:
        await super()._before_comments(post_id)
        if post_id is not None:
            _message_id(post_id)
        await self._discussion_group("iter_messages")

    def _may_have_comments(self, post: PostSummary) -> bool:
        return bool(post.comments_count)  # no count: the post has no discussion thread

    async def _post_comments(self, post_id: str, since: datetime | None) -> AsyncIterator[Comment]:
        wanted = _message_id(post_id)
        channel = await self._channel()
        roots: dict[int, int] = {}
        # Oldest first, so that a reply's parent is seen before it and its thread is known.
        messages = self._client.iter_messages(channel, reply_to=wanted, reverse=True)
        async for message in _iterate("iter_messages", messages):
            if isinstance(message, types.Message):
                yield _comment_from(message, _page_of(channel), str(wanted), channel, roots)

    # -- writing -------------------------------------------------------------------------

    _answer_of = "Ответ Telegram"
    _refusal = "Публикация не пройдёт в Telegram"

    max_parts: int = MAX_PARTS
    """The most messages a long text is split into (``long_text="split"``); a text that
    needs more is refused before anything is sent. Set it on the channel
    (``channel.max_parts = 20``) or on a subclass."""

    def _backend_problems(self, post: Post) -> list[str]:
        if self._long_text == "refuse":
            problem = long_text_problem(post, self.limits, "Telegram")
            if problem:
                return [problem]
            return []
        problem = too_many_parts(post, self.limits, self.max_parts, "TelegramChannel")
        return [problem] if problem else []

    def notes(self, post: Post) -> list[str]:
        return [] if self._long_text == "refuse" else super().notes(post)

    def _plan(self, post: Post) -> _Plan:
        self.check(post)
        return plan_messages(post, self.limits, self._read_photo)

    async def publish(self, post: Post) -> TelegramReceipt:
        plan = self._plan(post)
        channel = await self._channel()
        schedule = post.publish_at
        started = datetime.fromtimestamp(self._clock.time(), timezone.utc)
        # What is there before we send: after a lost answer only newer messages count,
        # so an earlier post with the same text is never taken for this one.
        baseline = await self._recent_ids(channel, schedule)
        outcome = await self._send_parts(
            plan.steps,
            label=lambda step: step.label,
            send=lambda step: self._send(channel, step, schedule),
            baseline=baseline,
            find=lambda step, earlier, done: self._find_sent(
                channel, step, schedule, started, {int(m.id) for g in done for m in g} | earlier
            ),
        )
        sent = outcome.sent
        notes = [*plan.notes, *outcome.notes]
        status = PublishStatus.SCHEDULED if schedule is not None else PublishStatus.PUBLISHED
        if not outcome.complete:
            status = PublishStatus.NEEDS_CHECK
        return self._telegram_receipt(post, channel, plan, sent, status, notes)

    async def _send(self, channel: Any, step: _Step, schedule: datetime | None) -> list[Any]:
        if step.kind == "photos":
            return await _call(
                "send_photos",
                lambda: self._client.send_photos(
                    channel, step.photos, caption=step.text, schedule=schedule
                ),
            )
        if step.kind == "poll":
            assert step.poll is not None
            media = _input_poll(step.poll)
            message = await _call(
                "send_poll", lambda: self._client.send_poll(channel, media, schedule=schedule)
            )
            return [message]
        message = await _call(
            "send_message",
            lambda: self._client.send_message(channel, step.text, schedule=schedule),
        )
        return [message]

    async def _recent(self, chat: Any, schedule: datetime | None) -> list[Any]:
        """The chat's recent (or scheduled) messages; raises when they cannot be read."""
        if schedule is not None:
            source = self._client.iter_messages(chat, scheduled=True)
        else:
            source = self._client.iter_messages(chat, limit=_READ_BACK)
        return [m async for m in _iterate("iter_messages", source)]

    async def _recent_ids(self, chat: Any, schedule: datetime | None) -> set[int] | None:
        """Ids of the chat's recent (or scheduled) messages; ``None`` if unreadable."""
        try:
            return {int(m.id) for m in await self._recent(chat, schedule)}
        except GospagesError:
            return None

    async def _find_sent(
        self,
        channel: Any,
        step: _Step,
        schedule: datetime | None,
        started: datetime,
        known: set[int],
    ) -> list[Any] | None:
        """``step``'s messages among the recent (or scheduled) ones after a lost answer."""
        candidates = [
            m
            for m in await self._recent(channel, schedule)
            if isinstance(m, types.Message)
            and int(m.id) not in known
            and _sent_at(m, schedule, started)
        ]
        return _match(step, candidates)

    def _telegram_receipt(
        self,
        post: Post,
        channel: Any,
        plan: _Plan,
        sent: list[list[Any]],
        status: PublishStatus,
        notes: list[str],
    ) -> TelegramReceipt:
        ids = [str(m.id) for group in sent for m in group]
        sentences = [_structure_note(plan), *notes]
        if post.publish_at is None:
            first = ids[0] if ids else None
            return TelegramReceipt(
                platform=Platform.TELEGRAM,
                page=_page_of(channel),
                post_id=first,
                url=_post_url(channel, first) if first else None,
                status=status,
                idempotency_key=post.idempotency_key,
                note=" ".join(sentences),
                message_ids=ids,
            )
        # Scheduled messages are numbered apart from the channel's history, and Telegram
        # numbers the post anew when it goes out: the post's id is not known yet.
        if ids:
            sentences.append(
                "Номер поста Telegram даст при публикации; номера отложенных сообщений — "
                "в scheduled_ids."
            )
        return TelegramReceipt(
            platform=Platform.TELEGRAM,
            page=_page_of(channel),
            post_id=None,
            url=None,
            status=status,
            publish_at=post.publish_at,
            idempotency_key=post.idempotency_key,
            note=" ".join(sentences),
            scheduled_ids=ids,
        )

    async def _own_ids(self) -> list[str]:
        channel = await self._channel()
        return [_page_of(channel), str(channel.id)]

    async def _prepare_reply(self, comment: Comment) -> tuple[Any, Any, int]:
        """``(channel, discussion group, the message answered)``; warns under 41-ФЗ."""
        parent = _message_id(comment.id)
        channel = await self._channel()
        group = await self._discussion_group("send_message")
        warnings.warn(
            "Ответ жителю в Telegram: " + FOREIGN_SERVICE_NOTICE,
            ForeignServiceWarning,
            stacklevel=4,  # the caller of reply()
        )
        log.warning("telegram %s: ответ жителю в Telegram (41-ФЗ)", self._ref)
        return channel, group, parent

    async def _reply_baseline(self, comment: Comment, target: tuple[Any, Any, int]) -> Any:
        return await self._recent_ids(target[1], None)

    async def _send_reply(
        self, comment: Comment, text: str, target: tuple[Any, Any, int]
    ) -> Comment:
        channel, group, parent = target
        message = await _call(
            "send_message",
            lambda: self._client.send_message(group, text, reply_to=parent, send_as=channel),
        )
        return self._answer(comment, text, channel, message)

    async def _find_reply(
        self, comment: Comment, text: str, target: tuple[Any, Any, int], baseline: Any
    ) -> Comment | None:
        """Our answer among the group's newest messages, after a lost answer."""
        channel, group, parent = target
        for message in await self._recent(group, None):
            header = getattr(message, "reply_to", None)
            if (
                int(message.id) not in baseline
                and getattr(header, "reply_to_msg_id", None) == parent
                and (message.message or "").strip() == text.strip()
            ):
                return self._answer(comment, text, channel, message)
        return None

    @staticmethod
    def _answer(comment: Comment, text: str, channel: Any, message: Any) -> Comment:
        return Comment(
            platform=Platform.TELEGRAM,
            page=_page_of(channel),
            id=str(message.id),
            post_id=comment.post_id,
            author_id=str(utils.get_peer_id(types.PeerChannel(channel.id))),
            date=message.date,
            text=message.message or text,
            parent_id=comment.id,
            thread_id=comment.thread_id or comment.id,
            from_page=True,
        )

    async def _send_delete(self, comment: Comment) -> None:
        victim = _message_id(comment.id)
        group = await self._discussion_group("delete_messages")
        affected = await _call(
            "delete_messages", lambda: self._client.delete_messages(group, [victim])
        )
        if not sum(int(a.pts_count) for a in affected):
            raise NotFound(
                f"Комментарий {comment.id} не найден в группе обсуждений: уже удалён?",
                platform=Platform.TELEGRAM,
                method="delete_messages",
            )
