"""Cross-posting to 100 pages on the sandbox: the fan-out against the slowest single publish.

The issue: «100 pages take about as long as the slowest one». On the sandbox (FakeVK, a
virtual clock: no real time is spent) every publication gets a network delay, fixed per
page and drawn between 0.1 and 1.0 s (half before the request, half after the answer),
on top of the waits of the page key's rate limiter. Two set-ups of 100 VK communities:

* ``own key per page``: each community publishes with its own administrator's user key
  (VK allows 3 requests/s per key), as municipalities that keep their own keys;
* ``one key for all``: one administrator's user key for every page (VK allows 3
  requests/s per user key, and every page on that key shares its limiter).

For each it prints: pages, the wall time of the fan-out (`cross_post`, all pages at
once), the slowest single publish (each page published alone, one after another, on a
fresh sandbox with the same delays), their ratio, and the time one after another.

Run: ``PYTHONPATH=src python benchmarks/publish_fanout.py [--pages 100]`` (a few seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import random
from collections.abc import Callable

from gospages import OfficialPage, Platform, Post, PublishedPost, VirtualClock
from gospages.planning import Send, cross_post
from gospages.registry import Organization, OrgKind, OrgLevel, PageRef
from gospages.testing import FakeVK
from gospages.vk import VKPage

FIRST_GROUP = 300001
ADMIN = 575000000001
USER_KEY = "fanout-user-key-0001"


def sandbox(
    pages: int, own_keys: bool, seed: int
) -> tuple[list[tuple[Organization, PageRef]], Callable[[PageRef], VKPage], Send, VirtualClock]:
    clock = VirtualClock()
    fake = FakeVK(clock=clock)
    rng = random.Random(seed)
    delays: dict[str, float] = {}
    targets: list[tuple[Organization, PageRef]] = []
    for index in range(pages):
        gid = FIRST_GROUP + index
        fake.add_group(gid, f"Администрация поселения {index + 1}", f"settlement{index + 1}")
        fake.add_token(f"fanout-user-{gid}", kind="user", user_id=ADMIN + 1 + index, admin_of=[gid])
        ref = PageRef(platform=Platform.VK, page=f"club{gid}")
        org = Organization(
            id=f"s{index + 1}",
            name=f"Администрация поселения {index + 1}",
            kind=OrgKind.LOCAL_GOVERNMENT,
            level=OrgLevel.SETTLEMENT,
            pages=[ref],
        )
        targets.append((org, ref))
        delays[ref.page] = delays[str(gid)] = rng.uniform(0.1, 1.0)
    fake.add_token(USER_KEY, kind="user", user_id=ADMIN, admin_of=list(fake.groups))

    def open_page(ref: PageRef) -> VKPage:
        client = fake.client()
        key = (
            {"user_token": f"fanout-user-{ref.page[4:]}"} if own_keys else {"user_token": USER_KEY}
        )
        return VKPage(ref.page, http_client=client, clock=clock, **key)  # type: ignore[arg-type]

    async def send(key: str, page: OfficialPage, post: Post) -> PublishedPost:
        # The network: the page's round trip before the request and after the answer.
        delay = delays[page.page_id]
        await clock.sleep(delay / 2)
        receipt = await page.publish(post)
        await clock.sleep(delay / 2)
        return receipt

    return targets, open_page, send, clock


async def fan_out(pages: int, own_keys: bool, seed: int) -> float:
    targets, open_page, send, clock = sandbox(pages, own_keys, seed)
    result = await cross_post(
        targets, Post(text="Новость области"), open_page, send=send, clock=clock
    )
    assert result.ok, [(o.error, o.problems) for o in result.failed]
    return result.seconds


async def one_by_one(pages: int, own_keys: bool, seed: int) -> tuple[float, float]:
    """(the slowest single publish, the sum): each page alone, one after another."""
    targets, open_page, send, clock = sandbox(pages, own_keys, seed)
    times: list[float] = []
    for target in targets:
        result = await cross_post(
            [target], Post(text="Новость области"), open_page, send=send, clock=clock
        )
        assert result.ok, [(o.error, o.problems) for o in result.failed]
        times.append(result.seconds)
    return max(times), sum(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(
        f"{'ключи':<22}{'страниц':>8}{'веер, с':>10}{'самая долгая, с':>17}"
        f"{'отношение':>11}{'по очереди, с':>15}"
    )
    for own_keys, label in ((True, "свой ключ у страницы"), (False, "один ключ на всех")):
        wall = asyncio.run(fan_out(args.pages, own_keys, args.seed))
        slowest, total = asyncio.run(one_by_one(args.pages, own_keys, args.seed))
        print(
            f"{label:<22}{args.pages:>8}{wall:>10.2f}{slowest:>17.2f}"
            f"{wall / slowest:>11.2f}{total:>15.1f}"
        )


if __name__ == "__main__":
    main()
