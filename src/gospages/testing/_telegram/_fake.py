"""A stateful fake of Telegram behind `gospages.telegram.TelegramAPI`.

MTProto is not HTTP and Telethon ships no fake server, so this fake stands in for the
protocol the channel talks to, and answers with the objects Telethon itself returns:
``types.Channel``, ``types.messages.ChatFull`` with a ``types.ChannelFull``,
``types.Message`` with ``PeerChannel``, ``MessageReplyHeader``, ``MessageReplies`` ...
Errors are Telethon's own, built the way Telethon builds them from Telegram's answer
(``errors.rpc_message_to_error``), so ``FLOOD_WAIT_120`` arrives as a ``FloodWaitError``
with ``seconds=120``.

What it models, after the project's record of the Telegram API (``platform-apis.md``):

* a channel and its linked discussion supergroup; each post gets a copy in the group
  (the thread's top message) and comments are group messages replying into that thread
  (``reply_to_top_id`` set for an answer to a comment); deleted messages disappear;
* ``iter_messages(channel, reply_to=post)`` as ``messages.getReplies``; scheduled messages
  apart from the history, with their own ids, published by `FakeTelegram.publish_scheduled`;
* the client's configured behaviour: flood waits up to ``flood_sleep_threshold`` are
  slept on the fake's clock (recorded in `FakeTelegram.slept`; virtual by default, so no
  real wait) and retried, like internal
  errors, up to ``request_retries`` times; longer waits are raised;
* limits (4096 characters a message, 1024 a caption, 10 photos an album), admin rights,
  a lost answer (the write is done, then the connection drops) and a revoked session.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from telethon import errors, functions, utils
from telethon.tl import types

from ..._clock import Clock, VirtualClock
from .._base import UnsupportedByFake
from ._model import (
    _ALBUM_LIMIT,
    _CAPTION_LIMIT,
    _INTERNAL_SLEEP,
    _METHODS,
    _R,
    _RETRIED,
    _SCHEDULE_LIMIT,
    _TEXT_LIMIT,
    FakeTelegramChat,
    FakeTelegramMessage,
    TelegramCall,
    _DatetimeClock,
    _Fault,
    _rpc,
    _utf16,
)
from ._objects import _TelethonObjects

__all__ = ["FakeTelegram"]


class FakeTelegram(_TelethonObjects):
    """A fake Telegram account with channels, discussion groups, posts and comments.

    >>> fake = FakeTelegram()
    >>> channel = fake.add_channel(1001, "Администрация Энска", username="ensk_adm")
    >>> group = fake.add_discussion_group(1001, 2001, "Обсуждение")
    >>> post = fake.add_post(1001, "Приём граждан в пятницу")
    >>> question = fake.add_comment(1001, post.id, "А во сколько?", from_user=5001)
    >>> TelegramChannel("ensk_adm", client=fake)  # doctest: +SKIP

    Args:
        flood_sleep_threshold: flood waits up to this many seconds are slept through
            (recorded in `slept`) and retried, as ``TelegramClient`` does; longer ones
            are raised.
        request_retries: how many times the "client" repeats a request after an internal
            error or a short flood wait before raising the last error.
        clock: the fake's time, for dates and scheduled messages and the waits it sleeps
            through (a `~gospages.VirtualClock` of its own by default: no real waiting).
        now: deprecated: a function returning the current aware datetime.
    """

    SAMPLE_CHANNEL = "ensk_adm"
    """The username of the channel `sample` builds."""

    def __init__(
        self,
        *,
        flood_sleep_threshold: int = 60,
        request_retries: int = 3,
        now: Callable[[], datetime] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.flood_sleep_threshold = flood_sleep_threshold
        self.request_retries = request_retries
        if now is not None:
            if clock is not None:
                raise TypeError("FakeTelegram: укажите либо now, либо clock")
            warnings.warn(
                "FakeTelegram(now=функция) устарел: передайте clock=gospages.VirtualClock()",
                DeprecationWarning,
                stacklevel=2,
            )
            clock = _DatetimeClock(now)
        self.clock: Clock = clock or VirtualClock()
        """The fake's time; a `TelegramChannel` on this fake reads back against it."""
        self.reset()

    # -- state -------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything: chats, messages, recorded calls, queued faults."""
        self.chats: dict[int, FakeTelegramChat] = {}
        self.calls: list[TelegramCall] = []
        self.slept: list[int] = []
        """Seconds slept on `clock` through flood waits and internal errors, one per wait."""
        self.disconnects = 0
        self.revoked = False
        self._faults: dict[str, list[_Fault]] = {}
        self._lost_with: BaseException = ConnectionError("fake: connection lost after sending")
        self._grouped = itertools.count(7_000_000_000)
        self._media_ids = itertools.count(5_000_000_000)
        self._pts = itertools.count(100)

    def now(self) -> datetime:
        """The fake's current time, in whole seconds like Telegram's dates."""
        return datetime.fromtimestamp(int(self.clock.time()), tz=timezone.utc)

    def add_channel(
        self,
        channel_id: int,
        title: str,
        *,
        username: str | None = None,
        about: str = "",
        participants: int = 0,
        verified: bool = False,
        scam: bool = False,
        fake: bool = False,
        photo: bool = True,
        admin: bool = True,
    ) -> FakeTelegramChat:
        """Add a broadcast channel; ``admin`` says whether the account administers it."""
        chat = FakeTelegramChat(
            id=channel_id,
            title=title,
            username=username,
            about=about,
            participants=participants,
            verified=verified,
            scam=scam,
            fake=fake,
            photo=photo,
            admin=admin,
            access_hash=channel_id * 7919,
        )
        self.chats[channel_id] = chat
        return chat

    def add_discussion_group(
        self,
        channel_id: int,
        group_id: int,
        title: str,
        *,
        username: str | None = None,
        admin: bool = True,
        can_write: bool = True,
    ) -> FakeTelegramChat:
        """Add a supergroup and link it to the channel as its discussion group.

        Posts added afterwards get a comment thread; earlier ones have none, as in
        Telegram.
        """
        channel = self._chat(channel_id)
        group = FakeTelegramChat(
            id=group_id,
            title=title,
            username=username,
            broadcast=False,
            admin=admin,
            can_write=can_write,
            linked=channel_id,
            access_hash=group_id * 7919,
        )
        self.chats[group_id] = group
        channel.linked = group_id
        return group

    def add_post(
        self,
        channel_id: int,
        text: str,
        *,
        date: datetime | None = None,
        views: int = 0,
        forwards: int = 0,
        reactions: int = 0,
        pinned: bool = False,
        photos: int = 0,
    ) -> FakeTelegramMessage:
        """Add a published post; ``photos`` > 1 makes an album (one message per photo,
        the text on the first). Returns the (first) message."""
        channel = self._chat(channel_id)
        when = (date or self.now()).astimezone(timezone.utc).replace(microsecond=0)
        messages = self._post(channel, text, photos=max(photos, 0), date=when, scheduled=False)
        for message in messages:
            message.views, message.forwards = views, forwards
            message.reactions, message.pinned = reactions, pinned
        return messages[0]

    def add_service_message(self, channel_id: int, *, date: datetime | None = None) -> None:
        """Add a service message (a pinned-message notice) to the channel's history."""
        channel = self._chat(channel_id)
        channel.messages.append(
            FakeTelegramMessage(
                id=self._next_id(channel),
                chat=channel.id,
                date=(date or self.now()).replace(microsecond=0),
                action=types.MessageActionPinMessage(),
            )
        )

    def add_comment(
        self,
        channel_id: int,
        post_id: int,
        text: str,
        *,
        from_user: int | None = None,
        reply_to: int | None = None,
        date: datetime | None = None,
    ) -> FakeTelegramMessage:
        """Add a comment under a post: from a user, or from the channel itself when
        ``from_user`` is ``None``. ``reply_to`` is a comment (a group message id)."""
        channel = self._chat(channel_id)
        group, top = self._thread(channel, post_id)
        parent = top
        if reply_to is not None:
            parent = self._message(group, reply_to)
        author = ("user", from_user) if from_user is not None else ("channel", channel.id)
        when = (date or self.now()).replace(microsecond=0)
        return self._comment(group, parent, top, text, author, when)

    def thread_top(self, channel_id: int, post_id: int) -> FakeTelegramMessage:
        """The discussion group's copy of a post: the top message of its thread."""
        return self._thread(self._chat(channel_id), post_id)[1]

    def comments_of(self, channel_id: int, post_id: int) -> list[FakeTelegramMessage]:
        """The comments under a post, oldest first."""
        group, top = self._thread(self._chat(channel_id), post_id)
        return [m for m in group.messages if m.top_id == top.id]

    def publish_scheduled(self, *, until: datetime | None = None) -> list[FakeTelegramMessage]:
        """Publish the scheduled messages due by ``until`` (now): they get new ids."""
        due_by = until or self.now()
        published: list[FakeTelegramMessage] = []
        for chat in self.chats.values():
            due = sorted((m for m in chat.scheduled if m.date <= due_by), key=lambda m: m.id)
            for message in due:
                chat.scheduled.remove(message)
                message.id = self._next_id(chat)
                message.scheduled = False
                chat.messages.append(message)
                if chat.linked is not None and chat.broadcast:
                    self._copy_to_group(chat, message)
                published.append(message)
        return published

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        code: int | None = None,
        exception: BaseException | None = None,
        lose_response: bool = False,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (a protocol method) fail.

        ``error`` is Telegram's error name (``"FLOOD_WAIT_120"``, ``"CHAT_ADMIN_REQUIRED"``,
        ``"INTERNAL"`` with ``code=500``); it becomes the Telethon error Telethon would
        raise, and goes through the client's flood/internal-error retries like a real
        answer. ``exception`` raises it before anything is done (``ConnectionError()``).
        ``lose_response`` does the call and then drops the answer: ``exception`` (a
        ``ConnectionError`` by default) is raised after the write is committed.
        """
        if error is None and exception is None and not lose_response:
            raise ValueError("fail_next: укажите error, exception или lose_response=True")
        if method not in _METHODS:
            raise UnsupportedByFake(f"FakeTelegram has no method {method!r}")
        for _ in range(times):
            self._faults.setdefault(method, []).append(
                _Fault(error=error, code=code, exception=exception, lose_response=lose_response)
            )

    def revoke_session(self) -> None:
        """Terminate the session: every call answers ``AUTH_KEY_UNREGISTERED``."""
        self.revoked = True

    def calls_of(self, method: str) -> list[TelegramCall]:
        return [c for c in self.calls if c.method == method]

    @classmethod
    def sample(cls, **kwargs: Any) -> FakeTelegram:
        """A sandbox: the channel ``@ensk_adm`` (id 1001) with the discussion group 2001,
        a week of posts (one an album), questions, a thread, and the account an admin."""
        fake = cls(**kwargs)
        now = fake.now()
        fake.add_channel(
            1001,
            "Администрация города Энска",
            username=cls.SAMPLE_CHANNEL,
            about=(
                "Официальный канал администрации города Энска. Приёмная: +7 (38241) 2-11-00, "
                "adm@ensk.example.ru. Сайт: https://ensk.example.ru"
            ),
            participants=491,
        )
        fake.add_discussion_group(1001, 2001, "Энск: обсуждение новостей")
        fake.add_post(
            1001,
            "Ремонт моста через Энку завершится к 1 июля.",
            date=now - timedelta(days=6),
            views=880,
            reactions=31,
        )
        album = fake.add_post(
            1001,
            "Субботник в парке Победы: спасибо всем, кто пришёл!",
            date=now - timedelta(days=3),
            views=1200,
            reactions=64,
            photos=3,
        )
        fake.add_comment(1001, album.id, "Отличная работа!", from_user=5003)
        fake.add_service_message(1001, date=now - timedelta(days=2))
        news = fake.add_post(
            1001,
            "Приём граждан главой города — в пятницу с 10:00 в здании администрации.",
            date=now - timedelta(days=1),
            views=640,
            reactions=12,
            forwards=5,
        )
        question = fake.add_comment(1001, news.id, "А записываться заранее нужно?", from_user=5001)
        answer = fake.add_comment(1001, news.id, "Да, по телефону приёмной.", reply_to=question.id)
        fake.add_comment(1001, news.id, "Спасибо!", from_user=5001, reply_to=answer.id)
        fake.add_comment(1001, news.id, "Заработок от 5000 в день, пиши в личку", from_user=5002)
        return fake

    # -- the protocol --------------------------------------------------------------------

    async def get_entity(self, entity: str | int) -> Any:
        if isinstance(entity, str):
            request = functions.contacts.ResolveUsernameRequest(username=entity)
            await self._enter("get_entity", None, {"entity": entity}, request)
            wanted = entity.lstrip("@").casefold()
            for chat in self.chats.values():
                if chat.username and chat.username.casefold() == wanted:
                    return self._channel_obj(chat)
            raise _rpc(400, "USERNAME_NOT_OCCUPIED", request)
        await self._enter("get_entity", None, {"entity": entity}, None)
        bare, kind = utils.resolve_id(int(entity))
        found = self.chats.get(bare) if kind is types.PeerChannel else None
        if found is None:
            # What Telethon says about an id it has no access hash for.
            raise ValueError(f"Could not find the input entity for {kind.__name__}({bare})")
        return self._channel_obj(found)

    async def get_full_channel(self, channel: Any) -> Any:
        chat = self._known(channel)
        request = functions.channels.GetFullChannelRequest(channel=self._input(chat))
        await self._enter("get_full_channel", chat.id, {}, request)
        chats = [self._channel_obj(chat)]
        if chat.linked is not None and chat.linked in self.chats:
            chats.append(self._channel_obj(self.chats[chat.linked]))
        photo: Any = (
            types.Photo(
                id=chat.id * 13,
                access_hash=chat.access_hash,
                file_reference=b"",
                date=None,
                sizes=[types.PhotoSize(type="c", w=640, h=640, size=40_000)],
                dc_id=2,
            )
            if chat.photo
            else types.PhotoEmpty(id=0)
        )
        full = types.ChannelFull(
            id=chat.id,
            about=chat.about,
            read_inbox_max_id=0,
            read_outbox_max_id=0,
            unread_count=0,
            chat_photo=photo,
            notify_settings=types.PeerNotifySettings(),
            bot_info=[],
            pts=next(self._pts),
            can_view_participants=chat.admin,
            participants_count=chat.participants,
            admins_count=1 if chat.admin else None,
            linked_chat_id=chat.linked,
            pinned_msg_id=chat.pinned_msg_id,
            can_view_stats=chat.admin,
        )
        return types.messages.ChatFull(full_chat=full, chats=chats, users=[])

    async def iter_messages(
        self,
        entity: Any,
        *,
        limit: int | None = None,
        offset_date: datetime | None = None,
        reply_to: int | None = None,
        reverse: bool = False,
        scheduled: bool = False,
    ) -> AsyncIterator[Any]:
        chat = self._known(entity)
        peer = self._input_peer(chat)
        params = {"limit": limit, "offset_date": offset_date, "reply_to": reply_to}
        params.update(reverse=reverse, scheduled=scheduled)
        if scheduled:
            request: Any = functions.messages.GetScheduledHistoryRequest(peer=peer, hash=0)
        elif reply_to is not None:
            request = functions.messages.GetRepliesRequest(
                peer=peer,
                msg_id=reply_to,
                offset_id=0,
                offset_date=offset_date,
                add_offset=0,
                limit=100,
                max_id=0,
                min_id=0,
                hash=0,
            )
        else:
            request = functions.messages.GetHistoryRequest(
                peer=peer,
                offset_id=0,
                offset_date=offset_date,
                add_offset=0,
                limit=100,
                max_id=0,
                min_id=0,
                hash=0,
            )
        await self._enter("iter_messages", chat.id, params, request)
        if scheduled:
            source, where = list(chat.scheduled), chat
        elif reply_to is not None:
            if not chat.broadcast or chat.linked is None:
                raise _rpc(400, "MSG_ID_INVALID", request)
            where, top = self._thread(chat, reply_to, request)
            source = [m for m in where.messages if m.top_id == top.id]
        else:
            source, where = list(chat.messages), chat
        ordered = sorted(source, key=lambda m: m.id, reverse=not reverse)
        if offset_date is not None and not scheduled:
            if reverse:
                ordered = [m for m in ordered if m.date > offset_date]
            else:
                ordered = [m for m in ordered if m.date < offset_date]
        if limit is not None:
            ordered = ordered[:limit]
        for message in ordered:
            yield self._message_obj(where, message)

    async def send_message(
        self,
        entity: Any,
        text: str,
        *,
        reply_to: int | None = None,
        send_as: Any | None = None,
        schedule: datetime | None = None,
    ) -> Any:
        chat = self._known(entity)
        request = functions.messages.SendMessageRequest(peer=self._input_peer(chat), message=text)
        params = {"text": text, "reply_to": reply_to, "schedule": schedule}
        params["send_as"] = getattr(send_as, "id", None)
        lost = await self._enter("send_message", chat.id, params, request)
        body = text.strip()
        if not body:
            raise _rpc(400, "MESSAGE_EMPTY", request)
        if _utf16(body) > _TEXT_LIMIT:
            raise _rpc(400, "MESSAGE_TOO_LONG", request)
        when = self._check_schedule(schedule, request)
        if chat.broadcast:
            if reply_to is not None or send_as is not None:
                raise UnsupportedByFake("FakeTelegram: replies inside a channel")
            self._require_admin(chat, request)
            message = self._post(chat, body, photos=0, date=when, scheduled=schedule is not None)[0]
        else:
            message = self._group_message(chat, body, reply_to, send_as, when, request)
        return self._lose_or(lost, self._message_obj(chat, message))

    async def send_photos(
        self,
        entity: Any,
        photos: Sequence[tuple[str, bytes]],
        *,
        caption: str = "",
        schedule: datetime | None = None,
    ) -> list[Any]:
        chat = self._known(entity)
        peer = self._input_peer(chat)
        request: Any = (
            functions.messages.SendMediaRequest(
                peer=peer, media=types.InputMediaEmpty(), message=caption
            )
            if len(photos) == 1
            else functions.messages.SendMultiMediaRequest(peer=peer, multi_media=[])
        )
        params: dict[str, Any] = {"photos": [name for name, _ in photos], "caption": caption}
        params["schedule"] = schedule
        lost = await self._enter("send_photos", chat.id, params, request)
        if not photos or any(not data for _, data in photos):
            raise _rpc(400, "MEDIA_EMPTY", request)
        if len(photos) > _ALBUM_LIMIT:
            raise _rpc(400, "MULTI_MEDIA_TOO_LONG", request)
        if _utf16(caption.strip()) > _CAPTION_LIMIT:
            raise _rpc(400, "MEDIA_CAPTION_TOO_LONG", request)
        when = self._check_schedule(schedule, request)
        if not chat.broadcast:
            raise UnsupportedByFake("FakeTelegram: photos in a group")
        self._require_admin(chat, request)
        messages = self._post(
            chat, caption.strip(), photos=len(photos), date=when, scheduled=schedule is not None
        )
        return self._lose_or(lost, [self._message_obj(chat, m) for m in messages])

    async def send_poll(self, entity: Any, poll: Any, *, schedule: datetime | None = None) -> Any:
        chat = self._known(entity)
        request = functions.messages.SendMediaRequest(
            peer=self._input_peer(chat), media=poll, message=""
        )
        lost = await self._enter(
            "send_poll", chat.id, {"poll": poll, "schedule": schedule}, request
        )
        if not isinstance(poll, types.InputMediaPoll):
            raise UnsupportedByFake("FakeTelegram.send_poll takes a types.InputMediaPoll")
        if chat.broadcast and poll.poll.public_voters:
            raise _rpc(400, "BROADCAST_PUBLIC_VOTERS_FORBIDDEN", request)
        if not 2 <= len(poll.poll.answers) <= 10:
            raise _rpc(400, "POLL_ANSWERS_INVALID", request)
        when = self._check_schedule(schedule, request)
        self._require_admin(chat, request)
        media = types.MessageMediaPoll(
            poll=types.Poll(
                id=next(self._media_ids),
                question=poll.poll.question,
                answers=[
                    types.PollAnswer(text=answer.text, option=bytes([index]))
                    for index, answer in enumerate(poll.poll.answers)
                ],
                hash=0,
                multiple_choice=poll.poll.multiple_choice,
            ),
            results=types.PollResults(results=[], total_voters=0),
        )
        message = self._post(chat, "", photos=0, date=when, scheduled=schedule is not None)[0]
        message.media = media
        return self._lose_or(lost, self._message_obj(chat, message))

    async def delete_messages(self, entity: Any, ids: Sequence[int]) -> list[Any]:
        chat = self._known(entity)
        request = functions.channels.DeleteMessagesRequest(channel=self._input(chat), id=list(ids))
        lost = await self._enter("delete_messages", chat.id, {"ids": list(ids)}, request)
        if not chat.admin:
            raise _rpc(403, "MESSAGE_DELETE_FORBIDDEN", request)
        gone = [m for m in chat.messages if m.id in set(ids)]
        for message in gone:
            chat.messages.remove(message)
        affected = types.messages.AffectedMessages(pts=next(self._pts), pts_count=len(gone))
        return self._lose_or(lost, [affected])

    async def disconnect(self) -> None:
        self.disconnects += 1

    # -- the client's behaviour ----------------------------------------------------------

    async def _enter(
        self, method: str, chat: int | None, params: dict[str, Any], request: Any
    ) -> bool:
        """Record the call and play its queued faults; ``True`` if its answer is lost."""
        self.calls.append(TelegramCall(method, chat, params))
        if self.revoked:
            raise _rpc(401, "AUTH_KEY_UNREGISTERED", request)
        faults = self._faults.get(method) or []
        last: BaseException | None = None
        for _attempt in range(self.request_retries + 1):
            if not faults:
                return False
            fault = faults.pop(0)
            if fault.error is None:
                if fault.lose_response:
                    self._lost_with = fault.exception or ConnectionError(
                        "fake: connection lost after sending"
                    )
                    return True
                assert fault.exception is not None
                raise fault.exception
            error = _rpc(fault.code, fault.error, request)
            seconds = getattr(error, "seconds", None)
            if isinstance(error, _RETRIED):
                wait = _INTERNAL_SLEEP
            elif isinstance(error, errors.FloodError) and seconds is not None:
                if seconds > self.flood_sleep_threshold:
                    raise error
                wait = max(int(seconds), 1)
            else:
                raise error
            self.slept.append(wait)
            await self.clock.sleep(wait)
            last = error
        assert last is not None
        raise last  # retries used up: Telethon (raise_last_call_error=True) raises the last

    def _lose_or(self, lost: bool, result: _R) -> _R:
        if lost:
            raise self._lost_with
        return result

    # -- internals -----------------------------------------------------------------------

    def _chat(self, chat_id: int) -> FakeTelegramChat:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise KeyError(f"FakeTelegram: no chat {chat_id}") from None

    def _known(self, entity: Any) -> FakeTelegramChat:
        if not isinstance(entity, types.Channel):
            raise UnsupportedByFake(
                f"FakeTelegram takes the types.Channel from get_entity, not {type(entity)}"
            )
        chat = self.chats.get(entity.id)
        if chat is None:
            raise _rpc(400, "CHANNEL_INVALID", None)
        return chat

    def _require_admin(self, chat: FakeTelegramChat, request: Any) -> None:
        if not chat.admin:
            raise _rpc(400, "CHAT_ADMIN_REQUIRED", request)

    def _check_schedule(self, schedule: datetime | None, request: Any) -> datetime:
        now = self.now()
        if schedule is None:
            return now
        when = schedule.astimezone(timezone.utc).replace(microsecond=0)
        if when <= now:
            raise _rpc(400, "SCHEDULE_DATE_INVALID", request)
        if when - now > _SCHEDULE_LIMIT:
            raise _rpc(400, "SCHEDULE_DATE_TOO_LATE", request)
        return when

    def _next_id(self, chat: FakeTelegramChat) -> int:
        return max((m.id for m in chat.messages), default=0) + 1

    def _next_scheduled_id(self, chat: FakeTelegramChat) -> int:
        return max((m.id for m in chat.scheduled), default=0) + 1

    def _post(
        self,
        channel: FakeTelegramChat,
        text: str,
        *,
        photos: int,
        date: datetime,
        scheduled: bool,
    ) -> list[FakeTelegramMessage]:
        grouped = next(self._grouped) if photos > 1 else None
        messages = []
        for index in range(max(photos, 1)):
            media = self._photo(date) if photos else None
            message = FakeTelegramMessage(
                id=self._next_scheduled_id(channel) if scheduled else self._next_id(channel),
                chat=channel.id,
                date=date,
                text=text if index == 0 else "",
                media=media,
                grouped_id=grouped,
                views=None if scheduled else 0,
                forwards=None if scheduled else 0,
                scheduled=scheduled,
            )
            (channel.scheduled if scheduled else channel.messages).append(message)
            messages.append(message)
        if not scheduled and channel.linked is not None:
            self._copy_to_group(channel, messages[0])
        return messages

    def _copy_to_group(self, channel: FakeTelegramChat, post: FakeTelegramMessage) -> None:
        """Telegram forwards each post to the discussion group: the thread's top message."""
        group = self.chats.get(channel.linked or 0)
        if group is None:
            return
        group.messages.append(
            FakeTelegramMessage(
                id=self._next_id(group),
                chat=group.id,
                date=post.date,
                text=post.text,
                from_peer=("channel", channel.id),
                media=post.media,
                forwarded_post=post.id,
            )
        )

    def _photo(self, date: datetime) -> Any:
        return types.MessageMediaPhoto(
            photo=types.Photo(
                id=next(self._media_ids),
                access_hash=1,
                file_reference=b"",
                date=date,
                sizes=[types.PhotoSize(type="x", w=800, h=600, size=60_000)],
                dc_id=2,
            )
        )

    def _thread(
        self, channel: FakeTelegramChat, post_id: int, request: Any = None
    ) -> tuple[FakeTelegramChat, FakeTelegramMessage]:
        group = self.chats.get(channel.linked or 0)
        if group is None:
            raise _rpc(400, "MSG_ID_INVALID", request)
        # An album's thread hangs on its first message.
        post = next((m for m in channel.messages if m.id == post_id), None)
        if post is not None and post.grouped_id is not None:
            post_id = min(m.id for m in channel.messages if m.grouped_id == post.grouped_id)
        top = next((m for m in group.messages if m.forwarded_post == post_id), None)
        if top is None:
            raise _rpc(400, "MSG_ID_INVALID", request)
        return group, top

    def _message(self, chat: FakeTelegramChat, message_id: int) -> FakeTelegramMessage:
        for message in chat.messages:
            if message.id == message_id:
                return message
        raise KeyError(f"FakeTelegram: no message {message_id} in chat {chat.id}")

    def _comment(
        self,
        group: FakeTelegramChat,
        parent: FakeTelegramMessage,
        top: FakeTelegramMessage,
        text: str,
        author: tuple[str, int],
        date: datetime,
    ) -> FakeTelegramMessage:
        comment = FakeTelegramMessage(
            id=self._next_id(group),
            chat=group.id,
            date=date,
            text=text,
            from_peer=author,
            reply_to=parent.id,
            top_id=top.id,
        )
        group.messages.append(comment)
        return comment

    def _group_message(
        self,
        group: FakeTelegramChat,
        text: str,
        reply_to: int | None,
        send_as: Any,
        date: datetime,
        request: Any,
    ) -> FakeTelegramMessage:
        if not group.can_write:
            raise _rpc(403, "CHAT_WRITE_FORBIDDEN", request)
        author: tuple[str, int] = ("user", 777)
        if send_as is not None:
            owner = self.chats.get(getattr(send_as, "id", 0))
            if owner is None or owner.linked != group.id or not owner.admin:
                raise _rpc(400, "SEND_AS_PEER_INVALID", request)
            author = ("channel", owner.id)
        if reply_to is None:
            raise UnsupportedByFake("FakeTelegram: a group message that answers nothing")
        parent = next((m for m in group.messages if m.id == reply_to), None)
        if parent is None:
            raise _rpc(400, "REPLY_MESSAGE_ID_INVALID", request)
        top = parent if parent.forwarded_post is not None else None
        if top is None and parent.top_id is not None:
            top = next(m for m in group.messages if m.id == parent.top_id)
        if top is None:
            raise UnsupportedByFake("FakeTelegram: a reply outside the comment threads")
        return self._comment(group, parent, top, text, author, date)
