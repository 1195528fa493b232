"""The publishing journal under SIGKILL and twin publishers: each entry published once.

The sandbox region's VK and OK pages (``build_region``; Telegram left out: FakeTelegram is
not served over HTTP) are served by ``FakeVK.serve()`` and ``FakeOK.serve()`` in this
process. The publisher runs in another process (this file with ``client``): it writes its
entries to the journal (``Journal.plan``, a third of them with a photo) and calls
``run_due`` until nothing is left to send, as a cron job would. The server side kills it
with SIGKILL at chosen points of the publish path:

* ``read``: at its first read after its k-th post (k = 0: the intents are written, nothing
  sent yet; after a crash the restart's reconcile read-back is the first read);
* ``upload``: at its k-th photo upload, before the platform takes it (mid-send);
* ``before``: when its k-th post arrives, before the platform does it (the entry is claimed
  with its baseline, nothing is published);
* ``after``: right after the platform published its k-th post, before the answer leaves
  (published, the outcome never recorded).

Then it is started again, until a run finishes. Counted at the fakes and in the journal:
texts on the pages more than once (duplicates), entries whose text is not on its page
(lost), posts sent to the platform more than once for one entry (extra sends; VK's
``guid`` would hide a second post, not a second send), entries not ``published`` at the
end, and journal receipts that name no post with the entry's text.

Twin publishers: two processes started at once on one journal (an SQLite file, or a
PostgreSQL DSN with ``--journal``), each planning the same entries; counted the same way,
plus which processes sent.

Run: ``python benchmarks/journal_crash.py`` (25 SIGKILLs on one journal, then twin
publishers; ``--kills``, ``--items``, ``--journal DSN``). Needs ``PYTHONPATH=src`` from a
checkout (or gospages installed).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from gospages import Platform
from gospages.testing import build_region
from gospages.testing._scenario import Scenario

HERE = Path(__file__).resolve()
if str(HERE.parent) not in sys.path:
    sys.path.append(str(HERE.parent))  # the forked clients import this module by name

import _forked_client  # noqa: E402 (beside this file, found through the line above)

POSTS = frozenset({"wall.post", "mediatopic.post"})
MODES = ("read", "upload", "before", "after")
PHOTO = b"\xff\xd8\xff\xe0journal-crash-photo"


def text_of(i: int) -> str:
    return f"Новость номер {i}: журнал публикаций под SIGKILL"


# -- the client: a publisher in its own process -----------------------------------------------


def client(argv: list[str]) -> int:
    """Plan ``--items`` entries over ``--page`` in the journal, then ``run_due`` until
    nothing is left planned or unsettled; prints the run's counts as JSON."""
    from gospages import Photo, Post
    from gospages.planning import EntryState, open_journal, run_due

    parser = argparse.ArgumentParser(prog="journal_crash.py client")
    parser.add_argument("--journal", required=True, help="SQLite file or PostgreSQL DSN")
    parser.add_argument("--vk", required=True, help="base URL of the served FakeVK")
    parser.add_argument("--ok", required=True, help="base URL of the served FakeOK")
    parser.add_argument("--page", action="append", default=[], help="platform:page")
    parser.add_argument("--items", type=int, required=True)
    args = parser.parse_args(argv)
    factory = _forked_client.served_factory(args.vk, args.ok)
    refs = _forked_client.page_refs(args.page)

    async def main() -> dict[str, int]:
        passes = 0
        with open_journal(args.journal) as journal:
            for i in range(args.items):
                photos = [Photo.from_bytes(PHOTO, filename=f"{i}.jpg")] if i % 3 == 0 else []
                post = Post(text=text_of(i), attachments=photos)
                journal.plan(f"item-{i}", refs[i % len(refs)], post)
            async with factory:
                while passes < 10 and journal.counts()[EntryState.PUBLISHED] < args.items:
                    passes += 1
                    await run_due(journal, factory.open, max_attempts=10)
            counts = journal.counts()
        return {"passes": passes, **{state.value: n for state, n in counts.items() if n}}

    print(json.dumps(asyncio.run(main())))
    return 0


