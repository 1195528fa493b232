"""The typed models every platform speaks.

Two kinds of models live here:

* our inputs (`Post`, `Photo`, `Link`, `Poll`) are strict:
  an unknown field or a wrong value is an error with a clear message;
* what the platforms return (`PageProfile`, `PostSummary`, `Comment` ...)
  is tolerant: a field a platform adds tomorrow breaks nobody.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from ._platforms import Platform

__all__ = [
    "Capabilities",
    "Comment",
    "FeedbackWidget",
    "Link",
    "Operation",
    "PageProfile",
    "Photo",
    "Platform",
    "Poll",
    "Post",
    "PostSummary",
    "PublishStatus",
    "PublishedPost",
    "Verification",
    "VerificationState",
]


class _Input(BaseModel):
    """Base of the models a user fills in: strict, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class _Output(BaseModel):
    """Base of the models built from platform answers: tolerant of new fields."""

    model_config = ConfigDict(extra="allow", frozen=True)


def _require_aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(
            f"{field}: укажите дату с часовым поясом, например "
            f"datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo('Europe/Moscow'))"
        )
    return value


# -- Attachments --------------------------------------------------------------------------


class Photo(_Input):
    """A photo to attach, from a file path or from bytes.

    >>> Photo.from_path("afisha.jpg")          # doctest: +SKIP
    >>> Photo.from_bytes(data, filename="afisha.jpg")  # doctest: +SKIP
    """

    kind: Literal["photo"] = "photo"
    path: Path | None = None
    data: bytes | None = Field(default=None, repr=False)
    filename: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Photo:
        if (self.path is None) == (self.data is None):
            raise ValueError("Photo: укажите ровно один источник: path (путь к файлу) или data")
        if self.data is not None and not self.data:
            raise ValueError("Photo: пустые данные изображения")
        return self

    @classmethod
    def from_path(cls, path: str | Path) -> Photo:
        """A photo read from ``path`` when the post is published."""
        return cls(path=Path(path))

    @classmethod
    def from_bytes(cls, data: bytes, *, filename: str = "photo.jpg") -> Photo:
        """A photo from bytes already in memory."""
        return cls(data=data, filename=filename)

    @property
    def name(self) -> str:
        """The file name sent to the upload server."""
        if self.filename:
            return self.filename
        return self.path.name if self.path is not None else "photo.jpg"

    def read(self) -> bytes:
        """The image bytes; a missing file is a clear error."""
        if self.data is not None:
            return self.data
        assert self.path is not None
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ValueError(
                f"Photo: не удалось прочитать файл {self.path}: {exc.strerror}"
            ) from None


class Link(_Input):
    """A link attached to the post (VK allows one per post)."""

    kind: Literal["link"] = "link"
    url: AnyHttpUrl


class Poll(_Input):
    """A poll: a question and 2 to 10 answers."""

    kind: Literal["poll"] = "poll"
    question: Annotated[str, Field(min_length=1, max_length=255)]
    answers: Annotated[list[str], Field(min_length=2, max_length=10)]
    multiple: bool = False
    anonymous: bool = False

    @field_validator("answers")
    @classmethod
    def _answers_not_empty(cls, answers: list[str]) -> list[str]:
        if any(not a.strip() for a in answers):
            raise ValueError("Poll: пустой вариант ответа")
        if len({a.strip().casefold() for a in answers}) != len(answers):
            raise ValueError("Poll: варианты ответа повторяются")
        return answers


Attachment = Annotated[Photo | Link | Poll, Field(discriminator="kind")]


