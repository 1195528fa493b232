"""The limiter spaces sends evenly, from the instants they really went out (issue 12)."""

from __future__ import annotations

import asyncio
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from gospages import VirtualClock
from gospages._transport import RateLimiter
from gospages.testing import FakeVK
from gospages.vk import VKLimits, VKPage


def most_in_a_window(stamps: list[float], period: float) -> int:
    """The most sends any half-open window of ``period`` holds."""
    stamps = sorted(stamps)
    most, first = 0, 0
    for last, stamp in enumerate(stamps):
        while stamp - stamps[first] >= period:
            first += 1
        most = max(most, last - first + 1)
    return most


@settings(max_examples=60, deadline=None)
@given(
    rate=st.integers(1, 25),
    period=st.sampled_from([0.5, 1.0, 1.05]),
    tasks=st.integers(1, 12),
    per_task=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    late=st.floats(0, 3),
)
def test_no_window_ever_holds_more_than_rate_sends(
    rate: int, period: float, tasks: int, per_task: int, seed: int, late: float
) -> None:
    clock = VirtualClock()
    limiter = RateLimiter(rate, period, clock=clock)
    rng = random.Random(seed)
    # Each send is held up on its way by a random delay (a slow connection, a busy loop),
    # up to ``late`` intervals, and tasks start and pause at random.
    delays = [
        [
            (rng.uniform(0, 2 * period), rng.uniform(0, late * period / rate))
            for _ in range(per_task)
        ]
        for _ in range(tasks)
    ]
    sends: list[float] = []

    async def task(plan: list[tuple[float, float]]) -> None:
        for pause, on_the_way in plan:
            await clock.sleep(pause)
            async with limiter.sending() as sent:
                await clock.sleep(on_the_way)
                sent()
                sends.append(clock.monotonic())
                await clock.sleep(on_the_way)  # the answer comes back

    async def main() -> None:
        await asyncio.gather(*(task(plan) for plan in delays))

    asyncio.run(main())
    assert len(sends) == tasks * per_task
    # (a nanosecond less than the period: float rounding of exactly-spaced instants)
    assert most_in_a_window(sends, period - 1e-9) <= rate
    gaps = [b - a for a, b in zip(sorted(sends), sorted(sends)[1:], strict=False)]
    assert min(gaps, default=period) >= period / rate - 1e-9


def test_a_late_send_pushes_the_next_ones_instead_of_bunching() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(3, 1.0, clock=clock)
    sends: list[float] = []

    async def one(index: int) -> None:
        async with limiter.sending() as sent:
            if index == 1:
                await clock.sleep(0.2)  # this one is 0.2 s late on its way out
            sent()
            sends.append(clock.monotonic())

    async def main() -> None:
        await asyncio.gather(*(one(i) for i in range(5)))

    asyncio.run(main())
    third = 1 / 3
    expected = [0, third + 0.2, 2 * third + 0.2, 1 + 0.2, 4 * third + 0.2]
    assert all(abs(a - b) < 1e-9 for a, b in zip(sorted(sends), expected, strict=True))


def test_acquire_alone_spaces_evenly_and_says_how_long_the_next_waits() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(4, 1.0, clock=clock)

    async def main() -> list[float]:
        stamps = []
        for _ in range(5):
            await limiter.acquire()
            stamps.append(clock.monotonic())
        return stamps

    assert asyncio.run(main()) == [0, 0.25, 0.5, 0.75, 1.0]
    assert abs(limiter.delay() - 0.25) < 1e-9
    clock.advance(10)
    assert limiter.delay() == 0


async def test_fake_vk_never_refuses_pages_read_at_its_rate() -> None:
    clock = VirtualClock()
    fake = FakeVK(clock=clock)
    fake.add_token("service-key", kind="service")
    for group_id in range(1, 31):
        fake.add_group(group_id, f"Школа № {group_id}", f"school{group_id}")
        fake.add_post(group_id, "Объявление")
    client = fake.client()
    pages = [
        VKPage(f"school{i}", service_token="service-key", http_client=client, limits=VKLimits())
        for i in range(1, 31)
    ]

    async def read(page: VKPage) -> None:
        await page.profile()
        assert [post async for post in page.posts()]

    await asyncio.gather(*(read(page) for page in pages))
    await client.aclose()
    assert fake.refused == {}
    assert len(fake.calls) == 60
    # 60 reads at 3 a second (a 1.05 s window), evenly: 59 intervals of 0.35 s.
    assert abs(clock.monotonic() - 59 * 0.35) < 0.01


