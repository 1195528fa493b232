"""One clock for the client and the fakes: real time, or virtual time for tests and the sandbox.

Every place that reads the time or sleeps (the rate limiter, the retry backoff, the fakes'
rate windows and dates, Telegram's simulated flood waits) asks a `Clock`. `RealClock` is
the wall clock; `VirtualClock` is a discrete-event clock for asyncio: sleeping costs no
real time, yet the limits still hold in virtual seconds.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import heapq
import itertools
import threading
import time
import weakref
from collections.abc import Iterator

import httpx

__all__ = ["Clock", "RealClock", "VirtualClock"]


class Clock(abc.ABC):
    """Where time comes from: ``monotonic()`` for intervals, ``time()`` for dates."""

    @abc.abstractmethod
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (only differences mean anything)."""

    @abc.abstractmethod
    def time(self) -> float:
        """Seconds since the Unix epoch."""

    @abc.abstractmethod
    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock."""

    def outside(self) -> contextlib.AbstractContextManager[None]:
        """Around waiting for the outside world (a request on a socket, a thread): a
        virtual clock does not move meanwhile. The real clock has nothing to do."""
        return contextlib.nullcontext()


class RealClock(Clock):
    """The wall clock: ``time.monotonic``, ``time.time`` and ``asyncio.sleep``.

    All real clocks are the same clock (they compare equal).
    """

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RealClock)

    def __hash__(self) -> int:
        return hash(RealClock)

    def __repr__(self) -> str:
        return "RealClock()"


# How many times the advancer yields to the loop before moving time, on loops that do not
# let it see their queue of ready callbacks (not CPython's asyncio).
_IDLE_ROUNDS = 8

_Sleeper = tuple[float, int, "asyncio.Future[None]"]


class VirtualClock(Clock):
    """Virtual time for asyncio: sleeping takes no real time, order and spacing are kept.

    Sleepers wake in the order of their deadlines, and time only moves (to the earliest
    deadline) when nothing else on the event loop is ready to run, so concurrent tasks see
    the same timeline as with real time: a limiter of 3 requests a second still spaces
    requests by a third of a virtual second. Thread-safe: fakes served from other threads
    read it, and several loops may sleep on it.

    Args:
        start: the epoch time it starts at (now by default); ``monotonic()`` starts at 0.
    """

    def __init__(self, start: float | None = None) -> None:
        self._epoch = time.time() if start is None else float(start)
        self._elapsed = 0.0
        self._lock = threading.Lock()
        self._sleepers: list[_Sleeper] = []
        self._seq = itertools.count()
        self._outside = 0

    def __repr__(self) -> str:
        return f"VirtualClock(time={self.time():.3f})"

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def time(self) -> float:
        with self._lock:
            return self._epoch + self._elapsed

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` now, waking the sleepers that come due."""
        if seconds < 0:
            raise ValueError("VirtualClock.advance: время не идёт назад")
        with self._lock:
            self._elapsed += seconds
            due = self._pop_due(self._elapsed)
        _wake(due)

    @contextlib.contextmanager
    def outside(self) -> Iterator[None]:
        """Time stands while a request is out: an answer that takes real time to come (a
        served fake on a socket) arrives before any sleeper due later wakes up."""
        with self._lock:
            self._outside += 1
        try:
            yield
        finally:
            with self._lock:
                self._outside -= 1
                waiting = self._outside == 0
                loops = {future.get_loop() for _, _, future in self._sleepers}
            if waiting:
                for loop in loops:  # the drivers parked while the request was out
                    if not loop.is_closed():
                        loop.call_soon_threadsafe(_driver(loop).add, self)

    def _is_outside(self) -> bool:
        with self._lock:
            return self._outside > 0

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            heapq.heappush(self._sleepers, (self._elapsed + seconds, next(self._seq), future))
        _driver(loop).add(self)
        await future  # a cancelled sleeper is skipped when its deadline comes

    # -- internals ------------------------------------------------------------------------

    def _pop_due(self, until: float) -> list[asyncio.Future[None]]:
        due = []
        while self._sleepers and self._sleepers[0][0] <= until:
            due.append(heapq.heappop(self._sleepers)[2])
        return due

    def _step(self) -> bool:
        """Move to the earliest deadline and wake who is due; ``False`` if none sleeps."""
        with self._lock:
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled
            if not self._sleepers:
                return False
            self._elapsed = max(self._elapsed, self._sleepers[0][0])
            due = self._pop_due(self._elapsed)
            more = bool(self._sleepers)
        _wake(due)
        return more


class _Driver:
    """Moves the virtual clocks slept on in one event loop, when that loop is idle.

    One per loop, so that two clocks on one loop never see each other as work to wait for.
    Runs only in its loop's thread.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        # Weakly: the registry of drivers is keyed by the loop and must not keep it alive.
        self._loop = weakref.ref(loop)
        self.clocks: list[VirtualClock] = []
        self.scheduled = False

    def add(self, clock: VirtualClock) -> None:
        if clock not in self.clocks:
            self.clocks.append(clock)
        loop = self._loop()
        if not self.scheduled and loop is not None:
            self.scheduled = True
            loop.call_soon(self.run, 0)

    def run(self, idle: int) -> None:
        loop = self._loop()
        if loop is None:
            return
        ready = getattr(loop, "_ready", None)
        # Not CPython's loop (no queue to look at): give the rest a few rounds first.
        busy = len(ready) > 0 if ready is not None else idle < _IDLE_ROUNDS
        if busy:
            loop.call_soon(self.run, 0 if ready is not None else idle + 1)
            return
        if any(clock._is_outside() for clock in self.clocks):
            # A request is out: park until it is back (outside() schedules us again),
            # instead of spinning or moving time ahead of the answer.
            self.scheduled = False
            return
        self.clocks = [clock for clock in self.clocks if clock._step()]
        if self.clocks:
            loop.call_soon(self.run, 0)
        else:
            self.scheduled = False


_drivers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Driver] = (
    weakref.WeakKeyDictionary()
)
_drivers_lock = threading.Lock()


def _driver(loop: asyncio.AbstractEventLoop) -> _Driver:
    with _drivers_lock:
        driver = _drivers.get(loop)
        if driver is None:
            driver = _drivers[loop] = _Driver(loop)
        return driver


def _wake(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        loop = future.get_loop()
        if loop.is_closed():
            continue
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            _resolve(future)
        else:
            loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


# A client made by a fake (``fake.client()``) carries the fake's clock, so a page built
# on it without ``clock=`` runs on the same time as the fake it talks to.
_bound: weakref.WeakKeyDictionary[httpx.AsyncClient, Clock] = weakref.WeakKeyDictionary()
_bound_lock = threading.Lock()


def bind_clock(client: httpx.AsyncClient, clock: Clock) -> httpx.AsyncClient:
    """Remember that ``client`` talks to a world running on ``clock``."""
    with _bound_lock:
        _bound[client] = clock
    return client


def clock_of(client: httpx.AsyncClient | None) -> Clock | None:
    """The clock bound to ``client`` by `bind_clock`, if any."""
    if client is None:
        return None
    with _bound_lock:
        return _bound.get(client)


def resolve_clock(clock: Clock | None, client: httpx.AsyncClient | None = None) -> Clock:
    """``clock``, else the clock of ``client``'s fake, else the real clock."""
    return clock or clock_of(client) or RealClock()
