"""The one async interface every platform implements."""

from __future__ import annotations

import abc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Generic, TypeVar

from ._errors import (
    SHAPE_ERRORS,
    GospagesError,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    PermissionDenied,
    ServerError,
    TokenTypeError,
    ValidationError,
    answer_shape,
    malformed,
)
from ._models import (
    Capabilities,
    Comment,
    Operation,
    PageProfile,
    Platform,
    Post,
    PostSummary,
    PublishedPost,
    PublishStatus,
    Verification,
    VerificationState,
    _require_aware,
)
from ._platforms import PostLimits, describe

__all__ = [
    "OfficialPage",
    "PageReading",
    "SkippedPost",
    "Written",
    "aware",
    "in_window",
    "post_operations",
]

log = logging.getLogger("gospages.page")

_P = TypeVar("_P", bound="OfficialPage")
_T = TypeVar("_T")
_S = TypeVar("_S")

LOST_ANSWER: tuple[type[GospagesError], ...] = (NetworkError, ServerError)
"""Errors after which a write may have been done all the same: the answer was lost."""


def aware(value: datetime | None, name: str) -> datetime | None:
    """``value`` if it is ``None`` or carries a time zone, else :class:`ValidationError`."""
    try:
        return _require_aware(value, name)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def post_operations(post: Post) -> list[Operation]:
    """What publishing ``post`` asks of a page's keys: publishing, and scheduling, photos
    and polls when the post has them (:meth:`OfficialPage.capabilities` tells which)."""
    needed = [Operation.PUBLISH]
    if post.publish_at is not None:
        needed.append(Operation.SCHEDULE)
    if post.photos:
        needed.append(Operation.PUBLISH_PHOTOS)
    if post.polls:
        needed.append(Operation.PUBLISH_POLLS)
    return needed


def in_window(date: datetime | None, since: datetime | None, until: datetime | None = None) -> bool:
    """Whether ``date`` lies within ``[since, until]``; an unknown date (``None``) does."""
    if date is None:
        return True
    return (since is None or date >= since) and (until is None or date <= until)


@dataclass(frozen=True)
class SkippedPost:
    """A post whose comments the walk of :meth:`OfficialPage.comments` could not read
    (VK error 212: access to the post's comments denied); the walk went on without it."""

    post_id: str
    error: GospagesError


READ_FAILURES: tuple[type[Exception], ...] = (GospagesError, *SHAPE_ERRORS)
"""What stops reading one part of one page: a gospages error, or an answer a backend
failed to parse."""


def as_failure(
    error: Exception, platform: Platform, what: str = "чтение страницы"
) -> GospagesError:
    """``error`` as a `GospagesError` (a bare parsing error becomes :func:`malformed`'s)."""
    return error if isinstance(error, GospagesError) else malformed(platform, what, error)


@dataclass
class PageReading:
    """What one read of a page brought, part by part (:meth:`OfficialPage.read`,
    :meth:`OfficialPage.read_many`).

    A part that failed keeps the parts read before it: ``error`` says the page itself
    (profile, mark or posts) could not be read; ``comments_error`` says only the comments
    could not, and the profile and posts stay. ``comments`` is ``None`` when they were not
    read (not asked, not allowed by the keys, or failed).
    """

    profile: PageProfile | None = None
    verification: Verification | None = None
    posts: list[PostSummary] = field(default_factory=list)
    comments: list[Comment] | None = None
    skipped_posts: list[SkippedPost] = field(default_factory=list)
    """Posts whose comments the platform refused to show; the others were read."""
    error: GospagesError | None = None
    comments_error: GospagesError | None = None

    @property
    def ok(self) -> bool:
        """Whether the page itself was read (comments aside)."""
        return self.error is None


@dataclass(frozen=True)
class Written(Generic[_T]):
    """What a write came to, as :meth:`OfficialPage._reconcile` learned it.

    ``value`` is what the platform answered, or what the read-back found after the answer
    was lost (``lost`` then holds the error); ``None`` when neither tells. ``readable`` is
    ``False`` when the read-back could not run at all.
    """

    value: _T | None
    lost: GospagesError | None = None
    readable: bool = True

    @property
    def unknown(self) -> bool:
        """The answer was lost and the read-back did not find the write."""
        return self.value is None


