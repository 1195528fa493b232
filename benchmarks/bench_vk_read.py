"""Reading a community (profile, 300 posts, their comments) with gospages and with vk_api.

Both clients talk HTTP to the same FakeVK, served on 127.0.0.1 by ``FakeVK.serve()``,
so the figures compare the clients, not the network. Two runs:

* ``limits on``: VK's real 3 requests/s for a service key. What a user sees in practice:
  both clients are bounded by VK, the number that matters is requests made.
* ``limits off``: the per-request cost of each client (parsing, models, retries machinery).

Run: ``python benchmarks/bench_vk_read.py`` (about 30 s).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import requests
import vk_api

from gospages import RetryPolicy
from gospages.testing import FakeVK
from gospages.vk import VKLimits, VKPage

GROUP = 100001
TOKEN = "bench-service-token-0001"
USER = "bench-user-token-0001"


def build_fake(posts: int, comments_per_post: int) -> FakeVK:
    fake = FakeVK(rate_limits=False)
    fake.add_group(GROUP, "Администрация", "adm_bench", members_count=1000)
    fake.add_token(TOKEN, kind="service")
    fake.add_token(USER, kind="user", user_id=1, admin_of=[GROUP])
    t0 = time.time()
    for i in range(posts):
        post = fake.add_post(GROUP, f"Новость {i}", date=t0 - i * 3600)
        for j in range(comments_per_post):
            fake.add_comment(GROUP, post.id, f"Комментарий {j}", from_id=1000 + j)
    return fake


async def with_gospages(api_url: str, limits: VKLimits, key: str = TOKEN) -> tuple[int, int]:
    async with VKPage(
        GROUP,
        **({"service_token": key} if key == TOKEN else {"user_token": key}),
        api_url=api_url,
        limits=limits,
        retry=RetryPolicy.none(),
    ) as page:
        await page.profile()
        posts = [p async for p in page.posts()]
        comments = [c async for c in page.comments()]
    return len(posts), len(comments)


class _Redirect(requests.adapters.HTTPAdapter):
    def __init__(self, api_url: str) -> None:
        super().__init__()
        self.api_url = api_url

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = (request.url or "").replace("https://api.vk.ru/method", self.api_url)
        return super().send(request, **kwargs)


def with_vk_api(api_url: str, rps_delay: float, key: str = TOKEN) -> tuple[int, int]:
    session = requests.Session()
    session.mount("https://", _Redirect(api_url))
    vk = vk_api.VkApi(token=key, api_version="5.199", session=session)
    vk.RPS_DELAY = rps_delay
    api = vk.get_api()
    api.groups.getById(group_id=GROUP)
    # VkTools.get_all needs `execute`, which a service key may not call: page by hand.
    posts: list[dict[str, Any]] = []
    while True:
        page = api.wall.get(owner_id=-GROUP, filter="owner", count=100, offset=len(posts))
        posts += page["items"]
        if not page["items"] or len(posts) >= page["count"]:
            break
    comments = 0
    for post in posts:
        offset = 0
        while True:
            page = api.wall.getComments(
                owner_id=-GROUP, post_id=post["id"], count=100, offset=offset, thread_items_count=10
            )
            comments += len(page["items"]) + sum(len(i["thread"]["items"]) for i in page["items"])
            offset += len(page["items"])
            if offset >= page["current_level_count"] or not page["items"]:
                break
    return len(posts), comments


def measure(fake: FakeVK, api_url: str, limited: bool, key: str = TOKEN) -> None:
    limits = VKLimits() if limited else VKLimits(service=100_000)
    fake.calls.clear()
    t = time.perf_counter()
    g_posts, g_comments = asyncio.run(with_gospages(api_url, limits, key))
    g_time, g_calls = time.perf_counter() - t, len(fake.calls)
    fake.calls.clear()
    t = time.perf_counter()
    v_posts, v_comments = with_vk_api(api_url, 0.34 if limited else 0.0, key)
    v_time, v_calls = time.perf_counter() - t, len(fake.calls)
    assert (g_posts, g_comments) == (v_posts, v_comments), "both must read the same"
    label = "limits on (3 req/s)" if limited else "limits off"
    label += ", user key (gospages batches comments with execute)" if key == USER else ""
    print(f"{label}: {g_posts} posts, {g_comments} comments")
    for name, spent, calls in (("gospages", g_time, g_calls), ("vk_api", v_time, v_calls)):
        per_call = spent / calls * 1000
        print(f"  {name:9s} {spent:7.2f} s, {calls:4d} requests, {per_call:6.2f} ms/request")
    print(f"  time ratio vk_api/gospages: {v_time / g_time:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--comments", type=int, default=3)
    parser.add_argument("--limited-posts", type=int, default=20)
    args = parser.parse_args()
    fake = build_fake(args.posts, args.comments)
    with fake.serve() as base:
        measure(fake, f"{base}/method", limited=False)
    small = build_fake(args.limited_posts, args.comments)
    with small.serve() as base:
        measure(small, f"{base}/method", limited=True)
        measure(small, f"{base}/method", limited=True, key=USER)


if __name__ == "__main__":
    main()
