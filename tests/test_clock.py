"""The one clock: virtual time keeps order and spacing, and costs no real time."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from gospages import Clock, RateLimited, RealClock, RetryPolicy, VirtualClock
from gospages._transport import RateLimiter
from gospages.testing import FakeVK, sample_vk
from gospages.vk import VKLimits, VKPage


async def test_concurrent_sleepers_wake_in_deadline_order_at_their_own_time() -> None:
    clock = VirtualClock(start=1000.0)
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.monotonic()))

    await asyncio.gather(sleeper("c", 3.15), sleeper("a", 1.05), sleeper("b", 2.10))
    assert woke == [("a", 1.05), ("b", 2.10), ("c", 3.15)]
    assert clock.time() == pytest.approx(1003.15)


async def test_time_does_not_jump_while_other_tasks_can_run() -> None:
    clock = VirtualClock()
    seen: list[float] = []

    async def busy() -> None:
        for _ in range(50):
            seen.append(clock.monotonic())
            await asyncio.sleep(0)

    async def sleepy() -> None:
        await clock.sleep(10)

    await asyncio.gather(busy(), sleepy())
    assert seen == [0.0] * 50
    assert clock.monotonic() == 10


async def test_a_limiter_of_3_a_second_spaces_10_tasks_in_virtual_time() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(3, 1.05, clock=clock)
    stamps: list[float] = []

    async def request() -> None:
        await limiter.acquire()
        stamps.append(clock.monotonic())

    started = time.perf_counter()
    await asyncio.gather(*(request() for _ in range(10)))
    assert time.perf_counter() - started < 0.5  # no real sleeping
    assert sorted(stamps) == pytest.approx([0.35 * i for i in range(10)])
    # No window of one second ever holds more than three.
    for i in range(len(stamps) - 3):
        assert sorted(stamps)[i + 3] - sorted(stamps)[i] >= 1.0


async def test_hours_of_virtual_sleep_take_no_real_time() -> None:
    clock = VirtualClock()
    started = time.perf_counter()
    await asyncio.gather(*(clock.sleep(3600 * i) for i in range(1, 25)))
    assert clock.monotonic() == 24 * 3600
    assert time.perf_counter() - started < 0.5


async def test_two_virtual_clocks_on_one_loop_do_not_wait_for_each_other() -> None:
    one, other = VirtualClock(), VirtualClock()
    await asyncio.wait_for(asyncio.gather(one.sleep(5), other.sleep(7), one.sleep(1)), 2)
    assert (one.monotonic(), other.monotonic()) == (5, 7)


async def test_a_cancelled_sleeper_does_not_move_time() -> None:
    clock = VirtualClock()
    task = asyncio.ensure_future(clock.sleep(100))
    await asyncio.sleep(0)
    task.cancel()
    await clock.sleep(1)
    assert clock.monotonic() == 1


def test_advance_wakes_sleepers_of_a_loop_in_another_thread() -> None:
    clock = VirtualClock()
    done = threading.Event()

    def run() -> None:
        async def main() -> None:
            await clock.sleep(30)
            done.set()

        asyncio.run(main())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(2)
    assert done.is_set() and clock.monotonic() == 30


def test_real_clocks_are_one_clock() -> None:
    assert RealClock() == RealClock()
    assert isinstance(RealClock(), Clock) and isinstance(VirtualClock(), Clock)
    assert abs(RealClock().time() - time.time()) < 1


async def test_vk_limits_hold_in_virtual_seconds() -> None:
    # The fake still answers error 6 above 3 requests a second of virtual time, and the
    # client's limiter keeps under it without waiting for real.
    sandbox = sample_vk(rate_limits=True)
    started = time.perf_counter()
    async with VKPage(
        sandbox.district, service_token=sandbox.service_token, http_client=sandbox.fake.client()
    ) as page:
        profiles = await asyncio.gather(*(page.profile() for _ in range(10)))
    assert len(profiles) == 10
    assert time.perf_counter() - started < 2
    assert sandbox.fake.clock.monotonic() >= 2 * 1.05


async def test_the_fake_answers_6_when_the_client_goes_over_in_virtual_time() -> None:
    clock = VirtualClock()
    fake = FakeVK(clock=clock)
    fake.add_group(1, "Администрация", "adm")
    fake.add_token("svc", kind="service")
    async with VKPage(
        "adm",
        service_token="svc",
        http_client=fake.client(),
        limits=VKLimits(service=1000),
        clock=clock,
    ) as page:
        page.api.transport.retry = RetryPolicy.none()
        with pytest.raises(RateLimited):
            await asyncio.gather(*(page.profile() for _ in range(5)))


def test_the_fakes_old_callables_still_work_but_are_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="FakeVK"):
        fake = FakeVK(now=lambda: 1234.0)
    assert fake.clock.time() == 1234.0


def test_the_sandbox_is_virtual_unless_real_pace_is_asked() -> None:
    from gospages.testing import build_region

    assert isinstance(build_region(seed=0, telegram=False).clock, VirtualClock)
    region = build_region(seed=0, telegram=False, real_pace=True)
    assert region.clock == RealClock() and region.vk.clock == RealClock()


def test_cli_sandbox_commands_take_real_pace() -> None:
    from gospages.cli import _parser

    parser = _parser()
    assert parser.parse_args(["demo", "--real-pace"]).real_pace
    assert parser.parse_args(["audit", "--sandbox", "--real-pace"]).real_pace
    assert parser.parse_args(["moderate", "--sandbox", "--real-pace"]).real_pace
    assert not parser.parse_args(["demo"]).real_pace


async def test_virtual_time_waits_for_an_answer_from_a_served_fake() -> None:
    # Over a real socket the loop looks idle while a request is out; the clock must not
    # jump to the next limiter slot meanwhile, or the fake sees a burst and answers 6.
    import httpx

    sandbox = sample_vk()
    clock = sandbox.fake.clock
    with sandbox.fake.serve() as url:
        async with httpx.AsyncClient() as http:
            page = VKPage(
                sandbox.district,
                service_token=sandbox.service_token,
                http_client=http,
                clock=clock,
                api_url=url + "/method",
                retry=RetryPolicy.none(),
            )
            results = await asyncio.gather(
                *(page.profile() for _ in range(12)), return_exceptions=True
            )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert clock.monotonic() >= 3 * 1.05 - 1e-9  # 12 requests at 3 per window: 3 windows


def test_a_virtual_clock_and_its_limiters_and_loops_are_freed() -> None:
    import gc
    import weakref

    from gospages import _clock
    from gospages._transport import limiter_for

    async def use(clock: VirtualClock) -> None:
        limiter = limiter_for("vk", "a-token-of-the-test", 3, clock=clock)
        for _ in range(5):
            await limiter.acquire()

    refs = []
    before = len(_clock._drivers)
    for _ in range(5):
        clock = VirtualClock()
        asyncio.run(use(clock))
        refs.append(weakref.ref(clock))
        del clock
    gc.collect()
    assert [r for r in refs if r() is not None] == []
    assert len(_clock._drivers) <= before