@dataclass(frozen=True)
class PartsSent(Generic[_T]):
    """What :meth:`OfficialPage._send_parts` came to: the parts sent (in order), whether
    all of them went out, and the sentences a receipt adds about it."""

    sent: list[_T]
    complete: bool
    notes: list[str]


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

    **Writing a backend.** As in fsspec, the base demands a few primitives and derives
    the rest: the date window of :meth:`posts` and :meth:`comments`, the walk over every
    post's comments, the checks of :meth:`publish` and :meth:`reply` against the
    platform's limits (:func:`gospages._platforms.describe`), whether a comment belongs
    to this page, and the read-back after a lost answer (:meth:`_reconcile`). A backend
    implements :meth:`_posts`, :meth:`_post_comments`, :meth:`_send_post` and
    :meth:`_send_reply`, :meth:`_send_delete`, and for the read-back :meth:`_baseline`,
    :meth:`_find_written` and :meth:`_find_reply`; the other ``_`` hooks have defaults.
    A backend may still override a public method whole.
    """

    platform: Platform

    _answer_of: str = ""
    """«Ответ ВКонтакте»: the platform in the genitive, for notes on lost answers."""
    _refusal: str = ""
    """«Публикация не пройдёт во ВКонтакте»: how :meth:`check` starts its error."""

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

    def _recorded_verification(self, recorded: bool | None) -> Verification:
        """The «Госорганизация» mark as the registry records it (``PageRef.verified``),
        for a platform whose API cannot report it (``verification_from_registry``)."""
        label = self.platform.label
        if recorded is None:
            return Verification(
                platform=self.platform,
                page=self.page_id,
                state=VerificationState.UNKNOWN,
                explanation=(
                    f"в API {label} нет отметки «Госорганизация»: проверьте её в приложении "
                    "и запишите в реестр (столбец «Отметка «Госорганизация»», в YAML verified)"
                ),
            )
        return Verification(
            platform=self.platform,
            page=self.page_id,
            state=VerificationState.CONFIRMED if recorded else VerificationState.NOT_CONFIRMED,
            marks={"registry": recorded},
            explanation=(
                f"по записи реестра: отметку «Госорганизация» записал пользователь "
                f"(в API {label} её нет)"
            ),
        )

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Close connections the page opened. Safe to call twice."""

    # -- limits and checks -----------------------------------------------------------------

    @property
    def limits(self) -> PostLimits:
        """What one post may carry on the platform (its descriptor's limits)."""
        return describe(self.platform).limits

    def problems(self, post: Post, *, now: datetime | None = None) -> list[str]:
        """What the platform would refuse in ``post``, in Russian; empty when it would go.

        Checked without any request: the platform's limits (:attr:`limits`) and what the
        backend adds for its configuration (:meth:`_backend_problems`). ``now`` (aware)
        is when the scheduling time is compared; the current time by default.
        """
        moment = aware(now, "now") or datetime.now(timezone.utc)
        return [*self.limits.problems(post, now=moment), *self._backend_problems(post)]

    def notes(self, post: Post) -> list[str]:
        """What the platform would do with ``post`` differently from what one might expect
        (a long text split into several messages), without refusing it."""
        return self.limits.notes(post)

    def check(self, post: Post) -> None:
        """Raise `gospages.ValidationError` if the platform would refuse ``post``.

        :meth:`problems` gives the same reasons as a list, without raising.
        """
        problems = self.problems(post)
        if problems:
            prefix = self._refusal or f"Публикация не пройдёт на площадке {self.platform.label}"
            raise ValidationError(f"{prefix}: " + "; ".join(problems), platform=self.platform)

    def _backend_problems(self, post: Post) -> list[str]:
        """What this backend, as configured, refuses beyond the platform's limits."""
        return []

    def _check_reply_text(self, text: str) -> None:
        """Refuse an empty answer or one over the platform's limit of a comment."""
        if not text.strip():
            raise ValidationError("Ответ не может быть пустым", platform=self.platform)
        limit = self.limits.comment_text
        length = self.limits.length(text)
        if limit is not None and length > limit:
            raise ValidationError(
                f"Ответ длиннее {limit} символов ({length}): это лимит {self.platform.label} "
                "для одного комментария",
                platform=self.platform,
            )

    def _read_photo(self, photo: Any) -> bytes:
        """The bytes of a `gospages.Photo`, refused when over the platform's size limit."""
        try:
            data: bytes = photo.read()
        except ValueError as exc:
            raise ValidationError(str(exc), platform=self.platform) from None
        most = self.limits.photo_bytes
        if most is not None and len(data) > most:
            raise ValidationError(
                f"Фото {photo.name} больше {most // (1024 * 1024)} МБ "
                f"(лимит {self.platform.label} для фото)",
                platform=self.platform,
            )
        return data

    def _check_own(self, comment: Comment, *also: str) -> None:
        """Refuse a comment that belongs to another page (``also``: other ids of this one)."""
        if comment.platform is not self.platform or comment.page not in {self.page_id, *also}:
            raise ValidationError(
                f"Комментарий {comment.id} не с этой страницы ({comment.platform.label} "
                f"«{comment.page}», а не {self.platform.label} «{self.page_id}»)",
                platform=self.platform,
            )

    def _require(self, operation: Operation, post: Post | None = None) -> None:
        """Refuse, before any request, an operation the credentials do not allow.

        The default refuses what :meth:`capabilities` does not allow, so that the
        capabilities and the errors always agree; a backend that knows more (VK's key
        kinds per method) overrides it.
        """
        caps = self.capabilities()
        if not caps.can(operation):
            why = caps.missing.get(operation) or "ключи этого не позволяют"
            raise PermissionDenied(f"{self.platform.label}: {why}", platform=self.platform)

    async def _own_ids(self) -> Sequence[str]:
        """Other ids of this page that comments may carry (besides :attr:`page_id`)."""
        return ()

    # -- reading ---------------------------------------------------------------------------

    async def posts(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> AsyncIterator[PostSummary]:
        """The page's posts, newest first, published within ``[since, until]``."""
        since = aware(since, "since")
        until = aware(until, "until")
        self._require(Operation.POSTS)
        async for post in self._contained(self._posts(since, until), "posts"):
            if in_window(post.date, since, until):
                yield post

    async def _contained(self, stream: AsyncIterator[_T], what: str) -> AsyncIterator[_T]:
        """``stream``, where an answer of the wrong shape the backend failed to parse
        raises :func:`gospages._errors.malformed`'s `ServerError` instead of a bare
        Python error, so one broken answer stays with its page."""
        iterator = stream.__aiter__()
        try:
            while True:
                # (answer_shape written out: a context manager per item costs more than
                # parsing a comment)
                try:
                    item = await iterator.__anext__()
                except StopAsyncIteration:
                    return
                except GospagesError:
                    raise
                except SHAPE_ERRORS as error:
                    raise malformed(self.platform, what, error) from None
                yield item
        finally:
            closer = getattr(iterator, "aclose", None)
            if closer is not None:
                await closer()

    def _posts(self, since: datetime | None, until: datetime | None) -> AsyncIterator[PostSummary]:
        """Primitive: the page's posts newest first, at least those within the window.

        May stop once past ``since`` and may yield posts outside the window: :meth:`posts`
        drops them.
        """
        raise NotImplementedError

    async def comments(
        self, post_id: str | None = None, *, since: datetime | None = None
    ) -> AsyncIterator[Comment]:
        """Comments under one post, or under every post, threads included.

        With ``post_id=None`` the posts published since ``since`` are walked (all posts
        when ``since`` is ``None``). Comments older than ``since`` are skipped. Deleted
        comments are yielded with ``deleted=True``.
        """
        since = aware(since, "since")
        await self._before_comments(post_id)
        if post_id is not None:
            stream = self._post_comments(str(post_id), since)
        else:
            self.__dict__["_skipped_posts"] = []
            stream = self._all_comments(since)
        async for comment in self._contained(stream, "comments"):
            if in_window(comment.date, since):
                yield comment

    async def _before_comments(self, post_id: str | None) -> None:
        """Checks before reading comments (credentials, a discussion group)."""
        self._require(Operation.COMMENTS)

    def _post_comments(self, post_id: str, since: datetime | None) -> AsyncIterator[Comment]:
        """Primitive: every comment under one post, threads included, parents before their
        replies. ``since`` is a hint: :meth:`comments` drops older comments itself."""
        raise NotImplementedError

    async def _all_comments(self, since: datetime | None) -> AsyncIterator[Comment]:
        """The comments under every post published since ``since``."""
        posts = [post async for post in self.posts(since=since)]
        async for comment in self._comments_of(posts, since):
            yield comment

    async def _comments_of(
        self,
        posts: Sequence[PostSummary],
        since: datetime | None,
        prefetched: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[Comment]:
        """The comments under ``posts`` (already read: no post is read twice), each post
        through :meth:`_walk_post`. ``prefetched`` maps a post id to what a batched read
        already got for it (the first page of its comments, or the error); a backend
        that batches uses it, the default ignores it."""
        for post in posts:
            if self._may_have_comments(post):
                async for comment in self._walk_post(post.id, self._post_comments(post.id, since)):
                    yield comment

    @property
    def skipped_posts(self) -> list[SkippedPost]:
        """Posts whose comments the last walk over every post (``comments()`` without
        ``post_id``) could not read, with the error of each; empty when none."""
        return list(self.__dict__.get("_skipped_posts", ()))

    async def _walk_post(
        self, post_id: str, stream: AsyncIterator[Comment]
    ) -> AsyncIterator[Comment]:
        """``stream`` of one post's comments inside a walk over every post: a refusal for
        this one post (`PermissionDenied`, `NotFound`) is recorded in :attr:`skipped_posts`
        and logged, and the walk goes on; a refusal of the key itself still stops it."""
        try:
            async for comment in stream:
                yield comment
        except (PermissionDenied, NotFound) as error:
            if isinstance(error, TokenTypeError):
                raise
            log.warning(
                "%s %s: комментарии к записи %s не прочитаны (%s), обход продолжается",
                self.platform.value,
                self.page_id,
                post_id,
                error,
            )
            skipped: list[SkippedPost] = self.__dict__.setdefault("_skipped_posts", [])
            skipped.append(SkippedPost(str(post_id), error))

    def _may_have_comments(self, post: PostSummary) -> bool:
        """Whether the walk reads ``post``'s comments (an unknown count: yes)."""
        return post.comments_count != 0

    # -- reading many pages ----------------------------------------------------------------

    batch_size = 1
    """How many pages of one :meth:`batch_key` :meth:`read_many` takes at once."""
    first_batch_size = 0
    """... in the first batch of a key, if smaller (so that reading starts at once; 0: the
    same as :attr:`batch_size`)."""

    @classmethod
    def batch_key(cls, page: OfficialPage) -> Hashable | None:
        """Pages with the same key can be read together by :meth:`read_many` (same class,
        same keys, same API); ``None`` (the default): the page is read alone."""
        return None

    @classmethod
    async def read_many(
        cls,
        pages: Sequence[OfficialPage],
        *,
        since: datetime,
        until: datetime,
        comments: bool = True,
        max_posts: int = 1000,
    ) -> AsyncIterator[tuple[int, PageReading]]:
        """``(index in pages, reading)`` for each of ``pages`` (of one :meth:`batch_key`),
        in the order they are done. Never raises for one page: its reading carries the
        error. The default reads the pages one by one with :meth:`read`; a backend that
        can ask the platform about many pages in one request overrides it."""
        for index, page in enumerate(pages):
            yield (
                index,
                await page.read(since=since, until=until, comments=comments, max_posts=max_posts),
            )

    async def read(
        self,
        *,
        since: datetime,
        until: datetime,
        comments: bool = True,
        max_posts: int = 1000,
    ) -> PageReading:
        """Read the page once: profile, mark, posts of ``[since, until]`` (at most
        ``max_posts``) and, with ``comments``, the comments of those very posts (none is
        read twice). Never raises: see :class:`PageReading` for what a failure keeps."""
        reading = PageReading()
        try:
            reading.profile = await self.profile()
            reading.verification = await self.verification()
        except READ_FAILURES as error:
            reading.error = as_failure(error, self.platform)
            return reading
        await self._read_rest(reading, since, until, comments, max_posts)
        return reading

    async def _read_rest(
        self,
        reading: PageReading,
        since: datetime,
        until: datetime,
        comments: bool,
        max_posts: int,
    ) -> None:
        """After the profile: the posts, then the comments of those posts."""
        if reading.profile is not None and reading.profile.deactivated:
            return  # a deleted or banned page has no wall to read
        await self._read_posts(reading, since, until, max_posts)
        if comments and reading.ok:
            await self._read_comments(reading, since)

    async def _read_posts(
        self, reading: PageReading, since: datetime, until: datetime, max_posts: int
    ) -> None:
        """Add the posts of ``[since, until]`` to ``reading`` (its ``error`` on failure)."""
        try:
            async for post in self.posts(since=since, until=until):
                reading.posts.append(post)
                if len(reading.posts) >= max_posts:
                    break
        except READ_FAILURES as error:
            reading.error = as_failure(error, self.platform)

    async def _read_comments(
        self,
        reading: PageReading,
        since: datetime,
        prefetched: Mapping[str, Any] | None = None,
    ) -> None:
        """Add the comments of ``reading.posts`` (``comments_error`` on failure: the
        profile and posts stay). Keys that do not allow comments leave them ``None``."""
        if not self.capabilities().can(Operation.COMMENTS):
            return
        self.__dict__["_skipped_posts"] = []
        try:
            await self._before_comments(None)
            stream = self._comments_of(reading.posts, since, prefetched)
            reading.comments = [
                comment
                async for comment in self._contained(stream, "comments")
                if in_window(comment.date, since)
            ]
        except READ_FAILURES as error:
            reading.comments = None
            reading.comments_error = as_failure(error, self.platform, "чтение комментариев")
        reading.skipped_posts = self.skipped_posts

    # -- writing ---------------------------------------------------------------------------

    async def publish(self, post: Post) -> PublishedPost:
        """Publish ``post`` now, or schedule it when ``post.publish_at`` is set.

        Platform limits are checked before any request (:meth:`check`). A write whose
        outcome could not be learned is never reported as done: the receipt then says
        ``needs_check``.
        """
        self.check(post)
        self._require(Operation.PUBLISH, post)
        prepared = await self._shaped(lambda: self._prepare_post(post), "publish")
        written = await self._reconcile(
            lambda: self._send_post(post, prepared),
            baseline=lambda: self._baseline(post, prepared),
            find=lambda before: self._find_written(post, prepared, before),
        )
        return await self._receipt(post, prepared, written)

    async def _prepare_post(self, post: Post) -> Any:
        """What :meth:`_send_post` sends (photos uploaded, polls created...)."""
        return post

    async def _send_post(self, post: Post, prepared: Any) -> str:
        """Primitive: send the post; the platform's id of it."""
        raise NotImplementedError

    async def _baseline(self, post: Post, prepared: Any) -> Any:
        """What is there before sending, for :meth:`_find_written` to tell a new post from an
        earlier identical one; ``None`` when it cannot be read (the read-back is then
        skipped). By default the moment before sending."""
        return datetime.now(timezone.utc)

    async def _find_written(self, post: Post, prepared: Any, baseline: Any) -> str | None:
        """The id of ``post`` on the page after its answer was lost, or ``None``.

        Raises `gospages.GospagesError` when the page cannot be read. By default nothing is
        read back."""
        return None

    async def _receipt(self, post: Post, prepared: Any, written: Written[str]) -> PublishedPost:
        """The receipt of a publication: ``needs_check`` when the outcome is unknown."""
        status = PublishStatus.SCHEDULED if post.publish_at else PublishStatus.PUBLISHED
        note: str | None = None
        if written.lost is not None:
            note = self._lost_note(written)
        if written.value is None:
            status = PublishStatus.NEEDS_CHECK
        return PublishedPost(
            platform=self.platform,
            page=self._receipt_page(prepared),
            post_id=written.value,
            url=self._post_url(prepared, written.value) if written.value else None,
            status=status,
            publish_at=post.publish_at,
            idempotency_key=post.idempotency_key,
            note=note,
        )

    def _receipt_page(self, prepared: Any) -> str:
        """The page as receipts name it."""
        return self.page_id

    def _post_url(self, prepared: Any, post_id: str) -> str | None:
        """The address of a published post."""
        return None

    def _lost_note(self, written: Written[Any]) -> str:
        """What a receipt says after a lost answer, found or not."""
        answer = self._answer_of or f"Ответ {self.platform.label}"
        if written.value is not None:
            return f"{answer} потерян; запись найдена при проверке."
        return (
            f"{answer} потерян ({type(written.lost).__name__}), и запись при проверке не "
            "найдена: посмотрите страницу, прежде чем публиковать снова."
        )

    async def reply(self, comment: Comment, text: str) -> Comment:
        """Answer ``comment`` on behalf of the page; returns the new comment.

        After a lost answer the thread is read back; when the answer is not found there
        `gospages.OutcomeUnknown` is raised: look before answering again.
        """
        self._check_reply_text(text)
        self._require(Operation.REPLY)
        self._check_own(comment, *await self._own_ids())
        target = await self._shaped(lambda: self._prepare_reply(comment), "reply")
        written = await self._reconcile(
            lambda: self._send_reply(comment, text, target),
            baseline=(
                (lambda: self._reply_baseline(comment, target))
                if self._reads_back_replies
                else None
            ),
            find=(
                (lambda before: self._find_reply(comment, text, target, before))
                if self._reads_back_replies
                else None
            ),
        )
        if written.value is None:
            answer = self._answer_of or f"Ответ {self.platform.label}"
            raise OutcomeUnknown(
                f"{answer} потерян ({type(written.lost).__name__}), и ответ в ветке при "
                "проверке не найден: посмотрите обсуждение, прежде чем отвечать снова",
                platform=self.platform,
                method=getattr(written.lost, "method", None),
            ) from None
        return written.value

    _reads_back_replies: bool = True
    """Whether :meth:`reply` reads back after a lost answer; ``False`` keeps the error
    (a platform that drops a resent duplicate itself: VK's guid)."""

    async def _prepare_reply(self, comment: Comment) -> Any:
        """Where :meth:`_send_reply` sends (resolved once the comment is known to be ours)."""
        return None

    async def _send_reply(self, comment: Comment, text: str, target: Any) -> Comment:
        """Primitive: send the answer; the new comment."""
        raise NotImplementedError

    async def _reply_baseline(self, comment: Comment, target: Any) -> Any:
        """Ids of the messages there before answering, which the read-back passes over
        (see :meth:`_baseline`); ``None`` when unreadable. By default the post's thread is
        read once before sending, so that an earlier identical answer is never taken for
        the new one."""
        return frozenset([c.id async for c in self._post_comments(comment.post_id, None)])

    async def _find_reply(
        self, comment: Comment, text: str, target: Any, baseline: Any
    ) -> Comment | None:
        """The page's answer ``text`` to ``comment`` after a lost answer, or ``None``.

        By default the thread is read (:meth:`_post_comments`) for a comment of the page,
        answering ``comment``, with the same text, whose id is not in ``baseline``."""
        known = baseline if isinstance(baseline, (set, frozenset)) else frozenset()
        async for candidate in self._post_comments(comment.post_id, None):
            if (
                candidate.from_page
                and candidate.parent_id == comment.id
                and candidate.text.strip() == text.strip()
                and candidate.id not in known
            ):
                return candidate
        return None

    async def delete_comment(self, comment: Comment) -> None:
        """Delete ``comment`` from the page.

        When the answer is lost (`gospages.NetworkError`, `gospages.ServerError`) the
        comment is looked up (:meth:`_lookup_comment`): gone or marked deleted, the delete
        was done and nothing is raised; still there (or unreadable), the error is raised.
        """
        self._require(Operation.DELETE_COMMENT)
        self._check_own(comment, *await self._own_ids())

        async def send() -> bool:
            await self._send_delete(comment)
            return True

        async def gone(_: Any) -> bool | None:
            try:
                found = await self._lookup_comment(comment)
            except NotFound:  # the post itself is gone: so is its comment
                return True
            return True if found is None or found.deleted else None

        await self._reconcile(send, find=gone, reraise=True)

    async def _lookup_comment(self, comment: Comment) -> Comment | None:
        """Primitive of the read-back after a lost delete: ``comment`` as the page has it
        now, ``None`` when it is no longer there. Raises `gospages.GospagesError` when the
        page cannot be read (`gospages.NotFound` when the post is gone).

        By default the post's thread is read (:meth:`_post_comments`); a backend with a
        cheaper lookup overrides it."""
        async for candidate in self._post_comments(comment.post_id, None):
            if candidate.id == comment.id:
                return candidate
        return None

    async def _send_delete(self, comment: Comment) -> None:
        """Primitive: delete the comment."""
        raise NotImplementedError

    async def ban(self, author_id: str, *, until: datetime | None = None, reason: str = "") -> None:
        """Ban ``author_id`` from commenting on the page until ``until`` (``None``: for good).

        Platforms that do not allow it raise :class:`gospages.PermissionDenied`;
        :meth:`capabilities` says so beforehand (``Operation.BAN``).
        """
        raise PermissionDenied(
            f"{self.platform.label}: блокировка пользователей через gospages не поддерживается",
            platform=self.platform,
        )

    # -- lost writes -----------------------------------------------------------------------

    async def _reconcile(
        self,
        send: Callable[[], Awaitable[_T]],
        *,
        baseline: Callable[[], Awaitable[Any]] | None = None,
        find: Callable[[Any], Awaitable[_T | None]] | None = None,
        reraise: bool = False,
    ) -> Written[_T]:
        """Send a write; when its answer is lost (`LOST_ANSWER`), read back before anyone
        sends it again.

        ``baseline`` is read before sending (``None`` from it: unreadable, no read-back);
        ``find`` gets it after a lost answer and returns the write or ``None``, raising a
        `gospages.GospagesError` when the page cannot be read. With ``reraise`` (or no
        ``find``) the lost answer's error is raised when the write is not found.
        """
        before = None
        if baseline is not None:
            try:
                before = await self._shaped(baseline, "read-back")
            except GospagesError:
                before = None
        try:
            return Written(await self._shaped(send, "write"))
        except LOST_ANSWER as error:
            if find is None or (baseline is not None and before is None):
                if reraise or find is None:
                    raise
                return Written(None, lost=error, readable=False)
            try:
                found = await self._shaped(lambda: find(before), "read-back")
            except GospagesError:
                if reraise:
                    raise error from None
                return Written(None, lost=error, readable=False)
            if found is None and reraise:
                raise
            return Written(found, lost=error)

    async def _send_parts(
        self,
        steps: Sequence[_S],
        *,
        label: Callable[[_S], str],
        send: Callable[[_S], Awaitable[_T]],
        baseline: Any,
        find: Callable[[_S, Any, list[_T]], Awaitable[_T | None]],
    ) -> PartsSent[_T]:
        """Send the messages of one publication in order (a long text split, an album
        before it), each through :meth:`_reconcile`.

        ``baseline`` is what the page held before the first message (``None``:
        unreadable, no read-back). After a lost answer ``find(step, baseline, sent)``
        looks for the message among the newer ones (``sent``: what this publication has
        sent so far, never taken for it). A part is never sent twice: when a lost
        message is not found, or a later one is refused, the rest is not sent and the
        notes say which parts are out and which are not. An error on the first message
        is raised as it is: nothing is out.
        """
        sent: list[_T] = []
        notes: list[str] = []
        answer = self._answer_of or f"Ответ {self.platform.label}"
        for index, step in enumerate(steps):
            what = f"сообщение {index + 1} из {len(steps)} ({label(step)})"

            async def before() -> Any:
                return baseline

            try:
                # The platform may have published it after a lost answer: read back, and
                # never send it again.
                written = await self._reconcile(
                    lambda step=step: send(step),  # type: ignore[misc]
                    baseline=before,
                    find=lambda earlier, step=step, done=list(sent): find(  # type: ignore[misc]
                        step, earlier, done
                    ),
                )
            except GospagesError as error:
                if not sent:
                    raise
                notes.append(
                    f"Опубликована только часть: {what} не отправлено ({error}). "
                    "Допубликуйте остальное вручную."
                )
                notes.extend(_unsent(index + 1, len(steps)))
                return PartsSent(sent, False, notes)
            if written.value is None:
                where = (
                    "среди последних сообщений канала его нет"
                    if written.readable
                    else "а прочитать последние сообщения канала для проверки не удалось"
                )
                label_ = self.platform.label
                notes.append(
                    f"{answer} на {what} потерян ({type(written.lost).__name__}), "
                    f"{where}. Посмотрите канал, прежде чем публиковать снова: у {label_} нет "
                    "защиты от дублей, повторная отправка может опубликовать дважды."
                )
                notes.extend(_unsent(index + 1, len(steps)))
                return PartsSent(sent, False, notes)
            if written.lost is not None:
                notes.append(f"{answer} на {what} потерян; сообщение найдено при проверке.")
            sent.append(written.value)
        return PartsSent(sent, True, notes)

    async def _shaped(self, call: Callable[[], Awaitable[_T]], what: str) -> _T:
        """``await call()``, an answer of the wrong shape raising `ServerError`."""
        with answer_shape(self.platform, what):
            return await call()

    async def __aenter__(self: _P) -> _P:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _unsent(done: int, total: int) -> list[str]:
    """The sentence naming the messages never sent after message ``done`` (1-based)."""
    if done >= total:
        return []
    if done + 1 == total:
        return [f"Сообщение {total} из {total} не отправлялось."]
    return [f"Сообщения {done + 1}–{total} из {total} не отправлялись."]
