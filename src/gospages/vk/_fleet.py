"""Reading many VK communities at once (:meth:`gospages.vk.VKPage.read_many`).

What VK lets a client batch, batched across pages:

- profiles and marks: ``groups.getById`` with up to 500 ids a call (any key kind; the
  least busy one);
- posts: ``wall.get`` through ``execute``, 25 walls a request, with a user key (a
  community key cannot read walls, a service key cannot call ``execute``: then
  ``wall.get`` page by page, paced by the key's limiter);
- comments: the first page of every post's comments through ``execute``, 25 posts (of
  any pages) a request, with a user key; longer threads and further pages one by one.

A slot VK answers ``false`` for (a deleted, closed or comment-restricted page) gets the
error of its ``execute_errors`` entry and fails only its own page (or post).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._errors import GospagesError, NotFound, ValidationError, answer_shape
from .._models import Operation, Platform
from .._page import READ_FAILURES, PageReading, as_failure
from ._api import TokenKind, VKApi
from ._parse import _profile_from, _verification_from
from ._wall import GROUP_FIELDS, _Wall, comments_params

if TYPE_CHECKING:
    from ._page import VKPage

__all__: list[str] = []

GET_BY_ID_MAX = 500
"""``groups.getById`` takes up to 500 ids a call."""
EXECUTE_MAX = 25
"""``execute`` runs up to 25 API calls."""
BATCH = 5 * GET_BY_ID_MAX
"""Pages read together: five ``groups.getById`` and a hundred walls' ``execute``, so that
only the last ``execute`` of a batch's comments is ever short of 25 calls."""
_SINGLES = 16
"""Pages read one request at a time concurrently (the key's limiter paces them)."""


def batch_key(page: VKPage) -> Hashable:
    """Pages read together share keys, API and clock: their requests go through the
    first page's caller, on the same per-key limiters."""
    api = page.api
    return (
        type(page),
        api.api_url,
        api.version,
        tuple(
            sorted(
                (k.value, hashlib.sha256(t.get_secret_value().encode()).hexdigest())
                for k, t in api.tokens.items()
            )
        ),
        api.limits,
        api.transport.clock,
    )


def _not_found(ref: str, code: int | None = None) -> NotFound:
    return NotFound(
        f"Сообщество ВКонтакте «{ref}» не найдено",
        platform=Platform.VK,
        method="groups.getById",
        code=code,
    )


async def _bounded(calls: Sequence[Awaitable[None]], limit: int = _SINGLES) -> None:
    gate = asyncio.Semaphore(limit)

    async def one(call: Awaitable[None]) -> None:
        async with gate:
            await call

    await asyncio.gather(*(one(c) for c in calls))


