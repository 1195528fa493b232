"""The one async interface every platform implements."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from datetime import datetime
from types import TracebackType
from typing import TypeVar

from ._errors import PermissionDenied, ValidationError
from ._models import (
    Capabilities,
    Comment,
    PageProfile,
    Platform,
    Post,
    PostSummary,
    PublishedPost,
    Verification,
    _require_aware,
)

__all__ = ["OfficialPage", "aware"]

_P = TypeVar("_P", bound="OfficialPage")


def aware(value: datetime | None, name: str) -> datetime | None:
    """``value`` if it is ``None`` or carries a time zone, else :class:`ValidationError`."""
    try:
        return _require_aware(value, name)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class OfficialPage(abc.ABC):
    """An official page of a body on one platform.

    Use it as an async context manager so that connections are closed::

        async with VKPage("mycity", service_token=...) as page:
            profile = await page.profile()
            async for post in page.posts(since=week_ago):
                ...

    Every method raises a `gospages.GospagesError` subclass on failure, the same
    classes on every platform. `capabilities` tells, without any request, which
    methods the configured credentials allow.
    """

    platform: Platform

    @property
    @abc.abstractmethod
    def page_id(self) -> str:
        """The page as given by the user (an id or a screen name)."""

    @abc.abstractmethod
    def capabilities(self) -> Capabilities:
        """Which operations the configured credentials allow. Makes no request."""

    @abc.abstractmethod
    async def profile(self) -> PageProfile:
        """Name, description, contacts, look and size of the page."""

    @abc.abstractmethod
    async def verification(self) -> Verification:
        """Whether the page carries the «Госорганизация» mark, and what it was decided from."""

    @abc.abstractmethod
    async def publish(self, post: Post) -> PublishedPost:
        """Publish ``post`` now, or schedule it when ``post.publish_at`` is set.

        Platform limits are checked before any request. A write whose outcome could not be
        learned is never reported as done: the receipt then says ``needs_check``.
        """

    @abc.abstractmethod
    def posts(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> AsyncIterator[PostSummary]:
        """The page's posts, newest first, published within ``[since, until]``."""

    @abc.abstractmethod
    def comments(
        self, post_id: str | None = None, *, since: datetime | None = None
    ) -> AsyncIterator[Comment]:
        """Comments under one post, or under every post, threads included.

        With ``post_id=None`` the posts published since ``since`` are walked (all posts
        when ``since`` is ``None``). Comments older than ``since`` are skipped. Deleted
        comments are yielded with ``deleted=True``.
        """

    @abc.abstractmethod
    async def reply(self, comment: Comment, text: str) -> Comment:
        """Answer ``comment`` on behalf of the page; returns the new comment."""

    @abc.abstractmethod
    async def delete_comment(self, comment: Comment) -> None:
        """Delete ``comment`` from the page."""

    async def ban(self, author_id: str, *, until: datetime | None = None, reason: str = "") -> None:
        """Ban ``author_id`` from commenting on the page until ``until`` (``None``: for good).

        Platforms that do not allow it raise :class:`gospages.PermissionDenied`;
        :meth:`capabilities` says so beforehand (``Operation.BAN``).
        """
        raise PermissionDenied(
            f"{self.platform.label}: блокировка пользователей через gospages не поддерживается",
            platform=self.platform,
        )

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Close connections the page opened. Safe to call twice."""

    def _check_own(self, comment: Comment, *also: str) -> None:
        """Refuse a comment that belongs to another page (``also``: other ids of this one)."""
        if comment.platform is not self.platform or comment.page not in {self.page_id, *also}:
            raise ValidationError(
                f"Комментарий {comment.id} не с этой страницы ({comment.platform.label} "
                f"«{comment.page}», а не {self.platform.label} «{self.page_id}»)",
                platform=self.platform,
            )

    async def __aenter__(self: _P) -> _P:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
