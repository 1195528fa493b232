from __future__ import annotations

import asyncio

import pytest

from gospages._transport import RateLimiter, limiter_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_limiter_spaces_requests_over_the_window() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 1.0, clock=clock, sleep=clock.sleep)
    delays = [limiter.reserve() for _ in range(7)]
    assert delays == [0, 0, 0, 1.0, 1.0, 1.0, 2.0]
    clock.now += 5
    assert limiter.reserve() == 0


def test_limiter_counts_concurrent_tasks() -> None:
    clock = Clock()
    limiter = RateLimiter(20, 1.0, clock=clock, sleep=clock.sleep)

    async def main() -> None:
        await asyncio.gather(*(limiter.acquire() for _ in range(45)))

    asyncio.run(main())
    assert sorted(clock.slept) == [1.0] * 20 + [2.0] * 5


def test_limiter_is_shared_per_token_not_per_page() -> None:
    a = limiter_for("vk", "same-token-abc", 3)
    b = limiter_for("vk", "same-token-abc", 3)
    c = limiter_for("vk", "other-token-xyz", 3)
    assert a is b and a is not c


def test_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