class Post(_Input):
    """A post to publish on an official page.

    Attributes:
        text: the text of the post.
        attachments: photos, a link, a poll.
        publish_at: when to publish (an aware datetime); ``None`` publishes now.
        close_comments: open the post with comments closed.
        idempotency_key: sent to the platform where it supports one (VK ``guid``), so a
            retried publication is not duplicated. Generated once per ``Post``: publishing
            the same ``Post`` object again is safe on VK. Set it yourself to tie it to
            your own record (a content-plan entry, say).
    """

    text: str = ""
    attachments: list[Attachment] = Field(default_factory=list)
    publish_at: datetime | None = None
    close_comments: bool = False
    idempotency_key: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        default_factory=lambda: uuid.uuid4().hex
    )

    @field_validator("publish_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return _require_aware(value, "publish_at")

    @model_validator(mode="after")
    def _not_empty(self) -> Post:
        if not self.text.strip() and not self.attachments:
            raise ValueError("Post: пустая публикация: нужен текст или вложение")
        return self

    @property
    def photos(self) -> list[Photo]:
        return [a for a in self.attachments if isinstance(a, Photo)]

    @property
    def links(self) -> list[Link]:
        return [a for a in self.attachments if isinstance(a, Link)]

    @property
    def polls(self) -> list[Poll]:
        return [a for a in self.attachments if isinstance(a, Poll)]


# -- What the platforms return -------------------------------------------------------------


class PublishStatus(str, Enum):
    """What became of a publication."""

    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    NEEDS_CHECK = "needs_check"
    """The platform's answer was lost and reading back could not tell: look at the page."""

    @property
    def label(self) -> str:
        """How people read the status: «опубликовано», «запланировано», «проверьте вручную»."""
        return {
            "published": "опубликовано",
            "scheduled": "запланировано",
            "needs_check": "проверьте на странице вручную",
        }[self.value]


class PublishedPost(_Output):
    """The receipt of `OfficialPage.publish`."""

    platform: Platform
    page: str
    post_id: str | None
    url: str | None
    status: PublishStatus
    publish_at: datetime | None = None
    idempotency_key: str | None = None
    note: str | None = None
    """Why the status is what it is, in Russian, when it needs saying."""


class PostSummary(_Output):
    """A post as read back from a page."""

    platform: Platform
    page: str
    id: str
    date: datetime
    text: str = ""
    url: str | None = None
    views: int | None = None
    likes: int | None = None
    reposts: int | None = None
    comments_count: int | None = None
    is_pinned: bool = False
    attachments: list[str] = Field(default_factory=list)
    """Attachment types as the platform names them (``photo``, ``link``, ``poll`` ...)."""


class Comment(_Output):
    """A comment under a post; replies carry ``parent_id``."""

    platform: Platform
    page: str
    id: str
    post_id: str
    author_id: str | None
    date: datetime | None
    text: str = ""
    parent_id: str | None = None
    """The comment this one answers, or ``None`` for a top-level comment."""
    thread_id: str | None = None
    """The top-level comment of the thread this one belongs to."""
    deleted: bool = False
    from_page: bool = False
    """Written by the page itself (an answer from the body)."""


class FeedbackWidget(_Output):
    """A feedback (ПОС) widget or menu item seen on the page."""

    title: str
    url: str | None = None
    kind: str | None = None


class PageProfile(_Output):
    """What a page says about its owner: name, contacts, look, size."""

    platform: Platform
    id: str
    name: str
    screen_name: str | None = None
    url: str | None = None
    description: str = ""
    status: str | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list)
    site: str | None = None
    avatar_url: str | None = None
    cover_url: str | None = None
    members_count: int | None = None
    comments_open: bool | None = None
    """Whether users can comment; ``None`` when the platform does not say."""
    wall_open: bool | None = None
    """Whether users can post on the wall; ``None`` when the platform does not say."""
    is_closed: bool | None = None
    deactivated: str | None = None
    feedback_widgets: list[FeedbackWidget] | None = None
    """ПОС widgets seen on the page; ``None`` when the platform did not say (unknown)."""
    extras: dict[str, Any] = Field(default_factory=dict)
    """Raw platform fields not mapped above."""


class VerificationState(str, Enum):
    """Whether the page carries the «Госорганизация» mark confirmed through Gosuslugi."""

    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """«подтверждена», «не подтверждена», «неизвестно»."""
        return {
            "confirmed": "подтверждена",
            "not_confirmed": "не подтверждена",
            "unknown": "неизвестно",
        }[self.value]


class Verification(_Output):
    """The verification status of a page and the marks it was decided from."""

    platform: Platform
    page: str
    state: VerificationState
    marks: dict[str, Any] = Field(default_factory=dict)
    """The raw marks seen (e.g. VK ``verified``, ``trust_mark``); absent ones are absent."""
    explanation: str = ""
    """How the state was decided, in Russian."""


class Operation(str, Enum):
    """Operations of `OfficialPage` that credentials may or may not allow."""

    PROFILE = "profile"
    VERIFICATION = "verification"
    POSTS = "posts"
    COMMENTS = "comments"
    PUBLISH = "publish"
    PUBLISH_PHOTOS = "publish_photos"
    PUBLISH_POLLS = "publish_polls"
    SCHEDULE = "schedule"
    REPLY = "reply"
    DELETE_COMMENT = "delete_comment"
    BAN = "ban"


class Capabilities(_Output):
    """Which operations the configured credentials allow, known before any call."""

    platform: Platform
    allowed: frozenset[Operation]
    missing: dict[Operation, str] = Field(default_factory=dict)
    """For each operation not allowed: why, and what to add (in Russian)."""
    warnings: dict[Operation, str] = Field(default_factory=dict)
    """Allowed, but think first (e.g. answering citizens on Telegram, 41-ФЗ)."""

    def can(self, operation: Operation | str) -> bool:
        """Whether ``operation`` is allowed."""
        return Operation(operation) in self.allowed
