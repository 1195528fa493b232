"""A region's whole fleet against a loopback VK with a per-token limit (issue 12).

The server is the project's own `FakeVK`, served over HTTP by ``FakeVK.serve()`` in a
process of its own; each client runs in a process of its own too, so the CPU time and
peak RSS printed are the client's alone. The server rejects what VK rejects: error 6 over
the per-token limit (VK's 3 requests/s for user and service keys, 20/s for community
keys, times ``--scale``; counted at the server as refusals) and ``execute`` with a
service key.

Both clients read the same N seeded pages (posts in the last week and older, comments on
some of them) at the same scaled limit:

* ``gospages``: ``snapshot`` reads profiles and the last week's posts of every page
  (`capture_pages` when it can skip comments, else `capture_snapshot(comments=False)`
  page by page, bounded); ``full`` is the public `audit_registry` (profile, posts,
  comments, rules) with a `PageFactory` pointed at the server;
* ``vk_api``: the vk_api package's straightforward loop
  (``vk_api.VkApi(token=...).get_api()``: ``groups.getById`` and ``wall.get`` per page,
  and for ``full`` ``wall.getComments`` per post with comments), paced by its own
  ``RPS_DELAY`` scaled the same way; it uses the first key of ``--keys``.

The bound is what batching across pages needs at the server's limit: ``ceil(N/500)``
``groups.getById``, ``ceil(N/25)`` ``execute`` for the walls (user key; with a service
key alone one ``wall.get`` per page) and, for ``full``, ``ceil(P/25)`` ``execute`` for the
comments of the P posts with comments (service key alone: one ``wall.getComments`` each);
its time is those requests spread over the keys that may send them, each at its limit.

Run: ``python benchmarks/fleet.py --pages 1000 --scale 30`` (``--workload full``,
``--keys service+user``, ``--clients gospages`` ...).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import itertools
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

SERVICE = "bench-fleet-service-key-0001"
USER = "bench-fleet-user-key-0001"
KEYS = {"service": SERVICE, "user": USER}
DAYS = 7
# The instant every run reads "now" at (the pages' dates are relative to it).
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


# -- the pages ---------------------------------------------------------------------------


def generate(pages: int, seed: int) -> Iterator[tuple[int, list[tuple[float, int]]]]:
    """``(group id, [(post date, comments)])`` for every page, the same for a seed."""
    rng = random.Random(seed)
    now = NOW.timestamp()
    for group_id in range(1, pages + 1):
        posts = []
        for _ in range(rng.randint(0, 6)):  # this week's
            comments = rng.randint(1, 4) if rng.random() < 0.3 else 0
            posts.append((now - rng.uniform(0.1, DAYS - 0.1) * 86400, comments))
        for _ in range(rng.randint(0, 3)):  # older ones
            posts.append((now - rng.uniform(DAYS + 1, 40) * 86400, 0))
        posts.sort(reverse=True)
        yield group_id, posts


def commented_posts(pages: int, seed: int) -> int:
    """How many of the week's posts have comments."""
    return sum(1 for _, posts in generate(pages, seed) for _, c in posts if c)


# -- the server process -----------------------------------------------------------------


