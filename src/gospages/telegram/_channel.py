"""The Telegram backend of `gospages.OfficialPage`: a channel and its discussion group.

Telegram is not an information system named by order 2523-р: a channel is an additional
channel of a body, not an official page under 8-ФЗ (rule R2523-TG). From 01.06.2025
41-ФЗ bars state bodies from answering citizens through foreign-owned services
(rule 41FZ-MSG): `TelegramChannel.reply` works, but warns with `ForeignServiceWarning`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, TypeVar

from telethon import errors, utils
from telethon.tl import types

from .._clock import Clock, RealClock
from .._errors import (
    AuthError,
    GospagesError,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    PermissionDenied,
    PlatformError,
    RateLimited,
    ServerError,
    ValidationError,
)
from .._models import (
    Capabilities,
    Comment,
    Operation,
    PageProfile,
    Platform,
    Poll,
    Post,
    PostSummary,
    PublishedPost,
    PublishStatus,
    Verification,
    VerificationState,
)
from .._page import OfficialPage, aware
from .._secrets import redact
from .._text import TELEGRAM_LIMITS, split_text, telegram_length
from ._protocol import TelegramAPI

__all__ = [
    "FOREIGN_SERVICE_NOTICE",
    "TELEGRAM_LIMITS",
    "ForeignServiceWarning",
    "LongText",
    "TelegramChannel",
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
_CLOCK_SKEW = timedelta(minutes=2)


class ForeignServiceWarning(UserWarning):
    """Answering citizens through Telegram, a foreign-owned service (41-ФЗ, rule 41FZ-MSG)."""

    rule_id = "41FZ-MSG"


# -- error mapping -------------------------------------------------------------------------

# Telethon error class -> (our error class, what to tell the person). Checked in order:
# the specific classes first, then the bases that catch whole HTTP-like families.
_ERRORS: tuple[tuple[type[BaseException], type[GospagesError], str], ...] = (
    (errors.FloodWaitError, RateLimited, "Telegram просит подождать {seconds} с (flood wait)"),
    (errors.FloodPremiumWaitError, RateLimited, "Telegram просит подождать {seconds} с"),
    (errors.SlowModeWaitError, RateLimited, "В чате медленный режим: подождите {seconds} с"),
    (
        errors.ChatAdminRequiredError,
        PermissionDenied,
        "Нужны права администратора канала или группы обсуждений",
    ),
    (errors.ChatWriteForbiddenError, PermissionDenied, "Этому аккаунту нельзя писать в этот чат"),
    (
        errors.MessageDeleteForbiddenError,
        PermissionDenied,
        "Нет права удалять сообщения: нужен администратор группы с правом «удаление сообщений»",
    ),
    (
        errors.SendAsPeerInvalidError,
        PermissionDenied,
        "Нельзя писать от имени канала: аккаунт не администратор канала",
    ),
    (errors.UserBannedInChannelError, PermissionDenied, "Аккаунт заблокирован в этом чате"),
    (
        errors.ChannelPrivateError,
        NotFound,
        "Канал закрыт для этого аккаунта, аккаунт в нём заблокирован, или канала нет",
    ),
    (errors.UsernameNotOccupiedError, NotFound, "Канала с таким именем нет"),
    (errors.UsernameInvalidError, NotFound, "Канала с таким именем нет"),
    (errors.ChannelInvalidError, NotFound, "Канал не найден"),
    (errors.MessageIdInvalidError, NotFound, "Сообщение не найдено (удалено или чужое)"),
    (errors.MsgIdInvalidError, NotFound, "Сообщение не найдено (удалено или без обсуждения)"),
    (
        errors.AuthKeyUnregisteredError,
        AuthError,
        "Сессия Telegram не авторизована или удалена: создайте строку сессии заново",
    ),
    (
        errors.SessionRevokedError,
        AuthError,
        "Сессия Telegram отозвана (завершены все сеансы): создайте строку сессии заново",
    ),
    (errors.UnauthorizedError, AuthError, "Telegram не принял сессию"),
    (errors.AuthKeyError, AuthError, "Telegram не принял ключ сессии"),
    (errors.MessageTooLongError, ValidationError, "Текст длиннее 4096 символов"),
    (errors.MediaCaptionTooLongError, ValidationError, "Подпись к фото длиннее 1024 символов"),
    (errors.MessageEmptyError, ValidationError, "Пустое сообщение"),
    (errors.MultiMediaTooLongError, ValidationError, "В альбоме больше 10 фото"),
    (
        errors.ScheduleDateTooLateError,
        ValidationError,
        "Отложить публикацию можно не больше чем на год",
    ),
    (errors.ScheduleDateInvalidError, ValidationError, "Неверное время отложенной публикации"),
    (errors.ScheduleTooMuchError, ValidationError, "В канале уже 100 отложенных сообщений"),
    (
        errors.BroadcastPublicVotersForbiddenError,
        ValidationError,
        "В каналах опросы только анонимные",
    ),
    (errors.ForbiddenError, PermissionDenied, "Telegram запретил это действие"),
    (errors.FloodError, RateLimited, "Слишком много запросов к Telegram"),
    (errors.ServerError, ServerError, "Сбой на стороне Telegram"),
    (errors.TimedOutError, ServerError, "Telegram не ответил вовремя"),
    (errors.BadRequestError, ValidationError, "Telegram отклонил запрос"),
)


_NATIVE_NAMES: dict[type[BaseException], str] = {}


def _native_name(cls: type[BaseException]) -> str | None:
    """Telegram's own name of a Telethon error class (``CHAT_ADMIN_REQUIRED``)."""
    if not _NATIVE_NAMES:  # built on the first error, not at import
        for name, known in errors.rpcerrorlist.rpc_errors_dict.items():
            _NATIVE_NAMES.setdefault(known, str(name))
        for pattern, known in errors.rpcerrorlist.rpc_errors_re:
            _NATIVE_NAMES.setdefault(known, str(pattern).split("_(", 1)[0])
    return _NATIVE_NAMES.get(cls)