def test_fake_vk_counts_refusals_and_takes_scaled_rates() -> None:
    import httpx

    clock = VirtualClock()
    fake = FakeVK(clock=clock, rates={"service": 5})
    fake.add_token("service-key", kind="service")
    fake.add_group(1, "Администрация", "adm")
    with httpx.Client(transport=httpx.MockTransport(fake.handler)) as client:
        answers = [
            client.post(
                "https://api.vk.ru/method/groups.getById",
                data={"group_id": "adm", "access_token": "service-key", "v": "5.199"},
            ).json()
            for _ in range(7)
        ]
    refused = [a for a in answers if "error" in a]
    assert len(refused) == 2 and refused[0]["error"]["error_code"] == 6
    assert fake.refused == {"service": 2}
    fake.reset()
    assert fake.refused == {}


@settings(max_examples=60, deadline=None)
@given(
    rate=st.integers(1, 25),
    tasks=st.integers(1, 12),
    per_task=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    late=st.floats(0, 3),
)
def test_late_admissions_within_the_jitter_keep_the_pace_and_the_servers_window(
    rate: int, tasks: int, per_task: int, seed: int, late: float
) -> None:
    # As `limiter_for` builds them: a 1.05 s period for a server's 1 s window, and half
    # the slack as the lateness a send may have without pushing the next ones.
    period, window = 1.05, 1.0
    jitter = (period - window) / 2
    clock = VirtualClock()
    limiter = RateLimiter(rate, period, clock=clock, jitter=jitter)
    rng = random.Random(seed)
    plans = [
        [(rng.uniform(0, 2), rng.uniform(0, late * period / rate)) for _ in range(per_task)]
        for _ in range(tasks)
    ]
    sends: list[float] = []

    async def task(plan: list[tuple[float, float]]) -> None:
        for pause, busy in plan:
            await clock.sleep(pause)
            await limiter.acquire()
            # the loop was busy: the send leaves a little after its admission
            await clock.sleep(min(busy, jitter))
            sends.append(clock.monotonic())

    async def main() -> None:
        await asyncio.gather(*(task(plan) for plan in plans))

    asyncio.run(main())
    assert len(sends) == tasks * per_task
    assert most_in_a_window(sends, window - 1e-9) <= rate


def test_a_send_admitted_within_the_jitter_does_not_push_the_schedule() -> None:
    clock = VirtualClock()

    async def oversleep(seconds: float) -> None:
        await clock.sleep(seconds + 0.015)  # a busy loop wakes every waiter 15 ms late

    limiter = RateLimiter(10, 1.0, clock=clock, sleep=oversleep, jitter=0.02)
    admitted: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        admitted.append(clock.monotonic())

    async def main() -> None:
        await asyncio.gather(*(one() for _ in range(4)))

    asyncio.run(main())
    # Each is 15 ms late, but the slots stay 0.1 s apart (without the jitter's credit
    # every delay would add up: 0, 0.115, 0.23, 0.345).
    expected = [0, 0.115, 0.215, 0.315]
    assert all(abs(a - b) < 1e-9 for a, b in zip(sorted(admitted), expected, strict=True))


@settings(max_examples=40, deadline=None)
@given(
    rate=st.sampled_from([3, 20, 90, 600]),
    tasks=st.integers(1, 16),
    per_task=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
    busy=st.floats(0, 4),
)
def test_scaled_rates_leave_the_server_a_window_for_latency(
    rate: int, tasks: int, per_task: int, seed: int, busy: float
) -> None:
    # `limiter_for`'s limiter at VK's rate scaled up to 200x (the jitter, 25 ms, is then
    # several slots): whatever the loop's lateness, a server that counts each request up
    # to 24 ms after it left (any mix of latencies) never sees more than ``rate`` in a
    # second. The arithmetic: counted slots are >= period/rate apart and each send leaves
    # within ``jitter`` of its slot, so a second of the server's holds slots of at most
    # 1 s + jitter + latency spread < the 1.05 s period.
    from gospages._transport import limiter_for

    clock = VirtualClock()
    limiter = limiter_for("vk:user", f"key-{seed}", rate, clock=clock)
    rng = random.Random(seed)
    counted: list[float] = []

    async def task() -> None:
        for _ in range(per_task):
            await clock.sleep(rng.uniform(0, 0.5 * rate**-0.5))
            async with limiter.sending() as sent:
                await clock.sleep(rng.uniform(0, busy * limiter.interval))  # a busy loop
                sent()
                counted.append(clock.monotonic() + rng.uniform(0, 0.024))  # at the server

    async def main() -> None:
        await asyncio.gather(*(task() for _ in range(tasks)))

    asyncio.run(main())
    assert len(counted) == tasks * per_task
    assert most_in_a_window(counted, 1.0 - 1e-9) <= rate


def test_a_served_fake_counts_requests_when_they_arrive() -> None:
    # Requests counted at their arrival may be counted a little out of order (threads
    # take the fake's lock in any order): every second holding one is checked.
    fake = FakeVK(rates={"service": 2})
    for arrived, refused in [
        (0.5, False),
        (0.0, False),
        (0.9, True),
        (1.45, False),
        (1.55, False),
        (1.6, True),
    ]:
        fake._arrived = arrived
        assert fake._over_rate("key", 2) is refused, arrived