# The clients are forked from a server process that has imported gospages once (the
# multiprocessing forkserver): a fresh interpreter would spend 0.6 s importing it for each
# of the runs. Each client is still a process of its own, killed with SIGKILL.
_PRELOAD = ["gospages.planning", "gospages.vk", "gospages.ok", "gospages.registry", __name__]


def Child(argv: list[str], env: dict[str, str]) -> _forked_client.Child:
    """A publisher process of :func:`client`, started paused (``.go()`` lets it run)."""
    return _forked_client.Child(client, argv, env, preload=_PRELOAD, name="publisher")


# -- the server side ----------------------------------------------------------------------------


class Killer:
    """Wraps the fakes' handlers: counts one client's posts, uploads and reads and kills it
    at the chosen point; can slow every post down (to make two publishers overlap)."""

    def __init__(self, scenario: Scenario) -> None:
        self._lock = threading.Lock()
        self.pid: int | None = None
        self.at = 0
        self.mode = "before"
        self.posts = 0
        self.uploads = 0
        self.killed = False
        self.post_delay = 0.0
        for fake in (scenario.vk, scenario.ok):
            fake.handler = self._wrap(fake.handler)  # type: ignore[method-assign]

    def arm(self, pid: int | None, at: int = 0, mode: str = "before") -> None:
        if mode not in MODES:
            raise ValueError(mode)
        with self._lock:
            self.pid, self.at, self.mode = pid, at, mode
            self.posts = self.uploads = 0
            self.killed = False

    def _wrap(
        self, handler: Callable[[httpx.Request], httpx.Response]
    ) -> Callable[[httpx.Request], httpx.Response]:
        def wrapped(request: httpx.Request) -> httpx.Response:
            expected = int(request.headers.get("content-length") or 0)
            if len(request.content) < expected:
                # A killed client's request, cut off: a platform would not act on it.
                return httpx.Response(400, text="incomplete request")
            method = _method(request)
            post = method in POSTS
            upload = request.url.path.startswith("/upload/")
            with self._lock:
                self.posts += post
                self.uploads += upload
                kill_now = False
                if self.pid is not None and not self.killed:
                    if self.mode == "read":
                        kill_now = not post and not upload and self.posts >= self.at
                    elif self.mode == "upload":
                        kill_now = upload and self.uploads == self.at
                    else:
                        kill_now = post and self.posts == self.at
                    self.killed = kill_now
                pid = self.pid
            if kill_now and pid is not None and self.mode != "after":
                os.kill(pid, signal.SIGKILL)
                return httpx.Response(502, text="killed")
            if post and self.post_delay:
                time.sleep(self.post_delay)
            response = handler(request)
            if kill_now and pid is not None:
                os.kill(pid, signal.SIGKILL)  # done at the platform, the answer never arrives
            return response

        return wrapped


_method = _forked_client.method_of


@dataclass
class Served:
    scenario: Scenario
    killer: Killer
    vk: str
    ok: str
    pages: list[str]

    def spawn(self, journal: str, items: int, *, start: bool = True) -> _forked_client.Child:
        """A publisher on ``journal``; ``start=False``: paused until ``go()``."""
        s = self.scenario
        env = {
            "GOSPAGES_VK_USER_TOKEN": s.vk_user_token,
            "GOSPAGES_VK_SERVICE_TOKEN": s.vk_service_token,
            "GOSPAGES_OK_APPLICATION_KEY": s.ok_application_key,
            "GOSPAGES_OK_APPLICATION_SECRET_KEY": s.ok_application_secret_key,
            "GOSPAGES_OK_ACCESS_TOKEN": s.ok_access_token,
        }
        argv = ["--journal", journal, "--vk", self.vk, "--ok", self.ok, "--items", str(items)]
        for page in self.pages:
            argv += ["--page", page]
        child = Child(argv, env)
        return child.go() if start else child


