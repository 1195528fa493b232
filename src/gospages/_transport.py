"""The one HTTP transport shared by the VK, OK and MAX backends.

It owns (or borrows) an ``httpx.AsyncClient`` and gives the backends three things:

* `RateLimiter`: at most N requests per period for one token, shared by every page
  that uses the same token in this process (`limiter_for`);
* `RetryPolicy` and `Transport.run`: bounded retries with exponential backoff
  and jitter (tenacity) that honour a platform's ``retry_after``; *which* errors are retried
  is the caller's decision, because a write may only be retried when it is idempotent;
* `Transport.post` and `Transport.request`: one HTTP request whose failures become
  gospages errors without the request (and so without the token) attached.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import re
import ssl
import threading
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

import httpx
import tenacity
from tenacity.wait import wait_base

from ._clock import Clock, RealClock, resolve_clock
from ._errors import GospagesError, NetworkError, PlatformError, RateLimited, ServerError
from ._models import Platform
from ._version import __version__

__all__ = [
    "RateLimiter",
    "RetryCodes",
    "RetryMode",
    "RetryPolicy",
    "Transport",
    "default_ssl_context",
    "form_value",
    "limiter_for",
    "shared_client",
]

log = logging.getLogger("gospages.transport")

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """At most ``rate`` sends in any window of ``period`` seconds of ``clock``, evenly spaced.

    Sends are spaced ``period / rate`` apart (a cell rate, not a burst followed by a
    pause), counted from the instants they actually happened: a send that goes out late
    pushes the ones after it instead of bunching with them, so a server counting
    one-second windows never sees more than ``rate`` of them. :meth:`acquire` takes its
    own return as the send; :meth:`sending` lets the caller say when the request really
    left (the transport does, from the HTTP connection's trace).

    The schedule is read and written under a thread lock with no ``await`` in between, so
    concurrent tasks never overbook, and the limiter is not bound to an event loop: the
    sync facade and several loops may share it. ``clock`` is a :class:`~gospages.Clock`
    (the real one by default); a bare callable returning seconds is deprecated.
    """

    def __init__(
        self,
        rate: int,
        period: float = 1.0,
        *,
        clock: Clock | Callable[[], float] | None = None,
        sleep: Sleep | None = None,
        jitter: float = 0.0,
    ) -> None:
        if rate < 1 or period <= 0 or jitter < 0:
            raise ValueError("rate must be >= 1, period > 0 and jitter >= 0")
        self.rate = rate
        self.jitter = jitter
        """A send that goes out up to this late still counts at its slot (the caller's
        ``period`` has this much slack over the server's window); later ones push."""
        self.period = period
        if clock is None or isinstance(clock, Clock):
            self.clock: Clock = clock or RealClock()
            self._clock: Callable[[], float] = self.clock.monotonic
        else:
            warnings.warn(
                "RateLimiter(clock=callable) устарел: передайте gospages.Clock "
                "(RealClock или VirtualClock)",
                DeprecationWarning,
                stacklevel=2,
            )
            self.clock = RealClock()
            self._clock = clock
        self._sleep: Sleep = sleep or self.clock.sleep
        self._lock = threading.Lock()
        self._interval = period / rate
        # Slots are handed out ``_interval`` apart from ``_next``; a slot is only used
        # ``_interval`` after the instant of the latest send (``_last``), so a late send
        # pushes the next ones; ``_pending`` counts admitted sends (`sending`) whose
        # instant is not known yet.
        self._next = -math.inf
        self._last = -math.inf
        self._pending = 0

    @property
    def interval(self) -> float:
        """Seconds between two sends: ``period / rate``."""
        return self._interval

    def tighten(self, rate: int, period: float) -> None:
        """Apply ``rate`` per ``period`` if it is stricter than the current limit."""
        if rate < 1 or period <= 0:
            raise ValueError("rate must be >= 1 and period > 0")
        with self._lock:
            if rate / period >= self.rate / self.period:
                return
            self.rate, self.period = rate, period
            self._interval = period / rate

    def delay(self) -> float:
        """How long a request would wait now, without reserving a slot."""
        with self._lock:
            now = self._clock()
            due = max(self._next, self._last + self._interval)
            return max(0.0, due - now)

    def reserve(self) -> float:
        """Reserve the next slot; returns how long to wait before using it.

        The caller sends at the slot; a caller that cannot promise that uses
        :meth:`acquire` or :meth:`sending`, which count the instant of the send.
        """
        with self._lock:
            now = self._clock()
            slot = self._reserve(now)
            self._last = max(self._last, slot)
            return slot - now

    def _reserve(self, now: float) -> float:
        slot = max(now, self._next)
        self._next = slot + self._interval
        return slot

    async def _admit(self, *, report: bool) -> None:
        with self._lock:
            planned = self._reserve(self._clock())
        while True:
            with self._lock:
                now = self._clock()
                due = max(planned, self._last + self._interval)
                if self._pending:
                    # The previous send has not gone out yet: look again in a little
                    # while (it says so at the latest when its block is left).
                    due = max(due, now + self._interval / 4)
                if now >= due:
                    # A send admitted up to ``jitter`` late (a busy loop) still counts at
                    # its slot: the schedule keeps its pace instead of drifting by every
                    # delay; later than that, it pushes the next ones.
                    self._last = max(due, now - self.jitter)
                    if report:
                        self._pending += 1
                    return
            await self._sleep(due - now)

    def _sent(self) -> None:
        with self._lock:
            if self._pending:
                self._pending -= 1
            self._last = max(self._last, self._clock() - self.jitter)

    async def acquire(self) -> None:
        """Wait for the next slot; the send is taken to happen on return."""
        await self._admit(report=False)

    @contextlib.asynccontextmanager
    async def sending(self) -> AsyncIterator[Callable[[], None]]:
        """Wait for the next slot and yield ``sent()``: call it at the instant the request
        goes out (leaving the block counts as the send if it was not called). Until then
        the next sender waits, so a request held up on the way delays the next ones."""
        await self._admit(report=True)
        done = False

        def sent() -> None:
            nonlocal done
            if not done:
                done = True
                self._sent()

        try:
            yield sent
        finally:
            sent()


# One limiter per token and clock: the real clock's are process-wide; another clock keeps
# its own on itself, so they live exactly as long as the clock (each test's sandbox has
# its own; a registry keyed by the clock would keep it alive through its limiters).
_real_limiters: dict[tuple[str, str], RateLimiter] = {}
_limiters_lock = threading.Lock()


def _limiters_of(clock: Clock) -> dict[tuple[str, str], RateLimiter]:
    if isinstance(clock, RealClock):
        return _real_limiters
    own: dict[tuple[str, str], RateLimiter] = vars(clock).setdefault("_gospages_limiters", {})
    return own


# A little slack over the platform's window: our clock and the server's are not the same,
# and a request sent exactly on the edge of a window is counted in the old one there.
_WINDOW_SLACK = 1.05


def limiter_for(
    scope: str,
    secret: str,
    rate: int,
    *,
    period: float = _WINDOW_SLACK,
    clock: Clock | None = None,
) -> RateLimiter:
    """The one limiter of a token on ``clock`` (keyed by a hash, never the token itself).

    Every page on the token shares it; when pages ask different rates, the strictest
    applies to all of them.
    """
    clock = clock or RealClock()
    digest = hashlib.sha256(secret.encode()).hexdigest()[:16]
    key = (scope, digest)
    with _limiters_lock:
        registry = _limiters_of(clock)
        limiter = registry.get(key)
        if limiter is None:
            # Sends may go out late by half the slack the period has over the server's
            # window without pushing the next ones (that would slow every send by the
            # time it takes to get onto its connection).
            jitter = (period - period / _WINDOW_SLACK) / 2
            limiter = RateLimiter(rate, period, clock=clock, jitter=jitter)
            registry[key] = limiter
        else:
            limiter.tighten(rate, period)
        return limiter


@dataclass(frozen=True)
class RetryPolicy:
    """How many times, and how patiently, to retry a failed request.

    Args:
        attempts: total attempts including the first (1 turns retries off).
        initial_delay: first backoff in seconds; it doubles each time, with jitter.
        max_delay: the longest single backoff.
        max_retry_after: a platform asking to wait longer than this is not waited for:
            the `RateLimited` error is raised so the caller can decide.
    """

    attempts: int = 4
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0

    @classmethod
    def none(cls) -> RetryPolicy:
        """No retries at all (useful in tests)."""
        return cls(attempts=1)


class RetryMode(Enum):
    """Which failures a call may be retried on."""

    READ = "read"
    """Reads: transient platform errors, rate limits, HTTP 5xx and lost connections."""
    IDEMPOTENT = "idempotent"
    """Writes the platform de-duplicates (VK ``guid``): as reads, minus flood control."""
    UNSAFE = "unsafe"
    """Other writes: only errors the platform returns before doing anything."""


@dataclass(frozen=True)
class RetryCodes:
    """A platform's native error codes that each :class:`RetryMode` retries (numbers, or
    MAX's text codes such as ``attachment.not.ready``).

    HTTP 5xx and lost connections (errors without an integer code) are retried in the
    ``READ`` and ``IDEMPOTENT`` modes; in ``UNSAFE`` mode the outcome of a write is
    unknown after them, so they are never resent.
    """

    read: frozenset[int | str]
    idempotent: frozenset[int | str]
    unsafe: frozenset[int | str]

    def predicate(self, mode: RetryMode) -> Callable[[GospagesError], bool]:
        codes = {
            RetryMode.READ: self.read,
            RetryMode.IDEMPOTENT: self.idempotent,
            RetryMode.UNSAFE: self.unsafe,
        }[mode]

        def check(error: GospagesError) -> bool:
            if error.code is not None and error.code in codes:
                return True  # the platform's own "not done, try again" (MAX: a text code)
            if isinstance(error, RateLimited) and error.code == HTTP_TOO_MANY:
                # HTTP 429 says "not now" before anything was done; only reads are resent
                # after it (a write is the caller's to repeat).
                return mode is RetryMode.READ
            transient = isinstance(error, (NetworkError, ServerError)) and not isinstance(
                error.code, int
            )
            if transient:
                return mode is not RetryMode.UNSAFE
            return error.code in codes

        return check


HTTP_TOO_MANY = "HTTP 429"
"""The ``code`` of the `RateLimited` an HTTP 429 answer becomes."""


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds; ``None`` otherwise (an
    HTTP date or junk: the policy's backoff applies)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if 0 <= seconds < float("inf") else None


_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-~]+")


def _percent(run: re.Match[str]) -> str:
    return "%" + run.group().encode().hex("%").upper()


def _quoted(value: Any) -> str:
    """One key or value of a form, as httpx writes it: ``None`` empty, booleans in words."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    return _UNSAFE.sub(_percent, text)


def form_body(data: Mapping[str, Any]) -> bytes:
    """``data`` as an ``application/x-www-form-urlencoded`` body, exactly as httpx encodes
    it (a list is the key repeated; ``True``/``False``/``None`` are ``true``/``false``/
    empty), but a run of characters at a time: an ``execute`` carries kilobytes of code,
    and quoting it a character at a time was a fifth of a fleet audit's CPU."""
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            pairs.append(f"{_quoted(key)}={_quoted(item)}")
    return "&".join(pairs).encode("ascii")


def form_value(value: Any) -> str:
    """A parameter as platforms expect it in a form: ``1``/``0``, comma lists, text."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ",".join(form_value(v) for v in value)
    return str(value)


class _Wait(wait_base):
    """Exponential backoff with jitter, or the platform's ``retry_after`` when it gave one."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._max = policy.max_delay
        self._backoff = tenacity.wait_exponential(
            multiplier=policy.initial_delay, max=policy.max_delay
        ) + tenacity.wait_random(0, policy.initial_delay)

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after
        return min(self._max, float(self._backoff(retry_state)))


_ssl_lock = threading.Lock()
_default_ssl: ssl.SSLContext | None = None


def default_ssl_context() -> ssl.SSLContext:
    """The process's one SSL context for the platforms' APIs (the system's and certifi's
    usual trust, nothing more), built on first use: building one costs ~20 ms of CPU, and
    every page's client would otherwise build its own. A backend that must trust something
    else gives `Transport` its own ``ssl_context`` instead of changing this one."""
    global _default_ssl
    with _ssl_lock:
        if _default_ssl is None:
            _default_ssl = httpx.create_ssl_context()
        return _default_ssl


def shared_client(
    *,
    timeout: float = 30.0,
    max_connections: int = 32,
    ssl_context: ssl.SSLContext | None = None,
    user_agent: str | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for many pages of one run (see `gospages.PageFactory`).

    Its pool holds ``max_connections`` connections (all kept alive); a request waiting
    for one waits as long as it takes (no pool timeout): the rate limiters and the run's
    bounded concurrency pace the requests, and a page must not fail because others are
    ahead of it. Connecting, reading and writing keep ``timeout``.
    """
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, pool=None),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        verify=ssl_context or default_ssl_context(),
        headers={"User-Agent": user_agent or f"gospages/{__version__}"},
    )


_SENT_EVENTS = frozenset(
    {"http11.send_request_headers.started", "http2.send_request_headers.started"}
)


class Transport:
    """HTTP for one platform: an ``httpx.AsyncClient``, bounded retries, no leaked secrets.

    Without ``http_client`` it makes its own client on first use (and closes it in
    `aclose`), with the process's shared SSL context (`default_ssl_context`) unless it is
    given ``ssl_context``. A client passed in is the caller's to close.
    """

    def __init__(
        self,
        platform: Platform,
        *,
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep | None = None,
        user_agent: str | None = None,
        clock: Clock | None = None,
        ssl_context: ssl.SSLContext | None = None,
        mounts: Callable[[], Mapping[str, httpx.AsyncBaseTransport]] | None = None,
    ) -> None:
        self.platform = platform
        self._mounts = mounts
        """Makes the per-host transports of a client this transport creates (MAX trusts
        its own root certificate for its API host only)."""
        self.retry = retry or RetryPolicy()
        self.clock: Clock = resolve_clock(clock, http_client)
        """Time for the limiters and the retry backoff (``clock=``, else the clock of the
        fake ``http_client`` talks to, else the real one)."""
        self._sleep: Sleep = sleep or self.clock.sleep
        self._owns_client = http_client is None
        self._client = http_client
        self._timeout = timeout
        self._ssl_context = ssl_context
        self._headers = {"User-Agent": user_agent or f"gospages/{__version__}"}

    @property
    def client(self) -> httpx.AsyncClient:
        # Created lazily, inside the running loop (an AsyncClient built in one loop and
        # used in another fails with "Event loop is closed").
        if self._client is None:
            mounts = dict(self._mounts()) if self._mounts is not None else None
            self._client = httpx.AsyncClient(
                timeout=self._timeout,
                headers=self._headers,
                verify=self._ssl_context or default_ssl_context(),
                mounts=mounts,
            )
        return self._client

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def post(
        self,
        url: str,
        *,
        method: str,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes]] | None = None,
        headers: Mapping[str, str] | None = None,
        on_send: Callable[[], None] | None = None,
    ) -> httpx.Response:
        """POST ``data`` (form-encoded, or multipart with ``files``) to ``url``.

        ``method`` names the API method for errors and logs. Connection failures become
        `NetworkError` and HTTP 5xx `ServerError`; neither keeps the request.
        ``on_send()`` is called when the request starts going out on its connection
        (after waiting for the pool and connecting), if the client's transport says so.
        """
        return await self.request(
            "POST", url, method=method, data=data, files=files, headers=headers, on_send=on_send
        )

    async def request(
        self,
        verb: str,
        url: str,
        *,
        method: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes]] | None = None,
        headers: Mapping[str, str] | None = None,
        on_send: Callable[[], None] | None = None,
    ) -> httpx.Response:
        """One HTTP request (``verb``: GET, POST, PUT, DELETE ...) for REST APIs (MAX).

        ``params`` go into the query string (never put a secret there: URLs get
        logged), ``json`` is a JSON body. Errors and ``on_send`` as for :meth:`post`.
        """
        extensions: dict[str, Any] | None = None
        if on_send is not None:

            async def trace(event: str, info: Mapping[str, Any]) -> None:
                if event in _SENT_EVENTS:
                    on_send()

            extensions = {"trace": trace}
        try:
            # While the request is out (a real socket, maybe a served fake), virtual time
            # must not run ahead of it: the clock waits for the answer.
            sent_headers = {**self._headers, **(headers or {})}
            content: bytes | None = None
            if data is not None and files is None and json is None:
                content = form_body(data)
                sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
                data = None
            with self.clock.outside():
                response = await self.client.request(
                    verb,
                    url,
                    params=dict(params) if params is not None else None,
                    json=json,
                    content=content,
                    data=dict(data) if data is not None else None,
                    files=dict(files) if files is not None else None,
                    headers=sent_headers,
                    extensions=extensions,
                )
        except httpx.TimeoutException as exc:
            raise NetworkError(
                f"{self.platform.label} не ответил вовремя ({type(exc).__name__})",
                platform=self.platform,
                method=method,
            ) from None
        except httpx.TransportError as exc:
            raise NetworkError(
                f"Нет связи с {self.platform.label} ({type(exc).__name__})",
                platform=self.platform,
                method=method,
            ) from None
        if response.status_code == 429:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            wait = f", повторить через {retry_after:g} с" if retry_after is not None else ""
            raise RateLimited(
                f"{self.platform.label} ответил HTTP 429: слишком много запросов{wait}",
                platform=self.platform,
                method=method,
                code=HTTP_TOO_MANY,
                retry_after=retry_after,
            )
        if response.status_code >= 500:
            raise ServerError(
                f"{self.platform.label} вернул ошибку сервера HTTP {response.status_code}",
                platform=self.platform,
                method=method,
                code=f"HTTP {response.status_code}",
            )
        return response

    def json(self, response: httpx.Response, method: str) -> Any:
        """The JSON body of ``response``; a body that is not JSON is a gospages error."""
        try:
            return response.json()
        # ValueError covers JSONDecodeError and UnicodeDecodeError; RecursionError is a body
        # nested deeper than the parser goes (a crafted answer must stay with its page).
        except (ValueError, RecursionError):
            label = self.platform.label
            if response.status_code >= 400:
                raise PlatformError(
                    f"{label} ответил HTTP {response.status_code}",
                    platform=self.platform,
                    method=method,
                    code=f"HTTP {response.status_code}",
                ) from None
            raise ServerError(
                f"{label} вернул не JSON (HTTP {response.status_code})",
                platform=self.platform,
                method=method,
            ) from None

    async def run(
        self,
        operation: Callable[[], Awaitable[T]],
        *,
        retry_if: Callable[[GospagesError], bool],
        method: str,
    ) -> T:
        """Run ``operation`` and retry it, within `retry`, while ``retry_if`` says so.

        A `RateLimited` whose ``retry_after`` exceeds the policy's
        ``max_retry_after`` is raised at once.
        """
        policy = self.retry

        def should_retry(error: BaseException) -> bool:
            if not isinstance(error, GospagesError) or not retry_if(error):
                return False
            return not (
                isinstance(error, RateLimited)
                and error.retry_after is not None
                and error.retry_after > policy.max_retry_after
            )

        def before_sleep(state: tenacity.RetryCallState) -> None:
            outcome = state.outcome
            error = outcome.exception() if outcome is not None else None
            log.warning(
                "%s %s: %s, попытка %d из %d, повтор через %.1f с",
                self.platform.value,
                method,
                type(error).__name__,
                state.attempt_number,
                policy.attempts,
                state.upcoming_sleep,
            )

        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(max(1, policy.attempts)),
            wait=_Wait(policy),
            retry=tenacity.retry_if_exception(should_retry),
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return await retrying(operation)
