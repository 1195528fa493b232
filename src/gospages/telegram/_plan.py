"""Planning a publication as Telegram messages: the text cut to Telegram's limits
(`gospages._parts`, shared with MAX), photos as an album, a poll apart; and matching
sent messages to the plan after a lost answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from telethon.tl import types

from .._models import Photo, Poll, Post
from .._parts import split_post_text, split_sentence
from .._platforms import PostLimits
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


def plan_messages(post: Post, limits: PostLimits, read_photo: Callable[[Photo], bytes]) -> _Plan:
    """The messages ``post`` goes out as. Limits are checked before: this only cuts."""
    plan = _Plan()
    parts = split_post_text(post, limits)
    plan.text_parts = len(parts)
    images = [(photo.name, read_photo(photo)) for photo in post.photos]
    if images:
        caption = parts.pop(0) if parts else ""
        plan.steps.append(_Step("photos", text=caption, photos=tuple(images)))
    plan.steps.extend(_Step("text", text=part) for part in parts)
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
    parts = [split_sentence(plan.text_parts, "Telegram")]
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
