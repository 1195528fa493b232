"""The machinery of `gospages.sync`: one background loop and `SyncPage`, derived from
`OfficialPage` (see `gospages.sync` for the user's view)."""

from __future__ import annotations

import asyncio
import atexit
import collections.abc
import inspect
import os
import threading
import typing
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._page import OfficialPage

if TYPE_CHECKING:
    from datetime import datetime

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
    from ._page import PageReading, SkippedPost
    from ._platforms import PostLimits

__all__ = ["SyncPage", "derive_sync_methods", "run"]

_T = TypeVar("_T")
_P = TypeVar("_P", bound=OfficialPage)
_S = TypeVar("_S", bound="SyncPage[Any]")

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


def run(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coro`` on the background loop and wait for its result in this thread."""
    loop = _background_loop()
    if threading.current_thread() is _thread:
        coro.close()
        raise RuntimeError(
            "gospages.sync нельзя вызывать из корутины, работающей в фоновом цикле gospages: "
            "используйте асинхронный API (await)"
        )
    return asyncio.run_coroutine_threadsafe(coro, loop).result()


def _iterate(make: Callable[[], AsyncIterator[_T]]) -> Iterator[_T]:
    async def start() -> AsyncIterator[_T]:
        return make()

    agen = run(start())

    async def step() -> tuple[bool, _T | None]:
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


# -- deriving the blocking methods from the async interface ------------------------------

#: Async names whose blocking twin is named differently.
_RENAMED = {"aclose": "close"}
_ASYNC_ITERATORS = (
    collections.abc.AsyncIterator,
    collections.abc.AsyncIterable,
    collections.abc.AsyncGenerator,
)


def _public_members(interface: type) -> dict[str, Any]:
    """Public methods, properties and annotated attributes of ``interface`` and its bases."""
    members: dict[str, Any] = {}
    for klass in reversed(interface.__mro__):
        if klass is object or klass.__module__ in ("abc", "typing"):
            continue
        for name in getattr(klass, "__annotations__", {}):
            if not name.startswith("_") and name not in vars(klass):
                members[name] = property()  # a plain attribute: read through
        for name, member in vars(klass).items():
            if name.startswith("_") or isinstance(member, (classmethod, staticmethod)):
                continue  # read_many and batch_key work on many pages: async only
            if callable(member) or isinstance(member, property):
                members[name] = member
    return members


def _returns_async_iterator(function: Callable[..., Any]) -> bool:
    if inspect.isasyncgenfunction(function):
        return True
    returns = inspect.signature(function, eval_str=True).return_annotation
    return typing.get_origin(returns) in _ASYNC_ITERATORS


def _sync_signature(function: Callable[..., Any]) -> inspect.Signature:
    signature = inspect.signature(function, eval_str=True)
    returns = signature.return_annotation
    if _returns_async_iterator(function):
        item = typing.get_args(returns)
        returns = Iterator[item[0]] if item else Iterator  # type: ignore[valid-type]
    return signature.replace(return_annotation=returns)


def _blocking(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(function):

        def method(self: SyncPage[Any], /, *args: Any, **kwargs: Any) -> Any:
            return run(getattr(self.aio, name)(*args, **kwargs))

    elif _returns_async_iterator(function):

        def method(self: SyncPage[Any], /, *args: Any, **kwargs: Any) -> Any:
            return _iterate(lambda: getattr(self.aio, name)(*args, **kwargs))

    else:

        def method(self: SyncPage[Any], /, *args: Any, **kwargs: Any) -> Any:
            return getattr(self.aio, name)(*args, **kwargs)

    method.__signature__ = _sync_signature(function)  # type: ignore[attr-defined]
    method.__doc__ = function.__doc__
    return method


def _passed_through(name: str, doc: str | None) -> property:
    def read(self: SyncPage[Any]) -> Any:
        return getattr(self.aio, name)

    return property(read, doc=doc)


def derive_sync_methods(cls: type, interface: type = OfficialPage) -> type:
    """Give ``cls`` (with the async page at ``self.aio``) a blocking twin of every public
    method and property of ``interface``: coroutines run on the background loop, async
    iterators become iterators, plain methods and properties are passed through.

    Members ``cls`` defines itself are kept; ``aclose`` becomes ``close``.
    """
    for async_name, member in _public_members(interface).items():
        name = _RENAMED.get(async_name, async_name)
        if name in vars(cls):
            continue
        if isinstance(member, property):
            derived: Any = _passed_through(async_name, member.__doc__)
        elif callable(member):
            derived = _blocking(async_name, member)
            derived.__name__ = name
            derived.__qualname__ = f"{cls.__qualname__}.{name}"
            derived.__module__ = cls.__module__
        else:
            continue
        setattr(cls, name, derived)
    return cls


class SyncPage(Generic[_P]):
    """A blocking wrapper around any `gospages.OfficialPage`.

    ``factory`` builds the async page; it is called on the background loop, so the
    page's HTTP client belongs to that loop. The async page is at `aio`.

    Every public method of `OfficialPage` is here without ``async``: its methods are
    derived from the interface when this class is made, so a method added to
    `OfficialPage` appears here too. Coroutines block until done, ``posts`` and
    ``comments`` return plain iterators, and ``aclose`` is ``close``.
    """

    def __init__(self, factory: Callable[[], _P]) -> None:
        async def build() -> _P:
            return factory()

        self.aio: _P = run(build())

    def __repr__(self) -> str:
        return f"sync.{self.aio!r}"

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    if TYPE_CHECKING:
        # For type checkers only: at run time these are derived from OfficialPage (see
        # derive_sync_methods); tests/test_sync.py checks that the two agree.
        @property
        def platform(self) -> Platform: ...
        @property
        def page_id(self) -> str: ...
        def capabilities(self) -> Capabilities: ...
        @property
        def limits(self) -> PostLimits: ...
        def problems(self, post: Post, *, now: datetime | None = None) -> list[str]: ...
        def notes(self, post: Post) -> list[str]: ...
        def check(self, post: Post) -> None: ...
        def profile(self) -> PageProfile: ...
        def verification(self) -> Verification: ...
        def read(
            self,
            *,
            since: datetime,
            until: datetime,
            comments: bool = True,
            max_posts: int = 1000,
        ) -> PageReading: ...
        def publish(self, post: Post) -> PublishedPost: ...
        def posts(
            self, *, since: datetime | None = None, until: datetime | None = None
        ) -> Iterator[PostSummary]: ...
        def comments(
            self, post_id: str | None = None, *, since: datetime | None = None
        ) -> Iterator[Comment]: ...
        def reply(self, comment: Comment, text: str) -> Comment: ...
        def delete_comment(self, comment: Comment) -> None: ...
        @property
        def skipped_posts(self) -> list[SkippedPost]: ...
        def ban(
            self, author_id: str, *, until: datetime | None = None, reason: str = ""
        ) -> None: ...
        def close(self) -> None: ...


derive_sync_methods(SyncPage)
