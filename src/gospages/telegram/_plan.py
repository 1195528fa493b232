"""Planning a publication as Telegram messages: the text cut to Telegram's limits, photos
as an album, a poll apart; and matching sent messages to the plan after a lost answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from telethon.tl import types

from .._models import Photo, Poll, Post
from .._platforms import PostLimits
from .._text import split_text
from ._parse import _media_kind

__all__: list[str] = []

_CLOCK_SKEW = timedelta(minutes=2)


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


def message_text(post: Post) -> str:
    """The text Telegram gets: the post's text with its links appended (a link already
    in the text is not repeated)."""
    text = post.text.strip()
    for link in post.links:
        url = str(link.url)
        if url not in text:
            text = f"{text}\n\n{url}" if text else url
    return text


def long_text_problem(post: Post, limits: PostLimits) -> str | None:
    """Why a text over Telegram's limit is refused (``long_text="refuse"``), or ``None``."""
    text = message_text(post)
    length = limits.length(text)
    limit = limits.text_limit(post)
    if limit is None or length <= limit:
        return None
    what = "подпись к фото" if post.photos else "текст сообщения"
    return (
        f"{what} длиннее {limit} символов ({length}); лимит Telegram — {limit} "
        f"символов для {'подписи' if post.photos else 'сообщения'}. Сократите текст или "
        'создайте канал с long_text="split"'
    )


MAX_PARTS = 10
"""How many messages a long text may be split into by default (`TelegramChannel.max_parts`)."""


def text_parts(post: Post, limits: PostLimits) -> int:
    """How many messages the text of ``post`` goes out as (the photos' caption counted)."""
    text = message_text(post)
    if not text:
        return 0
    text_limit = limits.text or 4096
    if post.photos:
        return len(split_text(text, text_limit, first_limit=limits.caption or text_limit))
    return len(split_text(text, text_limit))


def too_many_parts(post: Post, limits: PostLimits, max_parts: int) -> str | None:
    """Why a text that splits into more than ``max_parts`` messages is refused, or ``None``.

    Checked before anything is sent: a 10 MB text would otherwise go out as thousands of
    messages."""
    length = limits.length(message_text(post))
    text_limit = limits.text or 4096
    if length <= text_limit:
        return None  # one message (or a caption and one message): nothing to count
    # Each part holds at most text_limit characters: that many parts at least, found
    # without cutting a huge text.
    least = -(-length // text_limit)
    if least > max_parts:
        parts, about = least, "не меньше чем "
    else:
        parts, about = text_parts(post, limits), ""
    if parts <= max_parts:
        return None
    return (
        f"текст разбился бы {about}на {parts} сообщений, а допустимо не больше {max_parts} "
        "(TelegramChannel.max_parts). Сократите текст, опубликуйте его ссылкой или "
        "увеличьте max_parts"
    )


def plan_messages(post: Post, limits: PostLimits, read_photo: Callable[[Photo], bytes]) -> _Plan:
    """The messages ``post`` goes out as. Limits are checked before: this only cuts."""
    text = message_text(post)
    plan = _Plan()
    text_limit = limits.text or 4096
    images = [(photo.name, read_photo(photo)) for photo in post.photos]
    if images:
        caption_limit = limits.caption or text_limit
        parts = split_text(text, text_limit, first_limit=caption_limit) if text else []
        caption = parts.pop(0) if parts else ""
        plan.steps.append(_Step("photos", text=caption, photos=tuple(images)))
        plan.steps.extend(_Step("text", text=part) for part in parts)
        plan.text_parts = (1 if caption else 0) + len(parts)
    elif text:
        parts = split_text(text, text_limit)
        plan.steps.extend(_Step("text", text=part) for part in parts)
        plan.text_parts = len(parts)
    for poll in post.polls:
        plan.steps.append(_Step("poll", poll=poll))
        if not poll.anonymous:
            plan.notes.append(
                "Опрос отправлен анонимным: в каналах Telegram голоса всегда анонимны."
            )
    return plan


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