@contextmanager
def served(*, max_pages: int = 4) -> Iterator[Served]:
    """The sandbox region's first VK and OK pages (half each), served on loopback."""
    scenario = build_region(seed=0, weeks=1, telegram=False, vk_rate_limits=False)
    scenario.ok.rate_limits = False
    killer = Killer(scenario)
    by_platform: dict[Platform, list[str]] = collections.defaultdict(list)
    for _, ref in scenario.registry.pages():
        by_platform[ref.platform].append(f"{ref.platform.value}:{ref.page}")
    half = max(1, max_pages // 2)
    pages = by_platform[Platform.VK][:half] + by_platform[Platform.OK][: max_pages - half]
    with ExitStack() as stack:
        vk = stack.enter_context(scenario.vk.serve())
        ok = stack.enter_context(scenario.ok.serve())
        yield Served(scenario, killer, vk, ok, pages)


# -- the figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    items: int = 0
    kills: int = 0
    runs: int = 0
    duplicates: int = 0
    lost: int = 0
    extra_sends: int = 0
    not_published: int = 0
    wrong_receipts: int = 0
    resent: int = 0
    """Entries sent more than once by the journal (certainly absent after a crash)."""
    exit_codes: list[int] = field(default_factory=list)
    kill_points: collections.Counter[str] = field(default_factory=collections.Counter)
    senders: set[str] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)

    def table(self, *, kills: bool) -> str:
        rows = [("entries", self.items)]
        if kills:
            rows += [("SIGKILLs", self.kills), ("kill points", dict(self.kill_points))]
        rows += [
            ("publisher runs", self.runs),
            ("duplicates on the pages", self.duplicates),
            ("lost (not on its page)", self.lost),
            ("posts sent twice for one entry", self.extra_sends),
            ("entries not published", self.not_published),
            ("receipts naming no such post", self.wrong_receipts),
            ("entries read back absent and sent again", self.resent),
        ]
        if not kills:
            rows.append(("processes that sent", len(self.senders)))
        return "| figure | value |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)


def measure(scenario: Scenario, journal: str, items: int) -> Figures:
    """What the fakes hold against what the journal says."""
    from gospages.planning import EntryState, open_journal

    figures = Figures(items=items)
    on_pages: collections.Counter[str] = collections.Counter()
    by_id: dict[str, set[str]] = collections.defaultdict(set)
    for group in scenario.vk.groups.values():
        for post in group.posts:
            on_pages[post.text] += 1
            by_id[str(post.id)].add(post.text)
    for ok_group in scenario.ok.groups.values():
        for topic in ok_group.topics:
            on_pages[topic.text] += 1
            by_id[str(topic.id)].add(topic.text)
    sends: collections.Counter[str] = collections.Counter()
    for call in scenario.vk.calls_of("wall.post"):
        sends[call.params.get("message", "")] += 1
    for call in scenario.ok.calls_of("mediatopic.post"):
        media = json.loads(call.params.get("attachment") or "{}").get("media") or []
        sends[next((m.get("text", "") for m in media if m.get("type") == "text"), "")] += 1
    wanted = [text_of(i) for i in range(items)]
    figures.duplicates = sum(1 for t in wanted if on_pages[t] > 1)
    figures.lost = sum(1 for t in wanted if on_pages[t] == 0)
    figures.extra_sends = sum(sends[t] - 1 for t in wanted if sends[t] > 1)
    with open_journal(journal) as opened:
        entries = opened.entries()
    for entry in entries:
        if entry.state is not EntryState.PUBLISHED:
            figures.not_published += 1
            continue
        if entry.post.text not in by_id.get(str(entry.post_id), ()):
            figures.wrong_receipts += 1
        if entry.attempts > 1:
            figures.resent += 1
        if entry.holder:
            figures.senders.add(entry.holder)
    figures.not_published += items - len(entries)
    return figures


# -- the trials ------------------------------------------------------------------------------------