class _FleetRead:
    def __init__(
        self,
        pages: Sequence[VKPage],
        since: datetime,
        until: datetime,
        comments: bool,
        max_posts: int,
    ) -> None:
        self.pages = pages
        self.api: VKApi = pages[0].api
        self.since, self.until = since, until
        self.comments, self.max_posts = comments, max_posts
        self.readings = [PageReading() for _ in pages]

    # -- profiles ----------------------------------------------------------------------

    async def _profiles(self, chunk: list[int]) -> None:
        refs = [self.pages[i].page_id for i in chunk]
        try:
            answer = await self.api.call(
                "groups.getById", {"group_ids": ",".join(refs), "fields": GROUP_FIELDS}
            )
            with answer_shape(Platform.VK, "groups.getById"):
                groups = answer.get("groups") if isinstance(answer, dict) else answer
                if not isinstance(groups, list):
                    raise TypeError("groups is not a list")
        except READ_FAILURES as error:
            failure = as_failure(error, Platform.VK, "groups.getById")
            for i in chunk:
                # VK answers "invalid parameter" (100) when none of the ids is known.
                invalid = isinstance(failure, ValidationError) and failure.code == 100
                self.readings[i].error = (
                    _not_found(self.pages[i].page_id, 100) if invalid else failure
                )
            return
        by_id: dict[int, dict[str, Any]] = {}
        by_name: dict[str, dict[str, Any]] = {}
        for group in groups:
            gid = group.get("id") if isinstance(group, dict) else None
            if isinstance(gid, bool) or not isinstance(gid, int):
                continue
            by_id[abs(gid)] = group
            name = group.get("screen_name")
            if isinstance(name, str):
                by_name[name.lower()] = group
        matched: set[int] = set()
        unmatched: list[int] = []
        for i in chunk:
            page = self.pages[i]
            known = page._group_id
            group = by_id.get(known) if known is not None else by_name.get(page.page_id.lower())
            if group is None:
                unmatched.append(i)
                continue
            matched.add(id(group))
            self._take(i, group)
        # VK may answer a screen name under another one (a renamed community): while
        # answers are left over, the pages without one are asked alone; else not found.
        leftover = len(by_id) > len(matched)
        for i in unmatched:
            if leftover:
                await self._alone(i)
            else:
                self.readings[i].error = _not_found(self.pages[i].page_id)

    def _take(self, i: int, group: dict[str, Any]) -> None:
        page, reading = self.pages[i], self.readings[i]
        page._group_id = abs(int(group["id"]))
        page._group_cache = group
        page._group_cached_at = time.monotonic()
        try:
            with answer_shape(Platform.VK, "groups.getById"):
                reading.profile = _profile_from(group)
                reading.verification = _verification_from(group)
        except GospagesError as error:
            reading.error = error

    async def _alone(self, i: int) -> None:
        page, reading = self.pages[i], self.readings[i]
        try:
            reading.profile = await page.profile()
            reading.verification = await page.verification()
        except READ_FAILURES as error:
            reading.error = as_failure(error, Platform.VK)

    # -- posts -------------------------------------------------------------------------

    async def posts(self, alive: list[int], done: Callable[[int], None]) -> None:
        """Read the walls of ``alive``; ``done(i)`` as soon as page ``i``'s posts are in
        (or failed), so its comments can go out while other walls are still read."""
        if TokenKind.USER not in self.api.tokens:
            # No execute: each wall page by page, paced by the key's limiter.

            async def one(i: int) -> None:
                page = self.pages[i]
                await page._read_posts(self.readings[i], self.since, self.until, self.max_posts)
                done(i)

            await _bounded([one(i) for i in alive])
            return
        walls = {i: _Wall(self.pages[i]._group_id or 0, self.since, self.until) for i in alive}
        while walls:
            pending = [(i, params) for i, w in walls.items() if (params := w.params()) is not None]
            chunks = [pending[k : k + EXECUTE_MAX] for k in range(0, len(pending), EXECUTE_MAX)]
            # Each answer is taken in as it comes (not all of them after the last one): the
            # loop stays free to send the next requests on time.
            await asyncio.gather(*(self._walls(chunk, walls, done) for chunk in chunks))
            walls = {i: w for i, w in walls.items() if not w.done}

    async def _walls(
        self,
        chunk: list[tuple[int, dict[str, Any]]],
        walls: dict[int, _Wall],
        done: Callable[[int], None],
    ) -> None:
        slots = await self._execute("wall.get", [p for _, p in chunk])
        for (i, params), answer in zip(chunk, slots, strict=True):
            reading, wall = self.readings[i], walls[i]
            try:
                if answer is None:  # VK said false without a reason: ask alone
                    answer = await self.api.call("wall.get", params)
                if isinstance(answer, BaseException):
                    raise answer
                for post in wall.feed(answer):
                    if len(reading.posts) < self.max_posts:
                        reading.posts.append(post)
                if len(reading.posts) >= self.max_posts:
                    wall.done = True
            except READ_FAILURES as error:
                reading.error = as_failure(error, Platform.VK, "wall.get")
                wall.done = True
            if wall.done:
                done(i)

    async def _execute(self, method: str, calls: list[dict[str, Any]]) -> list[Any]:
        """Each slot's answer, error or ``None``; a failed request is every slot's error."""
        try:
            return await self.api.execute_calls([(method, c) for c in calls])
        except READ_FAILURES as error:
            failure = as_failure(error, Platform.VK, "execute")
            return [failure] * len(calls)

    # -- comments ----------------------------------------------------------------------

    def comment_calls(self, i: int) -> list[tuple[str, dict[str, Any]]]:
        """``(post id, wall.getComments params)`` of page ``i``'s posts with comments."""
        page = self.pages[i]
        gid = page._group_id or 0
        return [
            (post.id, comments_params(gid, post.id, 0))
            for post in self.readings[i].posts
            if page._may_have_comments(post)
        ]


