"""What the HTTP fakes (VK, OK) share: recorded calls, fault injection, rate windows."""

from __future__ import annotations

import abc
import asyncio
import bisect
import contextlib
import itertools
import random
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from .._clock import Clock, RealClock, bind_clock

__all__ = ["FakeCall", "FakeHTTPPlatform", "UnsupportedByFake"]


class UnsupportedByFake(Exception):
    """The code under test called something the fake does not implement."""


class FakeError(Exception):
    """An error the fake answers in the platform's own shape."""

    def __init__(self, code: int | str, msg: str, **extra: Any) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.extra = extra


@dataclass(frozen=True)
class FakeCall:
    """One request a fake received (without the token)."""

    method: str
    params: Mapping[str, str]
    token_kind: str | None
    url: str


class FakeHTTPPlatform(abc.ABC):
    """Base of the fakes that answer over HTTP: in process through an httpx transport,
    or as a real HTTP server on 127.0.0.1 (:meth:`serve`) for out-of-process clients."""

    #: Where the fake pretends to live; upload URLs it hands out start with it.
    default_base_url = "https://example.invalid"
    #: Transient error codes of the platform, drawn by :meth:`inject_faults`.
    transient_codes: tuple[int, ...] = ()

    def __init__(
        self,
        *,
        rate_limits: bool = True,
        clock: Clock | Callable[[], float] | None = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        self.rate_limits = rate_limits
        self.clock: Clock = _fake_clock(type(self).__name__, clock, now)
        """The fake's time: its rate windows and the dates of what it creates. Clients from
        :meth:`client` carry it to the pages built on them."""
        self._clock = self.clock.monotonic
        self._now = self.clock.time
        self.base_url = self.default_base_url
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget recorded calls, queued faults and rate windows."""
        self.calls: list[FakeCall] = []
        self.unsupported: list[str] = []
        """What served clients called that the fake does not implement (answered error 3)."""
        self._ids = itertools.count(1000)
        self._faults: dict[str, list[Callable[[], httpx.Response | None]]] = {}
        self._windows: dict[str, list[float]] = {}
        self._arrived: float | None = None
        self._chaos: tuple[float, random.Random, tuple[str, ...]] | None = None

    # -- for tests -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int | str | None = None,
        http_status: int | None = None,
        times: int = 1,
        lose_response: bool = False,
        error_msg: str = "Fake error",
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        ``error_code`` answers a platform error; ``http_status`` an HTTP error;
        ``lose_response`` performs the call and then drops the answer (a timeout for the
        client): the write is committed but the client cannot know.
        """
        if not lose_response and http_status is None and error_code is None:
            raise ValueError("fail_next: укажите error_code, http_status или lose_response=True")
        fault: Callable[[], httpx.Response | None]
        if lose_response:
            fault = lambda: None  # noqa: E731
        elif http_status is not None:
            status = http_status
            fault = lambda: httpx.Response(status, text="Bad Gateway")  # noqa: E731
        else:
            error = FakeError(error_code or 1, error_msg)
            fault = lambda: self._error_response(error, method, {})  # noqa: E731
        self._faults.setdefault(method, []).extend([fault] * times)

    def inject_faults(
        self,
        rate: float,
        *,
        seed: int = 0,
        kinds: tuple[str, ...] = ("error", "http", "lose"),
    ) -> None:
        """Fail a share ``rate`` of all calls, reproducibly for a given ``seed``.

        ``kinds`` picks among a transient platform error (``error``), HTTP 502 (``http``)
        and a committed call whose answer is lost (``lose``). ``rate=0`` turns it off.
        """
        if not 0 <= rate <= 1:
            raise ValueError("inject_faults: rate от 0 до 1")
        unknown = set(kinds) - {"error", "http", "lose"}
        if unknown or not kinds:
            raise ValueError(f"inject_faults: неизвестные виды сбоев {sorted(unknown)}")
        self._chaos = (rate, random.Random(seed), kinds) if rate else None  # noqa: S311

    def calls_of(self, method: str) -> list[FakeCall]:
        """The recorded calls of one method, oldest first."""
        return [c for c in self.calls if c.method == method]

    def transport(self) -> httpx.MockTransport:
        """An httpx transport answering from this fake."""
        return httpx.MockTransport(self.handler)

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` wired to this fake (pass it as ``http_client=``).

        A page built on it without ``clock=`` runs on the fake's :attr:`clock`."""
        return bind_clock(httpx.AsyncClient(transport=self.transport(), **kwargs), self.clock)

    @abc.abstractmethod
    def handler(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (usable as a pytest-httpx callback)."""

    @contextlib.contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve this fake over real HTTP on loopback; yields its base URL.

        For clients in another process or library (the ``vk_api`` package, benchmarks).
        A lost answer (``fail_next(..., lose_response=True)``) closes the connection
        without a response. Upload URLs handed out meanwhile point at this server.
        """
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else 40 ms of delayed ACK per keep-alive answer

            def _answer(self) -> None:
                # The request counts against its key's window when it arrives, as at
                # the platform's front, not when this thread gets the fake's lock (a
                # busy fake would bunch the requests that waited for it).
                arrived = fake._clock()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                request = httpx.Request(
                    self.command,
                    fake.base_url + self.path,
                    content=body,
                    headers=dict(self.headers.items()),
                )
                try:
                    with fake._lock:
                        fake._arrived = arrived
                        try:
                            response = fake.handler(request)
                        finally:
                            fake._arrived = None
                except httpx.TimeoutException:
                    self.close_connection = True  # the answer is lost on the way
                    return
                except UnsupportedByFake as error:
                    # Over the network an unknown method gets the platform's answer
                    # (VK: error 3) instead of a dropped connection; it is kept in
                    # `unsupported` for the test to see.
                    fake.unsupported.append(str(error))
                    response = fake._unknown_method(request)
                payload = response.content
                self.send_response(response.status_code)
                for name, value in response.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer((host, port), Handler)
        server.daemon_threads = True
        previous = self.base_url
        self.base_url = f"http://{host}:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, name="gospages-fake", daemon=True)
        thread.start()
        try:
            yield self.base_url
        finally:
            server.shutdown()
            server.server_close()
            self.base_url = previous

    # -- for subclasses ------------------------------------------------------------------

    def _unknown_method(self, request: httpx.Request) -> httpx.Response:
        """The platform's answer to a method it does not know (served mode)."""
        method = request.url.path.rsplit("/", 1)[-1]
        return self._error_response(FakeError(3, "Unknown method passed"), method, {})

    @abc.abstractmethod
    def _error_response(
        self, error: FakeError, method: str, params: Mapping[str, str]
    ) -> httpx.Response: ...

    def _take_fault(self, method: str) -> tuple[httpx.Response | None, bool]:
        """``(response to send instead, lose the real answer)`` for the next call."""
        faults = self._faults.get(method)
        if faults:
            injected = faults.pop(0)()
            return injected, injected is None
        if self._chaos is None:
            return None, False
        rate, rng, kinds = self._chaos
        if rng.random() >= rate:
            return None, False
        kind = rng.choice(kinds)
        if kind == "lose":
            return None, True
        if kind == "http" or not self.transient_codes:
            return httpx.Response(502, text="Bad Gateway"), False
        code = rng.choice(self.transient_codes)
        return self._error_response(FakeError(code, "Injected fault"), method, {}), False

    def _over_rate(self, key: str, per_second: int) -> bool:
        """Count a request against ``key``'s one-second window; True when over.

        The window slides: no second, wherever it starts, holds more than ``per_second``
        accepted requests. That is at least as strict as counting whole seconds of the
        server's clock (VK's "requests per second"), so a client the fake never refuses is
        not refused by VK for its pace either."""
        if not self.rate_limits:
            return False
        now = self._clock() if self._arrived is None else self._arrived
        window = self._windows.setdefault(key, [])
        # Served requests are counted at their arrival, which may be a little earlier
        # than the last one counted: the window is kept sorted and every second that
        # holds ``now`` is checked, not only the one ending at it.
        old = bisect.bisect_left(window, now - 2.0)
        if old:
            del window[:old]
        first = bisect.bisect_right(window, now - 1.0)
        for start in [now, *window[first : bisect.bisect_right(window, now)]]:
            held = bisect.bisect_left(window, start + 1.0) - bisect.bisect_left(window, start)
            if held >= per_second:
                return True
        bisect.insort(window, now)
        return False


class _CallableClock(Clock):
    """The deprecated ``clock=``/``now=`` callables of the fakes, as a `Clock`."""

    def __init__(self, monotonic: Callable[[], float], now: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._time = now

    def monotonic(self) -> float:
        return self._monotonic()

    def time(self) -> float:
        return self._time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _fake_clock(
    name: str, clock: Clock | Callable[[], float] | None, now: Callable[[], float] | None
) -> Clock:
    if isinstance(clock, Clock):
        if now is not None:
            raise TypeError(f"{name}: now= не сочетается с clock=Clock")
        return clock
    if clock is None and now is None:
        return RealClock()
    warnings.warn(
        f"{name}(clock=функция, now=функция) устарел: передайте clock=gospages.VirtualClock() "
        "или RealClock()",
        DeprecationWarning,
        stacklevel=4,
    )
    return _CallableClock(clock or time.monotonic, now or time.time)