def translate_error(error: BaseException, method: str) -> GospagesError:
    """The `gospages.GospagesError` for a Telethon (or network) error."""
    platform = Platform.TELEGRAM
    if isinstance(error, GospagesError):
        return error
    if isinstance(error, (ConnectionError, TimeoutError, asyncio.TimeoutError, OSError)):
        return NetworkError(
            f"Нет ответа от Telegram ({type(error).__name__}): соединение прервано или "
            "истекло время ожидания",
            platform=platform,
            method=method,
        )
    if not isinstance(error, errors.RPCError):
        return PlatformError(
            f"Ошибка клиента Telegram: {redact(str(error))}", platform=platform, method=method
        )
    request = getattr(error, "request", None)
    if request is not None:
        method = type(request).__name__
    code: str | int | None = _native_name(type(error)) or error.message or error.code
    seconds = getattr(error, "seconds", None)
    for cls, ours, text in _ERRORS:
        if isinstance(error, cls):
            message = text.format(seconds=seconds)
            if ours is RateLimited:
                return RateLimited(
                    message,
                    retry_after=float(seconds) if seconds is not None else None,
                    platform=platform,
                    code=code,
                    method=method,
                )
            return ours(message, platform=platform, code=code, method=method)
    status = abs(int(error.code or 0))
    if status >= 500:
        return ServerError("Сбой на стороне Telegram", platform=platform, code=code, method=method)
    return PlatformError(
        f"Telegram вернул ошибку: {redact(str(error))}", platform=platform, code=code, method=method
    )


_T = TypeVar("_T")


async def _call(method: str, make: Callable[[], Awaitable[_T]]) -> _T:
    try:
        return await make()
    except GospagesError:
        raise
    except Exception as error:
        raise translate_error(error, method) from None


async def _iterate(method: str, iterator: AsyncIterator[Any]) -> AsyncIterator[Any]:
    while True:
        try:
            item = await iterator.__anext__()
        except StopAsyncIteration:
            return
        except GospagesError:
            raise
        except Exception as error:
            raise translate_error(error, method) from None
        yield item


# -- publishing plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """One message (or one album) of a publication."""

    kind: Literal["text", "photos", "poll"]
    text: str = ""
    photos: tuple[tuple[str, bytes], ...] = ()
    poll: Poll | None = None

    @property
    def label(self) -> str:
        return {"text": "текст", "photos": "фото", "poll": "опрос"}[self.kind]


@dataclass
class _Plan:
    steps: list[_Step] = field(default_factory=list)
    text_parts: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def split(self) -> bool:
        return self.text_parts > 1


# -- the channel ---------------------------------------------------------------------------


