"""Synchronous facade for plain scripts.

The same coroutines as the async API run on one background event loop in a daemon
thread. That loop is shared by every sync page of the process, so connections and rate
limiters are shared too, and it works where a loop is already running in the calling
thread (Jupyter): the call simply waits for the background loop.

::

    from gospages.sync import VKPage

    with VKPage("mycity", service_token="...") as page:
        print(page.profile().name)
        for post in page.posts(since=week_ago):
            print(post.date, post.text[:60])
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, TypeVar

from ._models import (
    Capabilities,
    Comment,
    PageProfile,
    Platform,
    Post,
    PostSummary,
    PublishedPost,
    Verification,
)
from ._page import OfficialPage
from .vk import VKPage as _AsyncVKPage

__all__ = ["SyncPage", "VKPage", "run"]

T = TypeVar("T")
P = TypeVar("P", bound=OfficialPage)

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_pid: int | None = None


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop, _thread, _pid
    with _lock:
        # A forked child inherits the variables but not the thread: start a new loop.
        if _loop is None or _pid != os.getpid() or _thread is None or not _thread.is_alive():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="gospages-loop", daemon=True)
            thread.start()
            _loop, _thread, _pid = loop, thread, os.getpid()
        return _loop


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the background loop and wait for its result in this thread."""
    loop = _background_loop()
    if threading.current_thread() is _thread:
        coro.close()
        raise RuntimeError(
            "gospages.sync нельзя вызывать из корутины, работающей в фоновом цикле gospages: "
            "используйте асинхронный API (await)"
        )
    return asyncio.run_coroutine_threadsafe(coro, loop).result()


def _iterate(make: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
    async def start() -> AsyncIterator[T]:
        return make()

    agen = run(start())

    async def step() -> tuple[bool, T | None]:
        try:
            return True, await agen.__anext__()
        except StopAsyncIteration:
            return False, None

    try:
        while True:
            more, item = run(step())
            if not more:
                return
            yield item  # type: ignore[misc]
    finally:
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            run(aclose())


@atexit.register
def _shutdown() -> None:
    loop = _loop
    if loop is not None and loop.is_running() and _pid == os.getpid():
        loop.call_soon_threadsafe(loop.stop)


class SyncPage(Generic[P]):
    """A blocking wrapper around any `gospages.OfficialPage`.

    ``factory`` builds the async page; it is called on the background loop, so the
    page's HTTP client belongs to that loop. The async page is at `aio`.
    """

    def __init__(self, factory: Callable[[], P]) -> None:
        async def build() -> P:
            return factory()

        self.aio: P = run(build())

    def __repr__(self) -> str:
        return f"sync.{self.aio!r}"

    @property
    def platform(self) -> Platform:
        return self.aio.platform

    @property
    def page_id(self) -> str:
        return self.aio.page_id

    def capabilities(self) -> Capabilities:
        return self.aio.capabilities()

    def profile(self) -> PageProfile:
        return run(self.aio.profile())

    def verification(self) -> Verification:
        return run(self.aio.verification())

    def publish(self, post: Post) -> PublishedPost:
        return run(self.aio.publish(post))

    def posts(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[PostSummary]:
        return _iterate(lambda: self.aio.posts(since=since, until=until))

    def comments(
        self, post_id: str | None = None, *, since: datetime | None = None
    ) -> Iterator[Comment]:
        return _iterate(lambda: self.aio.comments(post_id, since=since))

    def reply(self, comment: Comment, text: str) -> Comment:
        return run(self.aio.reply(comment, text))

    def delete_comment(self, comment: Comment) -> None:
        run(self.aio.delete_comment(comment))

    def close(self) -> None:
        run(self.aio.aclose())

    def __enter__(self) -> SyncPage[P]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class VKPage(SyncPage[_AsyncVKPage]):
    """Blocking `gospages.vk.VKPage`; takes the same arguments."""

    def __init__(self, group: int | str, **kwargs: Any) -> None:
        super().__init__(lambda: _AsyncVKPage(group, **kwargs))