class _CommentPool:
    """The first page of every post's comments through ``execute``, 25 posts of any pages
    a request, sent as soon as 25 are waiting (the rest by :meth:`flush`, once no more can
    come): comments go out between the walls still being read, and only the last request
    of a batch is ever short of 25 calls. ``ready(i, firsts)`` once all of page ``i``'s
    answers are in (post id -> answer or error)."""

    def __init__(
        self, fleet: _FleetRead, ready: Callable[[int, dict[str, Any]], None], spawn: _Spawn
    ) -> None:
        self.fleet, self.ready, self.spawn = fleet, ready, spawn
        self.calls: list[tuple[int, str, dict[str, Any]]] = []
        self.left: dict[int, int] = {}
        self.firsts: dict[int, dict[str, Any]] = {}

    def add(self, i: int, calls: list[tuple[str, dict[str, Any]]]) -> None:
        self.left[i] = len(calls)
        self.firsts[i] = {}
        self.calls.extend((i, post_id, params) for post_id, params in calls)
        while len(self.calls) >= EXECUTE_MAX:
            chunk, self.calls = self.calls[:EXECUTE_MAX], self.calls[EXECUTE_MAX:]
            self.spawn(self._send(chunk))

    def flush(self) -> None:
        if self.calls:
            chunk, self.calls = self.calls, []
            self.spawn(self._send(chunk))

    async def _send(self, chunk: list[tuple[int, str, dict[str, Any]]]) -> None:
        slots = await self.fleet._execute("wall.getComments", [c for _, _, c in chunk])
        for (i, post_id, _), answer in zip(chunk, slots, strict=True):
            if answer is not None:
                self.firsts[i][post_id] = answer
            self.left[i] -= 1
            if not self.left[i]:
                del self.left[i]
                self.ready(i, self.firsts.pop(i))


_Spawn = Callable[[Coroutine[Any, Any, None]], None]


async def read_many(
    pages: Sequence[VKPage],
    *,
    since: datetime,
    until: datetime,
    comments: bool,
    max_posts: int,
) -> AsyncIterator[tuple[int, PageReading]]:
    """See :meth:`gospages.OfficialPage.read_many`: ``pages`` share one batch key."""
    if not pages:
        return
    fleet = _FleetRead(pages, since, until, comments, max_posts)
    readings = fleet.readings

    def release(i: int) -> PageReading:
        """Page ``i``'s reading, no longer kept by the batch (memory is freed as the
        caller drops it, not when the whole batch ends)."""
        reading, readings[i] = readings[i], PageReading()
        return reading

    try:
        pages[0]._require(Operation.POSTS)
        no_posts: GospagesError | None = None
    except GospagesError as error:
        no_posts = error
    can_comment = comments and pages[0].capabilities().can(Operation.COMMENTS)
    batched = TokenKind.USER in fleet.api.tokens

    # Every page goes on as soon as its own requests are answered, not when a phase of
    # the whole batch is over: its comments are asked while other walls are read, and it
    # is handed to the caller while the rest are still on their way, so the keys are
    # never idle while the caller works through what is done (issue 12).
    out: asyncio.Queue[int | BaseException] = asyncio.Queue()
    tasks: set[asyncio.Task[None]] = set()

    def spawn(work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        tasks.add(task)
        task.add_done_callback(settled)

    def settled(task: asyncio.Task[None]) -> None:
        tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            out.put_nowait(error)

    gate = asyncio.Semaphore(_SINGLES)

    async def rest(i: int, firsts: dict[str, Any]) -> None:
        async with gate:
            await pages[i]._read_comments(readings[i], since, firsts)
        out.put_nowait(i)

    pool = _CommentPool(fleet, lambda i, firsts: spawn(rest(i, firsts)), spawn)

    def posts_in(i: int) -> None:
        if readings[i].error is not None or not can_comment:
            out.put_nowait(i)
            return
        calls = fleet.comment_calls(i) if batched else []
        if calls:
            pool.add(i, calls)
        else:
            spawn(rest(i, {}))

    async def chunk_read(chunk: list[int]) -> None:
        # Each 500 pages' walls are read as soon as their profiles are in, while the next
        # chunk's profiles are on their way.
        await fleet._profiles(chunk)
        alive = []
        for i in chunk:
            deactivated = (profile := readings[i].profile) is not None and profile.deactivated
            if readings[i].error is not None or deactivated:
                out.put_nowait(i)  # not found, unreadable, or deleted (no wall to read)
            elif no_posts is not None:
                readings[i].error = no_posts
                out.put_nowait(i)
            else:
                alive.append(i)
        if alive:
            await fleet.posts(alive, posts_in)

    async def drive() -> None:
        chunks = [
            list(range(start, min(start + GET_BY_ID_MAX, len(pages))))
            for start in range(0, len(pages), GET_BY_ID_MAX)
        ]
        await asyncio.gather(*map(chunk_read, chunks))
        pool.flush()  # no more posts: the last comments go out

    spawn(drive())
    try:
        for _ in range(len(pages)):
            item = await out.get()
            if isinstance(item, BaseException):
                raise item
            yield item, release(item)
    finally:
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