def crash_points(count: int, *, seed: int = 13, most: int = 2) -> list[tuple[int, str]]:
    """``count`` kill points, the modes in turn, at the k-th post/upload (``read``: from
    the 0th, i.e. before anything is sent)."""
    rng = random.Random(seed)
    points = []
    for i in range(count):
        mode = MODES[i % len(MODES)]
        points.append((rng.randint(0 if mode == "read" else 1, most), mode))
    return points


def crash_chain(
    points: list[tuple[int, str]], *, items: int = 40, journal: str | None = None
) -> Figures:
    """One journal; run i is killed at ``points[i]`` (k, mode), then runs go on unkilled
    until one finishes; the figures of the whole."""
    with served() as srv, tempfile.TemporaryDirectory() as tmp:
        where = journal or str(Path(tmp) / "journal.sqlite")
        kills = 0
        runs = 0
        codes: list[int] = []
        messages: list[str] = []
        hit: collections.Counter[str] = collections.Counter()
        for at, mode in points:
            proc = srv.spawn(where, items, start=False)
            srv.killer.arm(proc.pid, at, mode)
            code, text = proc.go().finish()
            runs += 1
            codes.append(code)
            if code == -signal.SIGKILL:
                kills += 1
                hit[mode] += 1
            else:
                messages.append(text[-2000:])
        for _ in range(3):  # unkilled until one finishes
            srv.killer.arm(None)
            code, text = srv.spawn(where, items).finish()
            runs += 1
            codes.append(code)
            messages.append(text[-2000:])
            if code == 0:
                break
        figures = measure(srv.scenario, where, items)
        figures.kills, figures.runs, figures.exit_codes = kills, runs, codes
        figures.kill_points, figures.messages = hit, messages
        return figures


def twins(*, items: int = 40, journal: str | None = None, post_delay: float = 0.005) -> Figures:
    """Two publishers started at once on one journal, planning the same entries; each
    post is slowed down by ``post_delay`` seconds so that they surely overlap."""
    with served() as srv, tempfile.TemporaryDirectory() as tmp:
        where = journal or str(Path(tmp) / "journal.sqlite")
        srv.killer.arm(None)
        srv.killer.post_delay = post_delay
        first = srv.spawn(where, items, start=False)
        second = srv.spawn(where, items, start=False)
        first.go()
        second.go()
        results = [first.finish(), second.finish()]
        figures = measure(srv.scenario, where, items)
        figures.runs = 2
        figures.exit_codes = [code for code, _ in results]
        figures.messages = [text[-2000:] for _, text in results]
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=25, help="SIGKILLs (%(default)s)")
    parser.add_argument("--items", type=int, default=40, help="entries (%(default)s)")
    parser.add_argument(
        "--journal",
        help="a PostgreSQL server's DSN in key=value form: the trials create their own "
        "databases there (default: fresh SQLite files)",
    )
    args = parser.parse_args()

    started = time.monotonic()
    where = args.journal and fresh_database(args.journal, "journal_crash_kills")
    chained = crash_chain(crash_points(args.kills), items=args.items, journal=where)
    print(f"## One journal, {args.kills} SIGKILLs in a row ({time.monotonic() - started:.1f} s)")
    print(chained.table(kills=True))
    started = time.monotonic()
    where = args.journal and fresh_database(args.journal, "journal_crash_twins")
    pair = twins(items=args.items, journal=where)
    print(f"\n## Two publishers on one journal ({time.monotonic() - started:.1f} s)")
    print(pair.table(kills=False))
    print(f"| exit codes | {pair.exit_codes} |")


def fresh_database(dsn: str, name: str) -> str:
    """A new empty database ``name`` on the PostgreSQL server of ``dsn``; its DSN."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    parts = [p for p in dsn.split() if not p.startswith("dbname=")]
    return " ".join([*parts, f"dbname={name}"])


if __name__ == "__main__":
    if sys.argv[1:2] == ["client"]:
        sys.exit(client(sys.argv[2:]))
    # Run as the module ``journal_crash`` (not ``__main__``), so that the client
    # processes forked by the forkserver find _child by that name.
    import journal_crash

    journal_crash.main()
