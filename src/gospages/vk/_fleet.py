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
from collections.abc import AsyncIterator, Awaitable, Hashable, Sequence
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

    async def posts(self, alive: list[int]) -> None:
        if TokenKind.USER not in self.api.tokens:
            # No execute: each wall page by page, paced by the key's limiter.
            await _bounded(
                [
                    self.pages[i]._read_posts(
                        self.readings[i], self.since, self.until, self.max_posts
                    )
                    for i in alive
                ]
            )
            return
        walls = {i: _Wall(self.pages[i]._group_id or 0, self.since, self.until) for i in alive}
        while walls:
            pending = [(i, params) for i, w in walls.items() if (params := w.params()) is not None]
            chunks = [pending[k : k + EXECUTE_MAX] for k in range(0, len(pending), EXECUTE_MAX)]
            # Each answer is taken in as it comes (not all of them after the last one): the
            # loop stays free to send the next requests on time.
            await asyncio.gather(*(self._walls(chunk, walls) for chunk in chunks))
            walls = {i: w for i, w in walls.items() if not w.done}

    async def _walls(
        self, chunk: list[tuple[int, dict[str, Any]]], walls: dict[int, _Wall]
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

    async def _execute(self, method: str, calls: list[dict[str, Any]]) -> list[Any]:
        """Each slot's answer, error or ``None``; a failed request is every slot's error."""
        try:
            return await self.api.execute_calls([(method, c) for c in calls])
        except READ_FAILURES as error:
            failure = as_failure(error, Platform.VK, "execute")
            return [failure] * len(calls)

    # -- comments ----------------------------------------------------------------------

    async def first_comment_pages(self, wanted: list[int]) -> dict[int, dict[str, Any]]:
        """Post id -> the first page of its comments (or its error), per page."""
        firsts: dict[int, dict[str, Any]] = {i: {} for i in wanted}
        if TokenKind.USER not in self.api.tokens:
            return firsts
        calls: list[tuple[int, str, dict[str, Any]]] = []
        for i in wanted:
            page = self.pages[i]
            gid = page._group_id or 0
            for post in self.readings[i].posts:
                if page._may_have_comments(post):
                    calls.append((i, post.id, comments_params(gid, post.id, 0)))
        chunks = [calls[k : k + EXECUTE_MAX] for k in range(0, len(calls), EXECUTE_MAX)]
        answers = await asyncio.gather(
            *(self._execute("wall.getComments", [c for _, _, c in chunk]) for chunk in chunks)
        )
        for chunk, slots in zip(chunks, answers, strict=True):
            for (i, post_id, _), answer in zip(chunk, slots, strict=True):
                if answer is not None:
                    firsts[i][post_id] = answer
        return firsts


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

    async def chunk_read(chunk: list[int]) -> list[int]:
        # Each 500 pages' walls are read as soon as their profiles are in, while the next
        # chunk's profiles are on their way: the keys never wait for a phase to drain.
        await fleet._profiles(chunk)
        alive = [
            i
            for i in chunk
            if readings[i].error is None
            and not ((profile := readings[i].profile) is not None and profile.deactivated)
        ]
        if alive and no_posts is None:
            await fleet.posts(alive)
        return alive

    chunks = [
        list(range(start, min(start + GET_BY_ID_MAX, len(pages))))
        for start in range(0, len(pages), GET_BY_ID_MAX)
    ]
    alive = [i for found in await asyncio.gather(*map(chunk_read, chunks)) for i in found]
    read = set(alive)
    for i in range(len(readings)):
        if i not in read:
            yield i, release(i)  # not found, unreadable, or deleted (no wall to read)
    if not alive:
        return
    if no_posts is not None:
        for i in alive:
            readings[i].error = no_posts
            yield i, release(i)
        return
    wanted: list[int] = []
    can_comment = comments and pages[0].capabilities().can(Operation.COMMENTS)
    for i in alive:
        if readings[i].error is None and can_comment:
            wanted.append(i)
        else:
            yield i, release(i)
    if not wanted:
        return
    firsts = await fleet.first_comment_pages(wanted)

    async def rest(i: int) -> int:
        await pages[i]._read_comments(readings[i], since, firsts[i])
        return i

    gate = asyncio.Semaphore(_SINGLES)

    async def gated(i: int) -> int:
        async with gate:
            return await rest(i)

    tasks = [asyncio.ensure_future(gated(i)) for i in wanted]
    try:
        for finished in asyncio.as_completed(tasks):
            i = await finished
            firsts.pop(i, None)
            yield i, release(i)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