def serve(pages: int, seed: int, scale: float) -> None:
    from gospages.testing import FakeVK

    fake = FakeVK(rates={"user": int(3 * scale), "service": int(3 * scale)})
    fake.add_token(SERVICE, kind="service")
    fake.add_token(USER, kind="user", user_id=1)
    for group_id, posts in generate(pages, seed):
        fake.add_group(group_id, f"Учреждение № {group_id}", f"org{group_id}", members_count=500)
        for date, comments in reversed(posts):
            post = fake.add_post(group_id, f"Новость учреждения {group_id}", date=date)
            for j in range(comments):
                fake.add_comment(
                    group_id, post.id, f"Когда откроют запись? {j}", from_id=10 + j, date=date + 60
                )
    # The request timeline: (instant, method, key kind, refused) of every request, stamped
    # when the fake counts it against the key's window (time.time(): the client's too).
    timeline: list[tuple[float, str, str | None, bool]] = []
    handler = fake.handler

    def stamped(request: Any) -> Any:
        refused = sum(fake.refused.values())
        response = handler(request)
        call = fake.calls[-1]
        timeline.append(
            (time.time(), call.method, call.token_kind, sum(fake.refused.values()) > refused)
        )
        return response

    fake.handler = stamped  # type: ignore[method-assign]
    with fake.serve() as base:
        print(base, flush=True)
        for line in sys.stdin:
            if line.strip() == "stats":
                with fake._lock:
                    calls: dict[str, int] = {}
                    for call in fake.calls:
                        name = f"{call.method} ({call.token_kind})"
                        calls[name] = calls.get(name, 0) + 1
                    refused = dict(fake.refused)
                    stamps = list(timeline)
                    timeline.clear()
                    fake.calls.clear()
                    fake.refused.clear()
                    fake._windows.clear()
                print(
                    json.dumps({"calls": calls, "refused": refused, "timeline": stamps}),
                    flush=True,
                )
            elif line.strip() == "quit":
                break


# -- the clients -------------------------------------------------------------------------


def registry_of(pages: int) -> Any:
    from gospages.registry import Organization, PageRef, Registry

    return Registry(
        organizations=[
            Organization(
                id=f"org{i}",
                name=f"Учреждение № {i}",
                kind="state_body",
                level="region",
                pages=[PageRef(platform="vk", page=f"org{i}")],
            )
            for i in range(1, pages + 1)
        ]
    )


async def run_gospages(
    url: str, pages: int, scale: float, keys: list[str], workload: str, concurrency: int
) -> dict[str, Any]:
    from gospages import PageFactory, Settings
    from gospages._models import Platform
    from gospages.requirements import audit_registry
    from gospages.requirements._capture import capture_snapshot
    from gospages.requirements._fleet import capture_pages
    from gospages.vk import VKLimits

    settings = Settings.only(**{f"vk_{k}_token": KEYS[k] for k in keys})
    limits = VKLimits(user=int(3 * scale), service=int(3 * scale), community=int(20 * scale))
    factory = PageFactory(
        settings,
        options={Platform.VK: {"api_url": f"{url}/method", "limits": limits}},
        max_connections=max(8, concurrency),
    )
    registry = registry_of(pages)
    failed = 0
    async with factory:
        if workload == "full":
            report = await audit_registry(
                registry, factory, days=DAYS, now=NOW, concurrency=concurrency
            )
            failed = sum(1 for page in report.pages if page.snapshot.error is not None)
        elif "comments" in inspect.signature(capture_pages).parameters:
            async for _, snapshot in capture_pages(
                registry.pages(),
                factory,
                days=DAYS,
                now=NOW,
                concurrency=concurrency,
                comments=False,  # type: ignore[call-arg]
            ):
                failed += snapshot.error is not None
        else:
            gate = asyncio.Semaphore(concurrency)

            async def one(org: Any, ref: Any) -> bool:
                async with gate, factory(ref) as page:
                    snapshot = await capture_snapshot(
                        page, days=DAYS, org=org, ref=ref, now=NOW, comments=False
                    )
                    return snapshot.error is not None

            failed = sum(await asyncio.gather(*(one(o, r) for o, r in registry.pages())))
    return {"failed": failed}


