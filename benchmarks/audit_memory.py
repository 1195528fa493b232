"""A fleet audit's memory and resuming, with the fakes out of the measured process.

This process builds a region of N VK pages on the sandbox (``Scenario.from_registry``:
four weeks of posts and comments each) and serves its FakeVK on loopback; the audit runs
in a child process (``python audit_memory.py client ...``) against it, as
``gospages audit --history FILE`` would, and reports its peak RSS, wall time and the
bytes a page keeps in the report. With ``--kill-after K`` the child is killed with
SIGKILL when the fake has seen K pages' first post reads, then started again with
``resume=True``; requests are counted per page at the fake.

Run: ``PYTHONPATH=src python benchmarks/audit_memory.py --pages 1000`` (``--kill-after 500``
to interrupt and resume). Figures: docs/rules.md («Память и продолжение»).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from gospages import Platform
from gospages.registry import Organization, OrgKind, OrgLevel, PageRef, Registry

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
USER_TOKEN = "region-vk-user-token-0001"
SERVICE_TOKEN = "region-vk-service-token-0001"


def make_registry(pages: int) -> Registry:
    """N organisations with one VK page each (the same N gives the same registry)."""
    orgs = [
        Organization(
            id="region",
            name="Правительство области",
            kind=OrgKind.STATE_BODY,
            level=OrgLevel.REGION,
            pages=[PageRef(platform=Platform.VK, page="club100000")],
        )
    ]
    for i in range(1, pages):
        orgs.append(
            Organization(
                id=f"org{i}",
                name=f"Учреждение № {i}",
                kind=OrgKind.SUBORDINATE,
                level=OrgLevel.INSTITUTION,
                parent="region",
                pages=[PageRef(platform=Platform.VK, page=f"club{100000 + i}")],
            )
        )
    return Registry(organizations=orgs)


# -- the client: one audit in its own process -----------------------------------------------------


def client(argv: list[str]) -> int:
    from gospages import PageFactory, Settings
    from gospages.reports import AuditHistory, render_html, render_markdown, summarize
    from gospages.requirements import audit_registry
    from gospages.vk import VKLimits, VKPage

    parser = argparse.ArgumentParser(prog="audit_memory.py client")
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--vk", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--out", help="write the summary and Markdown report here (JSON)")
    parser.add_argument(
        "--batch", type=int, help="VK pages read together (VKPage.batch_size, 500 by default)"
    )
    args = parser.parse_args(argv)
    if args.batch:
        # Smaller batches finish (and are stored) one after another, so that a kill
        # half-way leaves finished pages behind even in a small test fleet.
        VKPage.batch_size = args.batch
    registry = make_registry(args.pages)
    settings = Settings.only(vk_user_token=USER_TOKEN, vk_service_token=SERVICE_TOKEN)
    factory = PageFactory(
        settings,
        options={
            Platform.VK: {
                "api_url": f"{args.vk}/method",
                "limits": VKLimits(user=100_000, service=100_000),
            }
        },
    )

    async def main() -> Any:
        async with factory:
            return await audit_registry(
                registry,
                factory,
                "federal",
                history=AuditHistory(args.db),
                now=NOW,
                **({"resume": True} if args.resume else {}),
                concurrency=args.concurrency,
            )

    started = time.perf_counter()
    report = asyncio.run(main())
    wall = time.perf_counter() - started
    audited_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    html = render_html(report)
    markdown = render_markdown(report)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_page = sum(len(a.model_dump_json()) for a in report.pages) / max(1, len(report.pages))
    if args.out:
        Path(args.out).write_text(
            json.dumps({"summary": summarize(report), "markdown": markdown}, ensure_ascii=False),
            encoding="utf-8",
        )
    print(
        json.dumps(
            {
                "pages": len(report.pages),
                "wall_s": round(wall, 1),
                "peak_rss_mb": round(rss, 1),
                "peak_rss_before_reports_mb": round(audited_rss, 1),
                "report_json_bytes_per_page": round(per_page),
                "html_mb": round(len(html) / 1e6, 1),
            }
        )
    )
    return 0


# -- the server side ------------------------------------------------------------------------------


_IN_CODE = re.compile(r'"(?:owner_id|group_id|group_ids)":\s*"?(-?[\w,]+)"?')
"""Page ids inside an ``execute``'s code (``API.wall.get({"owner_id": -5, ...})``)."""


def _owners(request: httpx.Request) -> tuple[str, list[str]]:
    """The method and the pages a request reads; an ``execute`` counts as the methods it
    runs (``wall.get`` if it reads walls) for every page named in its code."""
    params = dict(httpx.QueryParams(request.content.decode("utf-8", "replace")))
    params |= dict(request.url.params)
    method = request.url.path.rsplit("/", 1)[-1]
    if method == "execute":
        code = params.get("code", "")
        ids = ",".join(_IN_CODE.findall(code))
        method = "wall.get" if "API.wall.get(" in code else method
    else:
        ids = params.get("owner_id") or params.get("group_ids") or params.get("group_id") or ""
    return method, [i.strip().lstrip("-").removeprefix("club") for i in ids.split(",") if i]


