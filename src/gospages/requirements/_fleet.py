"""Reading many pages for an audit: the seam between the fleet reader and the audit.

:func:`capture_pages` yields one :class:`PageSnapshot` per registry page, as each is
ready, reading pages that share keys together (:meth:`OfficialPage.read_many`). It
never raises for one page: a page that cannot be opened or read becomes a snapshot
with ``error``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Hashable, Sequence
from datetime import datetime, timedelta

from .._page import OfficialPage
from .._questions import Removal
from ..registry import Organization, PageRef
from ._capture import MAX_POSTS, snapshot_from
from ._model import PageSnapshot

__all__ = ["PageOpener", "capture_pages"]

log = logging.getLogger("gospages.audit")

PageOpener = Callable[[PageRef], OfficialPage]

PAGES_IN_FLIGHT = 1000
"""Pages :func:`capture_pages` reads at once by default (the sum of its open batches)."""
_WAITING = 32
"""Finished snapshots waiting for the caller before the readers wait for it."""


def _unopened(
    org: Organization, ref: PageRef, days: int, now: datetime, error: Exception
) -> PageSnapshot:
    return PageSnapshot(
        platform=ref.platform,
        page=ref.page,
        url=ref.url,
        org=org,
        days=days,
        captured_at=now,
        category=ref.category,
        error=f"{type(error).__name__}: {error}",
    )


async def _close(page: OfficialPage) -> None:
    try:
        await page.aclose()
    except Exception:
        log.warning("%s %s: соединение не закрылось", page.platform.value, page.page_id)


async def capture_pages(
    pages: Sequence[tuple[Organization, PageRef]],
    open_page: PageOpener,
    *,
    days: int,
    now: datetime,
    removed: Removal | None = None,
    concurrency: int = 8,
    comments: bool = True,
    pages_in_flight: int = PAGES_IN_FLIGHT,
) -> AsyncIterator[tuple[int, PageSnapshot]]:
    """``(index in pages, snapshot)`` for every page, in the order they finish.

    Pages are opened as they are reached and grouped by
    :meth:`~gospages.OfficialPage.batch_key`: pages the platform lets one request serve
    (VK communities on the same keys: 500 profiles a ``groups.getById``, 25 walls an
    ``execute``) are read together by their backend's
    :meth:`~gospages.OfficialPage.read_many`, up to its ``batch_size`` at once; the
    others one by one. At most ``concurrency`` batches are read at once, and at most two
    batches per batch key (pages on one key share its rate limit anyway), so that ten
    thousand pages never mean ten thousand requests waiting on one pool. Each page's
    posts are read once; the comments are those of the posts read (``comments=False``:
    none).

    Memory is bounded, not the fleet: batches are started while the pages not yet
    handed over add up to at most ``pages_in_flight`` (a batch larger than half of it
    starts once they are down to half: at most ``pages_in_flight / 2`` plus one batch),
    and finished snapshots wait for the caller in a short queue, so a caller slower than
    the platform holds back the reads instead of piling snapshots up.
    """
    since = now - timedelta(days=days)
    queue: asyncio.Queue[tuple[int, PageSnapshot]] = asyncio.Queue(_WAITING)
    gate = asyncio.Semaphore(max(1, concurrency))
    budget = max(1, pages_in_flight)
    in_flight = 0
    freed = asyncio.Event()
    running: set[asyncio.Task[None]] = set()
    last_of_key: dict[Hashable, list[asyncio.Task[None]]] = {}
    waiting: list[OfficialPage] = []

    async def read_batch(kind: type[OfficialPage], batch: list[tuple[int, OfficialPage]]) -> None:
        nonlocal in_flight
        done: set[int] = set()
        try:
            readings = kind.read_many(
                [page for _, page in batch],
                since=since,
                until=now,
                comments=comments,
                max_posts=MAX_POSTS,
            )
            async for k, reading in readings:
                index, page = batch[k]
                org, ref = pages[index]
                snapshot = snapshot_from(
                    reading,
                    platform=page.platform,
                    page=page.page_id,
                    days=days,
                    now=now,
                    org=org,
                    ref=ref,
                    comments=comments,
                    removed=removed,
                )
                done.add(k)
                in_flight -= 1  # a page handed over no longer counts against the budget
                freed.set()
                await queue.put((index, snapshot))
        except Exception as error:  # a backend's bug fails its pages, not the audit
            log.exception("чтение страниц прервано ошибкой")
            for k, (index, _) in enumerate(batch):
                if k not in done:
                    org, ref = pages[index]
                    await queue.put((index, _unopened(org, ref, days, now, error)))
        finally:
            in_flight -= len(batch) - len(done)
            freed.set()
            gate.release()
            for _, page in batch:
                await _close(page)

    async def launch(
        kind: type[OfficialPage], key: Hashable | None, batch: list[tuple[int, OfficialPage]]
    ) -> None:
        if key is not None:
            # Two batches of a key at a time: the next one's profiles and walls go out
            # while the last one's comments are read, so the key's limit is never idle.
            while len(ahead := [t for t in last_of_key.get(key, []) if not t.done()]) >= 2:
                await asyncio.wait(ahead, return_when=asyncio.FIRST_COMPLETED)
        nonlocal in_flight
        # A batch larger than half the budget starts once the open ones are down to half
        # of it: the next batch's profiles and walls go out while the last one's final
        # comments are read, instead of the key standing idle between them.
        while in_flight and in_flight + min(len(batch), budget // 2) > budget:
            freed.clear()
            await freed.wait()
        await gate.acquire()
        in_flight += len(batch)
        for _, page in batch:
            waiting.remove(page)
        task = asyncio.ensure_future(read_batch(kind, batch))
        running.add(task)
        task.add_done_callback(running.discard)
        if key is not None:
            last_of_key[key] = [*(t for t in last_of_key.get(key, []) if not t.done()), task]

    async def produce() -> None:
        buckets: dict[tuple[type[OfficialPage], Hashable], list[tuple[int, OfficialPage]]] = {}
        launched: set[tuple[type[OfficialPage], Hashable]] = set()
        for index, (org, ref) in enumerate(pages):
            if index % 100 == 99:
                await asyncio.sleep(0)  # opening thousands of pages must not stall the reads
            try:
                page = open_page(ref)
                kind = type(page)
                key = kind.batch_key(page)
            except Exception as error:  # a bad registry row must not stop the audit
                await queue.put((index, _unopened(org, ref, days, now, error)))
                continue
            waiting.append(page)
            if key is None:
                await launch(kind, None, [(index, page)])
                continue
            bucket = buckets.setdefault((kind, key), [])
            bucket.append((index, page))
            size = max(1, kind.batch_size)
            if (kind, key) not in launched:
                # A key's first batch is a small one, so that its first requests go out
                # while the rest of the fleet is still being opened.
                size = min(size, max(1, kind.first_batch_size or size))
            if len(bucket) >= size:
                del buckets[(kind, key)]
                launched.add((kind, key))
                await launch(kind, (kind, key), bucket)
        for (kind, key), bucket in buckets.items():
            await launch(kind, (kind, key), bucket)

    producer = asyncio.ensure_future(produce())
    try:
        for _ in range(len(pages)):
            yield await queue.get()
        await producer
    finally:
        producer.cancel()
        for task in list(running):
            task.cancel()
        await asyncio.gather(producer, *running, return_exceptions=True)
        for page in waiting:
            await _close(page)