def run_vk_api(url: str, pages: int, scale: float, key: str, workload: str) -> dict[str, Any]:
    import requests
    import vk_api

    class Redirect(requests.adapters.HTTPAdapter):
        def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
            request.url = (request.url or "").replace("https://api.vk.ru/method", f"{url}/method")
            request.url = request.url.replace("https://api.vk.com/method", f"{url}/method")
            return super().send(request, **kwargs)

    session = requests.Session()
    session.mount("https://", Redirect())
    vk = vk_api.VkApi(token=KEYS[key], api_version="5.199", session=session)
    vk.RPS_DELAY = 0.34 / scale
    api = vk.get_api()
    since = NOW.timestamp() - DAYS * 86400
    failed = 0
    for i in range(1, pages + 1):
        try:
            group = api.groups.getById(group_id=f"org{i}", fields="members_count,verified")
            gid = group["groups"][0]["id"]
            posts: list[dict[str, Any]] = []
            while True:
                answer = api.wall.get(owner_id=-gid, count=100, offset=len(posts))
                posts += answer["items"]
                if (
                    not answer["items"]
                    or len(posts) >= answer["count"]
                    or answer["items"][-1]["date"] < since
                ):
                    break
            week = [p for p in posts if p["date"] >= since]
            if workload == "full":
                for post in week:
                    if not post.get("comments", {}).get("count"):
                        continue
                    offset = 0
                    while True:
                        answer = api.wall.getComments(
                            owner_id=-gid,
                            post_id=post["id"],
                            count=100,
                            offset=offset,
                            thread_items_count=10,
                        )
                        offset += len(answer["items"])
                        if not answer["items"] or offset >= answer["current_level_count"]:
                            break
        except vk_api.ApiError:
            failed += 1
    return {"failed": failed}


