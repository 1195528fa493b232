from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gospages import RealClock, VirtualClock
from gospages._transport import RateLimiter, limiter_for
from gospages.testing import sample_vk
from gospages.vk import TokenKind, VKLimits, VKPage


def test_limiter_spaces_requests_over_the_window() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(3, 1.0, clock=clock)
    delays = [limiter.reserve() for _ in range(7)]
    # Evenly spaced, a third of the period apart, not three at once and then a pause.
    assert delays == pytest.approx([i / 3 for i in range(7)])
    clock.advance(5)
    assert limiter.reserve() == 0


def test_limiter_counts_concurrent_tasks() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(20, 1.0, clock=clock)
    times: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        times.append(clock.monotonic())

    async def main() -> None:
        await asyncio.gather(*(one() for _ in range(45)))

    asyncio.run(main())
    assert sorted(times) == pytest.approx([i / 20 for i in range(45)])


def test_a_callable_clock_still_works_but_is_deprecated() -> None:
    now = [100.0]
    with pytest.warns(DeprecationWarning, match="RateLimiter"):
        limiter = RateLimiter(1, 1.0, clock=lambda: now[0])
    assert limiter.reserve() == 0
    assert limiter.reserve() == 1.0
    now[0] += 5
    assert limiter.reserve() == 0


def test_limiter_is_shared_per_token_not_per_page() -> None:
    clock = VirtualClock()
    a = limiter_for("vk", "same-token-abc", 3, clock=clock)
    b = limiter_for("vk", "same-token-abc", 3, clock=clock)
    c = limiter_for("vk", "other-token-xyz", 3, clock=clock)
    assert a is b and a is not c


def test_one_token_has_one_limiter_and_the_strictest_rate_applies() -> None:
    clock = VirtualClock()
    limiters = [limiter_for("vk", "token-3-20-3", rate, clock=clock) for rate in (3, 20, 3)]
    assert limiters[0] is limiters[1] is limiters[2]
    assert limiters[0].rate == 3
    laxer_later = [limiter_for("vk", "token-20-3", rate, clock=clock) for rate in (20, 3, 20)]
    assert laxer_later[0] is laxer_later[2] and laxer_later[0].rate == 3
    # OK's slower-than-once-a-second pace shares the same limiter and wins.
    slow = limiter_for("ok", "token-3-20-3", 1, period=2.0, clock=clock)
    assert limiter_for("ok", "token-3-20-3", 20, clock=clock) is slow
    assert (slow.rate, slow.period) == (1, 2.0)


def test_limiters_are_per_clock() -> None:
    # Each sandbox (and so each test) has its own time, and its own limiters.
    one, other = VirtualClock(), VirtualClock()
    assert limiter_for("vk", "t", 3, clock=one) is not limiter_for("vk", "t", 3, clock=other)
    assert limiter_for("vk", "t", 3, clock=RealClock()) is limiter_for("vk", "t", 3)


def test_pages_on_one_token_share_one_limiter() -> None:
    sandbox = sample_vk(rate_limits=False)
    kwargs = {"service_token": sandbox.service_token, "http_client": sandbox.fake.client()}
    pages = [
        VKPage(sandbox.district, limits=VKLimits(service=rate), **kwargs)  # type: ignore[arg-type]
        for rate in (3, 20, 3)
    ]
    limiters = {id(page.api._limiters[TokenKind.SERVICE]) for page in pages}
    assert len(limiters) == 1
    assert pages[1].api._limiters[TokenKind.SERVICE].rate == 3
    assert pages[0].api.transport.clock is sandbox.fake.clock


def test_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)


_FORM_VALUES = st.one_of(
    st.text(max_size=40),
    st.booleans(),
    st.none(),
    st.integers(),
    st.lists(st.text(max_size=8), max_size=3),
)


@given(st.dictionaries(st.text(min_size=1, max_size=6), _FORM_VALUES, max_size=4))
def test_a_form_body_says_what_httpx_would(data: dict[str, object]) -> None:
    # The transport encodes forms itself (quoting kilobytes of execute code a character at
    # a time was a fifth of a fleet audit's CPU): the server must read the same form.
    from urllib.parse import parse_qsl

    from gospages._transport import form_body

    theirs = httpx.Request("POST", "http://x", data=data).read().decode()
    assert parse_qsl(form_body(data).decode(), keep_blank_values=True) == parse_qsl(
        theirs, keep_blank_values=True
    )