_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def _parse_channel(channel: int | str) -> tuple[str | int, str]:
    """``(what get_entity takes, the page id as text)`` from what the user gave."""
    if isinstance(channel, bool):
        raise ValidationError("TelegramChannel: channel — имя канала (@name) или его id")
    if isinstance(channel, int):
        marked = channel if channel < 0 else utils.get_peer_id(types.PeerChannel(channel))
        return marked, str(marked)
    ref = channel.strip()
    ref = re.sub(r"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?", "", ref)
    ref = ref.strip("/").lstrip("@")
    if re.fullmatch(r"-?\d+", ref):
        return _parse_channel(int(ref))
    if not _USERNAME_RE.match(ref):
        raise ValidationError(
            f"TelegramChannel: «{channel}» не похоже на имя канала Telegram (@name), "
            "ссылку t.me/name или id канала"
        )
    return ref, ref


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

    async def posts(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> AsyncIterator[PostSummary]:
        since = aware(since, "since")
        until = aware(until, "until")
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
                if not _in_range(post.date, since, until):
                    if since is not None and post.date < since:
                        return
                else:
                    yield post
            album.append(message)
        if album:
            post = _post_from(album, channel)
            if _in_range(post.date, since, until):
                yield post

    async def comments(
        self, post_id: str | None = None, *, since: datetime | None = None
    ) -> AsyncIterator[Comment]:
        since = aware(since, "since")
        wanted = _message_id(post_id) if post_id is not None else None
        await self._discussion_group("iter_messages")
        if wanted is not None:
            async for comment in self._post_comments(wanted, since):
                yield comment
            return
        async for post in self.posts(since=since):
            if not post.comments_count:
                continue
            async for comment in self._post_comments(int(post.id), since):
                yield comment

    async def _post_comments(self, post_id: int, since: datetime | None) -> AsyncIterator[Comment]:
        channel = await self._channel()
        roots: dict[int, int] = {}
        # Oldest first, so that a reply's parent is seen before it and its thread is known.
        messages = self._client.iter_messages(channel, reply_to=post_id, reverse=True)
        async for message in _iterate("iter_messages", messages):
            if not isinstance(message, types.Message):
                continue
            comment = _comment_from(message, _page_of(channel), str(post_id), channel, roots)
            if since is None or comment.date is None or comment.date >= since:
                yield comment

    # -- writing -------------------------------------------------------------------------

    def check(self, post: Post) -> None:
        """Raise `gospages.ValidationError` if ``post`` cannot go to Telegram as configured."""
        self._plan(post)

    def _plan(self, post: Post) -> _Plan:
        problems: list[str] = []
        limits = TELEGRAM_LIMITS
        if post.close_comments:
            problems.append(
                "в Telegram нельзя закрыть комментарии к одной записи (close_comments): "
                "они открыты или закрыты для всего канала через группу обсуждений"
            )
        photos = post.photos
        if len(photos) > limits["album"]:
            problems.append(f"фото больше {limits['album']} в одном альбоме ({len(photos)})")
        if len(post.polls) > limits["polls"]:
            problems.append(f"опросов больше {limits['polls']} ({len(post.polls)})")
        for poll in post.polls:
            if telegram_length(poll.question) > limits["poll_question"]:
                problems.append(f"вопрос опроса длиннее {limits['poll_question']} символов")
            long_answers = [a for a in poll.answers if telegram_length(a) > limits["poll_answer"]]
            if long_answers:
                problems.append(
                    f"вариант ответа длиннее {limits['poll_answer']} символов: "
                    f"«{long_answers[0][:30]}…»"
                )
        if post.publish_at is not None:
            now = datetime.now(timezone.utc)
            if post.publish_at <= now:
                problems.append(
                    f"время отложенной публикации {post.publish_at.isoformat()} уже прошло"
                )
            elif post.publish_at > now + timedelta(days=limits["schedule_days"]):
                problems.append(
                    f"отложить публикацию можно не больше чем на {limits['schedule_days']} дней"
                )

        text = post.text.strip()
        for link in post.links:
            url = str(link.url)
            if url not in text:
                text = f"{text}\n\n{url}" if text else url
        plan = _Plan()
        length = telegram_length(text)
        limit = limits["caption"] if photos else limits["text"]
        if length > limit and self._long_text == "refuse":
            what = "подпись к фото" if photos else "текст сообщения"
            problems.append(
                f"{what} длиннее {limit} символов ({length}); лимит Telegram — {limit} "
                f"символов для {'подписи' if photos else 'сообщения'}. Сократите текст или "
                'создайте канал с long_text="split"'
            )
        if problems:
            raise ValidationError(
                "Публикация не пройдёт в Telegram: " + "; ".join(problems),
                platform=Platform.TELEGRAM,
            )

        images = [(photo.name, _read_photo(photo)) for photo in photos]
        if images:
            parts = split_text(text, limits["text"], first_limit=limits["caption"]) if text else []
            caption = parts.pop(0) if parts else ""
            plan.steps.append(_Step("photos", text=caption, photos=tuple(images)))
            plan.steps.extend(_Step("text", text=part) for part in parts)
            plan.text_parts = (1 if caption else 0) + len(parts)
        elif text:
            parts = split_text(text, limits["text"])
            plan.steps.extend(_Step("text", text=part) for part in parts)
            plan.text_parts = len(parts)
        for poll in post.polls:
            plan.steps.append(_Step("poll", poll=poll))
            if not poll.anonymous:
                plan.notes.append(
                    "Опрос отправлен анонимным: в каналах Telegram голоса всегда анонимны."
                )
        return plan

    async def publish(self, post: Post) -> PublishedPost:
        plan = self._plan(post)
        channel = await self._channel()
        schedule = post.publish_at
        started = datetime.fromtimestamp(self._clock.time(), timezone.utc)
        # What is there before we send: after a lost answer only newer messages count,
        # so an earlier post with the same text is never taken for this one.
        baseline = await self._recent_ids(channel, schedule)
        sent: list[list[Any]] = []
        notes = list(plan.notes)
        status = PublishStatus.SCHEDULED if schedule is not None else PublishStatus.PUBLISHED
        for index, step in enumerate(plan.steps):
            what = f"сообщение {index + 1} из {len(plan.steps)} ({step.label})"
            try:
                messages = await self._send(channel, step, schedule)
            except (NetworkError, ServerError) as error:
                # Telegram may have published it: read back, and never send it again.
                known = {int(m.id) for group in sent for m in group}
                found, readable = (None, False)
                if baseline is not None:
                    found, readable = await self._find_sent(
                        channel, step, schedule, started, known | baseline
                    )
                if found is None:
                    where = (
                        "среди последних сообщений канала его нет"
                        if readable
                        else "а прочитать последние сообщения канала для проверки не удалось"
                    )
                    notes.append(
                        f"Ответ Telegram на {what} потерян ({type(error).__name__}), {where}. "
                        "Посмотрите канал, прежде чем публиковать снова: у Telegram нет "
                        "защиты от дублей, повторная отправка может опубликовать дважды."
                    )
                    status = PublishStatus.NEEDS_CHECK
                    break
                messages = found
                notes.append(f"Ответ Telegram на {what} потерян; сообщение найдено при проверке.")
            except GospagesError as error:
                if not sent:
                    raise
                notes.append(
                    f"Опубликована только часть: {what} не отправлено ({error}). "
                    "Допубликуйте остальное вручную."
                )
                status = PublishStatus.NEEDS_CHECK
                break
            sent.append(messages)
        return self._receipt(post, channel, plan, sent, status, notes)

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

    async def _recent_ids(self, channel: Any, schedule: datetime | None) -> set[int] | None:
        """Ids of the channel's recent (or scheduled) messages; ``None`` if unreadable."""
        try:
            if schedule is not None:
                source = self._client.iter_messages(channel, scheduled=True)
            else:
                source = self._client.iter_messages(channel, limit=_READ_BACK)
            return {int(m.id) async for m in _iterate("iter_messages", source)}
        except GospagesError:
            return None

    async def _find_sent(
        self,
        channel: Any,
        step: _Step,
        schedule: datetime | None,
        started: datetime,
        known: set[int],
    ) -> tuple[list[Any] | None, bool]:
        """Look for ``step`` among the recent (or scheduled) messages after a lost answer.

        Returns ``(its messages or None, whether the read-back worked)``.
        """
        try:
            if schedule is not None:
                source = self._client.iter_messages(channel, scheduled=True)
            else:
                source = self._client.iter_messages(channel, limit=_READ_BACK)
            recent = [m async for m in _iterate("iter_messages", source)]
        except GospagesError:
            return None, False
        candidates = [
            m
            for m in recent
            if isinstance(m, types.Message)
            and int(m.id) not in known
            and _sent_at(m, schedule, started)
        ]
        return _match(step, candidates), True

    def _receipt(
        self,
        post: Post,
        channel: Any,
        plan: _Plan,
        sent: list[list[Any]],
        status: PublishStatus,
        notes: list[str],
    ) -> PublishedPost:
        ids = [str(m.id) for group in sent for m in group]
        sentences = [_structure_note(plan), *notes]
        if post.publish_at is None:
            first = ids[0] if ids else None
            return PublishedPost(
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
        return PublishedPost(
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

    async def reply(self, comment: Comment, text: str) -> Comment:
        if not text.strip():
            raise ValidationError("Ответ не может быть пустым", platform=Platform.TELEGRAM)
        length = telegram_length(text)
        if length > TELEGRAM_LIMITS["text"]:
            raise ValidationError(
                f"Ответ длиннее {TELEGRAM_LIMITS['text']} символов ({length}): это лимит "
                "одного сообщения Telegram",
                platform=Platform.TELEGRAM,
            )
        parent = _message_id(comment.id)
        channel = await self._channel()
        self._own(comment, channel)
        group = await self._discussion_group("send_message")
        warnings.warn(
            "Ответ жителю в Telegram: " + FOREIGN_SERVICE_NOTICE,
            ForeignServiceWarning,
            stacklevel=2,
        )
        log.warning("telegram %s: ответ жителю в Telegram (41-ФЗ)", self._ref)
        before = await self._recent_ids(group, None)
        try:
            message = await _call(
                "send_message",
                lambda: self._client.send_message(group, text, reply_to=parent, send_as=channel),
            )
        except (NetworkError, ServerError) as error:
            message = await self._find_reply(group, parent, text, before)
            if message is None:
                raise OutcomeUnknown(
                    f"Ответ Telegram потерян ({type(error).__name__}), и ответ в ветке при "
                    "проверке не найден: посмотрите обсуждение, прежде чем отвечать снова",
                    platform=Platform.TELEGRAM,
                    method="send_message",
                ) from None
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

    async def _find_reply(self, group: Any, parent: int, text: str, before: set[int] | None) -> Any:
        """Our answer to ``parent`` among the group's newest messages, after a lost answer."""
        if before is None:
            return None
        try:
            source = self._client.iter_messages(group, limit=_READ_BACK)
            messages = [m async for m in _iterate("iter_messages", source)]
        except GospagesError:
            return None
        for message in messages:
            header = getattr(message, "reply_to", None)
            if (
                int(message.id) not in before
                and getattr(header, "reply_to_msg_id", None) == parent
                and (message.message or "").strip() == text.strip()
            ):
                return message
        return None

    async def delete_comment(self, comment: Comment) -> None:
        victim = _message_id(comment.id)
        channel = await self._channel()
        self._own(comment, channel)
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

    def _own(self, comment: Comment, channel: Any) -> None:
        self._check_own(comment, _page_of(channel), str(channel.id))


# -- parsing Telethon objects --------------------------------------------------------------


def _message_id(value: str | int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0:
        raise ValidationError(
            f"«{value}» — не номер сообщения Telegram", platform=Platform.TELEGRAM
        )
    return number


def _page_of(channel: Any) -> str:
    """The page id on receipts, posts and comments: the username, else the marked id."""
    return str(channel.username or utils.get_peer_id(types.PeerChannel(channel.id)))


def _in_range(date: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or date >= since) and (until is None or date <= until)


def _post_url(channel: Any, message_id: str) -> str:
    if channel.username:
        return f"https://t.me/{channel.username}/{message_id}"
    return f"https://t.me/c/{channel.id}/{message_id}"


def _media_kind(media: Any) -> str | None:
    if media is None:
        return None
    if isinstance(media, types.MessageMediaPhoto):
        return "photo"
    if isinstance(media, types.MessageMediaPoll):
        return "poll"
    if isinstance(media, types.MessageMediaWebPage):
        return "link"
    if isinstance(media, types.MessageMediaDocument):
        return "document"
    name = type(media).__name__
    return name.removeprefix("MessageMedia").lower() or None


def _reactions(message: Any) -> int | None:
    reactions = message.reactions
    if not isinstance(reactions, types.MessageReactions):
        return None
    return sum(int(r.count) for r in reactions.results)


def _post_from(album: Sequence[Any], channel: Any) -> PostSummary:
    """One post from a message, or from the messages of one album (same ``grouped_id``)."""
    ordered = sorted(album, key=lambda m: int(m.id))
    first = ordered[0]
    text = next((m.message for m in ordered if m.message), "")
    replies = [m.replies for m in ordered if isinstance(m.replies, types.MessageReplies)]
    views = [int(m.views) for m in ordered if m.views is not None]
    forwards = [int(m.forwards) for m in ordered if m.forwards is not None]
    likes = [n for n in (_reactions(m) for m in ordered) if n is not None]
    kinds = [k for k in (_media_kind(m.media) for m in ordered) if k]
    message_id = str(first.id)
    return PostSummary(
        platform=Platform.TELEGRAM,
        page=_page_of(channel),
        id=message_id,
        date=first.date,
        text=text,
        url=_post_url(channel, message_id),
        views=max(views) if views else None,
        likes=max(likes) if likes else None,
        reposts=max(forwards) if forwards else None,
        comments_count=max(int(r.replies) for r in replies) if replies else None,
        is_pinned=any(bool(m.pinned) for m in ordered),
        attachments=kinds,
        message_ids=[str(m.id) for m in ordered],
    )


def _comment_from(
    message: Any, page: str, post_id: str, channel: Any, roots: dict[int, int]
) -> Comment:
    """A comment from a message of the discussion group's thread of a post.

    A comment answering the post replies to the thread's top message (the group's copy
    of the post) and carries no ``reply_to_top_id``; an answer to a comment replies to
    that comment and carries the top id as ``reply_to_top_id``.
    """
    header = message.reply_to
    parent: int | None = None
    if (
        isinstance(header, types.MessageReplyHeader)
        and header.reply_to_top_id
        and header.reply_to_msg_id
        and header.reply_to_msg_id != header.reply_to_top_id
    ):
        parent = int(header.reply_to_msg_id)
    thread = roots.get(parent, parent) if parent is not None else None
    roots[int(message.id)] = thread if thread is not None else int(message.id)
    sender = message.from_id
    from_page = isinstance(sender, types.PeerChannel) and sender.channel_id == channel.id
    return Comment(
        platform=Platform.TELEGRAM,
        page=page,
        id=str(message.id),
        post_id=post_id,
        author_id=str(utils.get_peer_id(sender)) if sender is not None else None,
        date=message.date,
        text=message.message or "",
        parent_id=str(parent) if parent is not None else None,
        thread_id=str(thread) if thread is not None else None,
        from_page=from_page,
    )


def _profile_from(channel: Any, full: Any, group: Any) -> PageProfile:
    username = channel.username
    marked = utils.get_peer_id(types.PeerChannel(channel.id))
    has_photo = isinstance(channel.photo, types.ChatPhoto) or isinstance(
        full.chat_photo, types.Photo
    )
    members = full.participants_count
    if members is None:
        members = channel.participants_count
    extras: dict[str, Any] = {
        "channel_id": marked,
        "has_photo": has_photo,
        "verified": bool(channel.verified),
        "scam": bool(channel.scam),
        "fake": bool(channel.fake),
        "linked_chat_id": (
            utils.get_peer_id(types.PeerChannel(full.linked_chat_id))
            if full.linked_chat_id
            else None
        ),
        "linked_chat_title": group.title if group is not None else None,
        "linked_chat_username": group.username if group is not None else None,
        "admins_count": full.admins_count,
        "pinned_msg_id": full.pinned_msg_id,
    }
    return PageProfile(
        platform=Platform.TELEGRAM,
        id=str(marked),
        name=channel.title or "",
        screen_name=username,
        url=f"https://t.me/{username}" if username else None,
        description=full.about or "",
        avatar_url=None,
        members_count=members,
        comments_open=full.linked_chat_id is not None,
        wall_open=False,
        is_closed=not username,
        feedback_widgets=None,
        extras=extras,
    )


def _verification_from(channel: Any) -> Verification:
    marks = {
        "verified": bool(channel.verified),
        "scam": bool(channel.scam),
        "fake": bool(channel.fake),
    }
    page = _page_of(channel)
    not_gov_mark = (
        "Отметки «Госорганизация» (подтверждения через Госуслуги) в Telegram нет: она есть "
        "во ВКонтакте и Одноклассниках, а Telegram не входит в перечень 2523-р. "
    )
    if marks["scam"] or marks["fake"]:
        label = "SCAM (мошенничество)" if marks["scam"] else "FAKE (выдаёт себя за другого)"
        return Verification(
            platform=Platform.TELEGRAM,
            page=page,
            state=VerificationState.NOT_CONFIRMED,
            marks=marks,
            explanation=(
                f"Telegram пометил канал как {label}: подписчики видят предупреждение. "
                + not_gov_mark
            ),
        )
    tick = (
        "Галочка verified у канала есть, но это собственная проверка Telegram, а не госметка."
        if marks["verified"]
        else "Галочки verified (собственной проверки Telegram, не госметки) у канала нет."
    )
    return Verification(
        platform=Platform.TELEGRAM,
        page=page,
        state=VerificationState.UNKNOWN,
        marks=marks,
        explanation=not_gov_mark + tick,
    )


def _read_photo(photo: Any) -> bytes:
    try:
        data: bytes = photo.read()
    except ValueError as exc:
        raise ValidationError(str(exc), platform=Platform.TELEGRAM) from None
    if len(data) > TELEGRAM_LIMITS["photo_bytes"]:
        raise ValidationError(
            f"Фото {photo.name} больше {TELEGRAM_LIMITS['photo_bytes'] // (1024 * 1024)} МБ "
            "(лимит Telegram для фото)",
            platform=Platform.TELEGRAM,
        )
    return data


def _input_poll(poll: Poll) -> Any:
    """A ``types.InputMediaPoll``; channel polls are always anonymous."""
    return types.InputMediaPoll(
        poll=types.Poll(
            id=0,
            question=types.TextWithEntities(text=poll.question, entities=[]),
            answers=[
                types.InputPollAnswer(text=types.TextWithEntities(text=answer, entities=[]))
                for answer in poll.answers
            ],
            hash=0,
            multiple_choice=poll.multiple or None,
        )
    )


def _sent_at(message: Any, schedule: datetime | None, started: datetime) -> bool:
    if schedule is not None:
        return int(message.date.timestamp()) == int(schedule.timestamp())
    return bool(message.date >= started - _CLOCK_SKEW)


def _match(step: _Step, candidates: list[Any]) -> list[Any] | None:
    """The messages among ``candidates`` (newest first) that are ``step``, or ``None``."""
    if step.kind == "text":
        for message in candidates:
            if _media_kind(message.media) in (None, "link") and (
                (message.message or "").strip() == step.text.strip()
            ):
                return [message]
        return None
    if step.kind == "poll":
        assert step.poll is not None
        for message in candidates:
            media = message.media
            if isinstance(media, types.MessageMediaPoll):
                question = media.poll.question
                text = question.text if isinstance(question, types.TextWithEntities) else question
                if text == step.poll.question:
                    return [message]
        return None
    albums: dict[Any, list[Any]] = {}
    for message in candidates:
        if _media_kind(message.media) != "photo":
            continue
        key = message.grouped_id if message.grouped_id is not None else ("single", message.id)
        albums.setdefault(key, []).append(message)
    for group in albums.values():  # newest first
        ordered = sorted(group, key=lambda m: int(m.id))
        caption = next((m.message for m in ordered if m.message), "")
        if len(ordered) == len(step.photos) and caption.strip() == step.text.strip():
            return ordered
    return None


def _structure_note(plan: _Plan) -> str:
    """One sentence saying how the post went out: split or not, into how many messages."""
    count = sum(len(step.photos) or 1 for step in plan.steps)
    if plan.split:
        parts = [
            f"Текст длиннее лимита Telegram и разбит на {plan.text_parts} "
            f"{_plural(plan.text_parts, 'часть', 'части', 'частей')} по границам абзацев "
            "и предложений"
        ]
    elif plan.text_parts:
        parts = ["Текст не разбивался"]
    else:
        parts = ["Без текста"]
    photos = next((len(s.photos) for s in plan.steps if s.kind == "photos"), 0)
    if photos > 1:
        parts.append(f"{photos} фото — альбомом")
    elif photos:
        parts.append("фото — с подписью из начала текста" if plan.text_parts else "фото")
    if any(s.kind == "poll" for s in plan.steps):
        parts.append("опрос — отдельным сообщением")
    return (
        "; ".join(parts)
        + f"; всего {count} {_plural(count, 'сообщение', 'сообщения', 'сообщений')}."
    )


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