def client(args: argparse.Namespace) -> None:
    keys = args.keys.split("+")
    # Imports are not the run: load them before the clocks start.
    import vk_api  # noqa: F401

    import gospages.requirements  # noqa: F401

    epoch = time.time()
    started, cpu = time.perf_counter(), time.process_time()
    if args.client == "gospages":
        result = asyncio.run(
            run_gospages(args.url, args.pages, args.scale, keys, args.workload, args.concurrency)
        )
    else:
        result = run_vk_api(args.url, args.pages, args.scale, keys[0], args.workload)
    result.update(
        wall=time.perf_counter() - started,
        started=epoch,
        ended=time.time(),
        cpu=time.process_time() - cpu,
        rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    print(json.dumps(result), flush=True)


# -- the orchestra ----------------------------------------------------------------------


def idle_report(stats: dict[str, Any], result: dict[str, Any], rate: float) -> list[str]:
    """Where each key stood idle: before its first request, in the gaps between requests
    longer than one and a half of its spacing (the client's pace: 1.05 s / rate), and
    after its last one, as the server saw them."""
    pace = _SLACK / rate
    lines = []
    by_kind: dict[str, list[tuple[float, str]]] = {}
    for stamp, method, kind, _ in stats["timeline"]:
        by_kind.setdefault(kind or "?", []).append((stamp, method))
    for kind, calls in sorted(by_kind.items()):
        calls.sort()
        start = calls[0][0] - result["started"]
        tail = result["ended"] - calls[-1][0]
        gaps = [
            (b[0] - a[0] - pace, a[0] - calls[0][0], a[1], b[1])
            for a, b in itertools.pairwise(calls)
            if b[0] - a[0] > 1.5 * pace
        ]
        idle = sum(g[0] for g in gaps)
        lines.append(
            f"           ключ {kind}: до первого запроса {start:.2f} с, простоев между "
            f"запросами {idle:.2f} с ({len(gaps)}), после последнего {tail:.2f} с"
        )
        for gap, at, before, after in sorted(gaps, reverse=True)[:4]:
            lines.append(
                f"             простой {gap * 1000:5.0f} мс на {at:5.2f} с: {before} → {after}"
            )
    return lines


# The limiter's period over the server's one-second window (gospages._transport).
_SLACK = 1.05


def bound(pages: int, seed: int, scale: float, keys: list[str], workload: str) -> tuple[int, float]:
    """(requests, seconds) of batched reads at the server's limit."""
    rate = 3 * scale
    user = "user" in keys
    any_key = math.ceil(pages / 500)  # groups.getById: any key
    user_only = 0
    if user:
        user_only += math.ceil(pages / 25)  # execute: walls
    else:
        any_key += pages  # wall.get, one per page
    if workload == "full":
        commented = commented_posts(pages, seed)
        if user:
            user_only += math.ceil(commented / 25)
        else:
            any_key += commented
    requests = any_key + user_only
    seconds = max(user_only / rate, requests / (2 * rate)) if len(keys) == 2 else requests / rate
    return requests, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=1.0, help="× VK's 3 requests/s")
    parser.add_argument("--keys", default="service", choices=["service", "service+user", "user"])
    parser.add_argument("--workload", default="snapshot", choices=["snapshot", "full", "both"])
    parser.add_argument("--clients", default="gospages,vk_api")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--timeline", action="store_true", help="где ключи простаивали (по часам сервера)"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.pages, args.seed, args.scale)
        return
    if args.client:
        client(args)
        return

    env = {**os.environ}
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(os.path.dirname(here), "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    common = ["--pages", str(args.pages), "--scale", str(args.scale), "--seed", str(args.seed)]
    server = subprocess.Popen(  # noqa: S603 (this script, by its own path)
        [sys.executable, __file__, "--serve", *common],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert server.stdin is not None
    assert server.stdout is not None
    url = server.stdout.readline().strip()
    keys = args.keys.split("+")
    workloads = ["snapshot", "full"] if args.workload == "both" else [args.workload]
    rate = 3 * args.scale
    print(
        f"{args.pages} страниц, {rate:g} запросов/с на ключ (VK × {args.scale:g}), "
        f"ключи: {args.keys}, сервер {url}"
    )
    try:
        for workload in workloads:
            need, seconds = bound(args.pages, args.seed, args.scale, keys, workload)
            print(f"\n[{workload}] граница: {need} запросов, {seconds:.2f} с")
            rows = {}
            for name in args.clients.split(","):
                out = subprocess.run(  # noqa: S603
                    [
                        sys.executable,
                        __file__,
                        "--client",
                        name,
                        "--url",
                        url,
                        "--keys",
                        args.keys,
                        "--workload",
                        workload,
                        "--concurrency",
                        str(args.concurrency),
                        *common,
                    ],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=False,
                )
                if out.returncode != 0:
                    print(f"  {name}: сбой\n{out.stderr[-2000:]}")
                    continue
                result = json.loads(out.stdout.strip().splitlines()[-1])
                server.stdin.write("stats\n")
                server.stdin.flush()
                stats = json.loads(server.stdout.readline())
                total = sum(stats["calls"].values())
                refused = sum(stats["refused"].values())
                rows[name] = (total, result["wall"])
                per_request = result["cpu"] / max(total, 1) * 1000
                print(
                    f"  {name:8s} запросов {total:6d}  отказов (ошибка 6) {refused:4d}  "
                    f"время {result['wall']:7.2f} с (граница ×{result['wall'] / seconds:.2f})  "
                    f"CPU {result['cpu']:6.2f} с ({per_request:.2f} мс/запрос)  "
                    f"пик RSS {result['rss_mb']:5.0f} МБ  страниц с ошибкой {result['failed']}"
                )
                for method, count in sorted(stats["calls"].items()):
                    print(f"           {method:32s} {count:6d}")
                if args.timeline and name == "gospages":
                    print("\n".join(idle_report(stats, result, rate)))
                if name == "gospages" and args.scale != 1:
                    # At VK's own rate the paced part grows by the scale, the rest (the
                    # client's CPU, the loopback) does not: the limiter's 5 % slack over
                    # the server's window is in both.
                    paced = seconds * _SLACK
                    real = paced * args.scale + max(0.0, result["wall"] - paced)
                    print(
                        f"           при настоящих 3 запросах/с: ≈ {real:.0f} с "
                        f"(граница {seconds * args.scale:.0f} с)"
                    )
            if "gospages" in rows and "vk_api" in rows:
                (g_req, g_wall), (v_req, v_wall) = rows["gospages"], rows["vk_api"]
                print(
                    f"  vk_api / gospages: запросов ×{v_req / max(g_req, 1):.2f}, "
                    f"времени ×{v_wall / g_wall:.2f}"
                )
    finally:
        server.stdin.write("quit\n")
        server.stdin.flush()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
