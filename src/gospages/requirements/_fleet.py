"""Reading many pages for an audit: the seam between the fleet reader and the audit.

:func:`capture_pages` yields one :class:`PageSnapshot` per registry page, as each is
ready, at most ``concurrency`` pages in flight. It never raises for one page: a page that
cannot be opened or read becomes a snapshot with ``error``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime

from .._page import OfficialPage
from .._questions import Removal
from ..registry import Organization, PageRef
from ._capture import capture_snapshot
from ._model import PageSnapshot

__all__ = ["PageOpener", "capture_pages"]

PageOpener = Callable[[PageRef], OfficialPage]


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


async def _capture_one(
    org: Organization,
    ref: PageRef,
    open_page: PageOpener,
    days: int,
    now: datetime,
    removed: Removal | None,
) -> PageSnapshot:
    try:
        page = open_page(ref)
    except Exception as error:  # a bad registry row must not stop the audit
        return _unopened(org, ref, days, now, error)
    async with page:
        return await capture_snapshot(page, days=days, org=org, ref=ref, now=now, removed=removed)


async def capture_pages(
    pages: Sequence[tuple[Organization, PageRef]],
    open_page: PageOpener,
    *,
    days: int,
    now: datetime,
    removed: Removal | None = None,
    concurrency: int = 8,
) -> AsyncIterator[tuple[int, PageSnapshot]]:
    """``(index in pages, snapshot)`` for every page, in the order they finish.

    At most ``concurrency`` pages are read at once (tasks are started as others finish,
    so ten thousand pages do not mean ten thousand tasks waiting on one pool).
    """
    queue: asyncio.Queue[tuple[int, PageSnapshot]] = asyncio.Queue()
    items = iter(enumerate(pages))
    running: set[asyncio.Task[None]] = set()

    async def one(index: int, org: Organization, ref: PageRef) -> None:
        snapshot = await _capture_one(org, ref, open_page, days, now, removed)
        await queue.put((index, snapshot))

    def start_next() -> bool:
        for index, (org, ref) in items:
            task = asyncio.ensure_future(one(index, org, ref))
            running.add(task)
            task.add_done_callback(running.discard)
            return True
        return False

    try:
        for _ in range(max(1, concurrency)):
            if not start_next():
                break
        remaining = len(pages)
        while remaining:
            yield await queue.get()
            remaining -= 1
            start_next()
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