@dataclass
class Counter:
    """Requests per page (VK group id) and the kill switch."""

    requests: collections.Counter[str] = field(default_factory=collections.Counter)
    posts_read: set[str] = field(default_factory=set)
    kill_after: int | None = None
    pid: int | None = None
    killed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(
        self, handler: Callable[[httpx.Request], httpx.Response]
    ) -> Callable[[httpx.Request], httpx.Response]:
        def wrapped(request: httpx.Request) -> httpx.Response:
            method, owners = _owners(request)
            with self.lock:
                for owner in owners:
                    self.requests[owner] += 1
                if method == "wall.get":
                    self.posts_read.update(owners)
                kill = (
                    self.kill_after is not None
                    and not self.killed
                    and self.pid is not None
                    and len(self.posts_read) >= self.kill_after
                )
                if kill:
                    self.killed = True
            if kill and self.pid is not None:
                os.kill(self.pid, signal.SIGKILL)
                return httpx.Response(502, text="killed")
            return handler(request)

        return wrapped

    def take(self) -> collections.Counter[str]:
        with self.lock:
            taken, self.requests = self.requests, collections.Counter()
            self.posts_read = set()
            return taken


@contextmanager
def served(pages: int) -> Iterator[tuple[str, Counter]]:
    from gospages.testing import Scenario

    scenario = Scenario.from_registry(
        make_registry(pages), seed=0, telegram=False, vk_rate_limits=False, now=NOW.timestamp()
    )
    counter = Counter()
    scenario.vk.handler = counter.wrap(scenario.vk.handler)  # type: ignore[method-assign]
    with scenario.vk.serve() as url:
        yield url, counter


def spawn(args: list[str], counter: Counter, kill_after: int | None = None) -> tuple[int, str]:
    env = dict(os.environ)
    if "AUDIT_CLIENT_PYTHONPATH" in env:  # measure another checkout's client (before/after)
        env["PYTHONPATH"] = env["AUDIT_CLIENT_PYTHONPATH"]
    command = [sys.executable, str(Path(__file__).resolve()), "client", *args]
    process = subprocess.Popen(  # noqa: S603 (this very script)
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    with counter.lock:
        counter.pid, counter.kill_after, counter.killed = process.pid, kill_after, False
    out, _ = process.communicate(timeout=3600)
    return process.returncode, out


@dataclass
class Trial:
    """One audit in a single run, and the same audit killed half-way and resumed."""

    single: collections.Counter[str]
    """Requests per VK group id of the single run."""
    first: collections.Counter[str]
    """... of the run killed with SIGKILL."""
    second: collections.Counter[str]
    """... of the resumed run."""
    stored: set[str]
    """Group ids whose results the killed run had written to the history."""
    exit_codes: list[int]
    outputs: list[str]
    single_report: dict[str, Any]
    resumed_report: dict[str, Any]


def trial(pages: int, kill_after: int, concurrency: int = 16, batch: int | None = None) -> Trial:
    """Run the audit once; then kill it after ``kill_after`` pages and resume it."""
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp, served(pages) as (url, counter):
        base = ["--pages", str(pages), "--vk", url, "--concurrency", str(concurrency)]
        if batch:
            base += ["--batch", str(batch)]
        codes, outputs = [], []
        for argv, kill in (
            (["--db", f"{tmp}/one.sqlite", "--out", f"{tmp}/one.json"], None),
            (["--db", f"{tmp}/two.sqlite"], kill_after),
            (["--db", f"{tmp}/two.sqlite", "--out", f"{tmp}/two.json", "--resume"], None),
        ):
            if "--resume" in argv:
                with sqlite3.connect(f"{tmp}/two.sqlite") as db:
                    indexes = [i for (i,) in db.execute("SELECT idx FROM page_results")]
                refs = make_registry(pages).pages()
                stored = {refs[i][1].page.removeprefix("club") for i in indexes}
            code, out = spawn([*base, *argv], counter, kill_after=kill)
            codes.append(code)
            outputs.append(out)
            if kill is None and "--resume" not in argv:
                single = counter.take()
            elif kill is not None:
                first = counter.take()
            else:
                second = counter.take()
        return Trial(
            single,
            first,
            second,
            stored,
            codes,
            outputs,
            json.loads(Path(f"{tmp}/one.json").read_text(encoding="utf-8")),
            json.loads(Path(f"{tmp}/two.json").read_text(encoding="utf-8")),
        )


def _last(out: str) -> str:
    lines = out.strip().splitlines()
    return lines[-1] if lines else "(нет вывода)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--kill-after", type=int, help="SIGKILL the audit after K pages' posts")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batch", type=int, help="VK pages read together (500 by default)")
    args = parser.parse_args()
    if args.kill_after is None:
        with tempfile.TemporaryDirectory() as tmp, served(args.pages) as (url, counter):
            argv = ["--pages", str(args.pages), "--vk", url, "--db", f"{tmp}/one.sqlite"]
            _, out = spawn([*argv, "--concurrency", str(args.concurrency)], counter)
            print("one run:", _last(out))
        return
    t = trial(args.pages, args.kill_after, args.concurrency, args.batch)
    print("one run:", _last(t.outputs[0]))
    print(f"killed: exit {t.exit_codes[1]}, pages stored before the kill {len(t.stored)}")
    print("resumed:", _last(t.outputs[2]))
    both = set(t.first) & set(t.second)
    print(
        f"stored pages requested again: {len(t.stored & set(t.second))}; "
        f"pages requested in both runs (unfinished at the kill): {len(both)}; "
        f"requests: one run {sum(t.single.values())}, "
        f"killed + resumed {sum(t.first.values()) + sum(t.second.values())}; "
        f"same report: {t.single_report == t.resumed_report}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["client"]:
        sys.exit(client(sys.argv[2:]))
    main()
