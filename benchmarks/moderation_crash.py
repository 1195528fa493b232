"""Moderation under SIGKILL and twin runs: nothing done twice, nothing missing from the journal.

The sandbox region's VK and OK pages (``build_region``, Telegram left out: FakeTelegram is
not served over HTTP) are served by ``FakeVK.serve()`` and ``FakeOK.serve()`` in this
process; ``moderate(apply=True)`` runs in another process (this file with ``client``),
as ``gospages moderate --apply`` would, on one SQLite state file. The client is killed
with SIGKILL by the server side at chosen points:

* ``before``: when its k-th write (delete, ban, reply) arrives, before the platform does it
  (the intent is recorded, the action is not done);
* ``after``: right after the platform has done its k-th write, before the answer leaves
  (the action is done, the client never learns it);
* ``read``: at its first read after the k-th write (between two actions).

Then it is started again, until a run finishes. Counted at the fakes and in the journal:

* double deletes: delete calls for a comment beyond the first;
* extra bans: bans of an author (distinct end dates) beyond the bans the journal records
  as done; repeated ban calls with the same end date and reason are counted apart (the
  same ban sent again: ``groups.ban`` sets a ban, it does not add one);
* journal gaps: comments deleted and authors banned at the fake without a ``done`` entry;
* strike errors: authors whose strike count differs from their done deletions and bans;
* unfinished intents left after the last run.

Twin runs: two clients started at once on one state file; counted the same way, plus
their exit codes (3: the state file is held by the other run).

Run: ``python benchmarks/moderation_crash.py`` (25 kill trials and 5 twin trials, about a
minute and a half; ``--kills`` and ``--twins`` to change). Needs ``PYTHONPATH=src`` from a
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
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gospages import Platform
from gospages.testing import build_region
from gospages.testing._scenario import Scenario

HERE = Path(__file__).resolve()
if str(HERE.parent) not in sys.path:
    sys.path.append(str(HERE.parent))  # the forked clients import this module by name

import _forked_client  # noqa: E402 (beside this file, found through the line above)

WRITES = frozenset(
    {
        "wall.deleteComment",
        "groups.ban",
        "wall.createComment",
        "discussions.deleteDiscussionComment",
        "discussions.addDiscussionComment",
    }
)
LOCKED = 3
"""The client's exit code when another run holds the state file."""


# -- the client: one ``moderate(apply=True)`` run in its own process --------------------------


def client(argv: list[str]) -> int:
    """``moderate(apply=True)`` over the pages given, against the served fakes."""
    from gospages.moderation import ModerationStore, RuleClassifier, _inbox, moderate

    parser = argparse.ArgumentParser(prog="moderation_crash.py client")
    parser.add_argument("--db", required=True)
    parser.add_argument("--vk", required=True, help="base URL of the served FakeVK")
    parser.add_argument("--ok", required=True, help="base URL of the served FakeOK")
    parser.add_argument("--page", action="append", default=[], help="platform:page")
    args = parser.parse_args(argv)
    factory = _forked_client.served_factory(args.vk, args.ok)
    refs = [(None, ref) for ref in _forked_client.page_refs(args.page)]
    locked: Any = getattr(_inbox, "ModerationLocked", None) or type("Never", (Exception,), {})

    async def main() -> Any:
        async with factory:
            return await moderate(
                refs,
                factory,
                "federal",
                store=ModerationStore(args.db),
                classifier=RuleClassifier(),
                apply=True,
                actor="moderation_crash",
            )

    try:
        run = asyncio.run(main())
    except locked as error:
        print(error, file=sys.stderr)
        return LOCKED
    print(json.dumps({"decisions": len(run.decisions), "resumed": getattr(run, "resumed", 0)}))
    return 0


# The clients are forked from a server process that has imported gospages once (the
# multiprocessing forkserver): a fresh interpreter would spend 0.6 s importing it for each
# of the dozens of runs. Each client is still a process of its own, killed with SIGKILL.
_PRELOAD = ["gospages.moderation", "gospages.vk", "gospages.ok", "gospages.registry", __name__]


def Child(argv: list[str], env: dict[str, str]) -> _forked_client.Child:
    """A client process of :func:`client`, started paused (``.go()`` lets it run)."""
    return _forked_client.Child(client, argv, env, preload=_PRELOAD, name="client")


# -- the server side ----------------------------------------------------------------------------


class Killer:
    """Wraps the fakes' handlers: counts a client's requests and kills it at a chosen point;
    can hold every request until released (to make two runs overlap)."""

    def __init__(self, scenario: Scenario) -> None:
        self._lock = threading.Lock()
        self.pid: int | None = None
        self.at: int | None = None
        self.mode = "before"
        self.writes = 0
        self.killed = False
        self.hold = threading.Event()
        self.hold.set()
        for fake in (scenario.vk, scenario.ok):
            fake.handler = self._wrap(fake.handler)  # type: ignore[method-assign]

    def arm(self, pid: int | None, at: int | None, mode: str) -> None:
        with self._lock:
            self.pid, self.at, self.mode, self.writes, self.killed = pid, at, mode, 0, False

    def _wrap(
        self, handler: Callable[[httpx.Request], httpx.Response]
    ) -> Callable[[httpx.Request], httpx.Response]:
        def wrapped(request: httpx.Request) -> httpx.Response:
            self.hold.wait(timeout=20)
            expected = int(request.headers.get("content-length") or 0)
            if len(request.content) < expected:
                # The body of a killed client's request, cut off: a platform would not
                # act on half a request (the fake's server hands it over as it is).
                return httpx.Response(400, text="incomplete request")
            method = _method(request)
            with self._lock:
                kill_now = False
                write = method in WRITES
                if write:
                    self.writes += 1
                if self.pid is not None and not self.killed and self.at is not None:
                    if self.mode == "read":
                        kill_now = not write and self.writes >= self.at
                    else:
                        kill_now = write and self.writes == self.at
                if kill_now:
                    self.killed = True
                pid = self.pid
            if kill_now and pid is not None and self.mode in ("before", "read"):
                os.kill(pid, signal.SIGKILL)
                return httpx.Response(502, text="killed")
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

    def spawn(self, db: Path, *, start: bool = True) -> _forked_client.Child:
        """A client run on the state file ``db``; ``start=False``: paused until ``go()``."""
        s = self.scenario
        env = {
            "GOSPAGES_VK_USER_TOKEN": s.vk_user_token,
            "GOSPAGES_VK_SERVICE_TOKEN": s.vk_service_token,
            "GOSPAGES_OK_APPLICATION_KEY": s.ok_application_key,
            "GOSPAGES_OK_APPLICATION_SECRET_KEY": s.ok_application_secret_key,
            "GOSPAGES_OK_ACCESS_TOKEN": s.ok_access_token,
        }
        argv = ["--db", str(db), "--vk", self.vk, "--ok", self.ok]
        for page in self.pages:
            argv += ["--page", page]
        child = Child(argv, env)
        return child.go() if start else child


@contextmanager
def served(*, seed: int = 0, weeks: int = 2, max_pages: int | None = None) -> Iterator[Served]:
    """The sandbox region's VK and OK pages, served on loopback."""
    scenario = build_region(seed=seed, weeks=weeks, telegram=False, vk_rate_limits=False)
    scenario.ok.rate_limits = False
    killer = Killer(scenario)
    pages = [
        f"{ref.platform.value}:{ref.page}"
        for _, ref in scenario.registry.pages()
        if ref.platform in (Platform.VK, Platform.OK)
    ][:max_pages]
    with ExitStack() as stack:
        vk = stack.enter_context(scenario.vk.serve())
        ok = stack.enter_context(scenario.ok.serve())
        yield Served(scenario, killer, vk, ok, pages)


# -- the figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    kills: int = 0
    runs: int = 0
    actions: int = 0
    double_deletes: int = 0
    extra_bans: int = 0
    repeated_ban_calls: int = 0
    journal_gaps: int = 0
    strike_errors: int = 0
    unfinished: int = 0
    exit_codes: list[int] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        for name in (
            "kills",
            "runs",
            "actions",
            "double_deletes",
            "extra_bans",
            "repeated_ban_calls",
            "journal_gaps",
            "strike_errors",
            "unfinished",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.exit_codes += other.exit_codes
        self.messages += other.messages


def measure(scenario: Scenario, db: Path) -> Figures:
    """What the fakes saw against what the journal says."""
    figures = Figures()
    deletes: collections.Counter[tuple[str, str]] = collections.Counter()
    for call in scenario.vk.calls_of("wall.deleteComment"):
        deletes["vk", call.params.get("comment_id", "")] += 1
    for call in scenario.ok.calls_of("discussions.deleteDiscussionComment"):
        deletes["ok", call.params.get("comment_id", "")] += 1
    figures.double_deletes = sum(n - 1 for n in deletes.values() if n > 1)
    ban_calls: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for call in scenario.vk.calls_of("groups.ban"):
        params = call.params
        ban_calls[
            params.get("group_id", ""), params.get("owner_id", ""), params.get("end_date", "")
        ] += 1
    figures.repeated_ban_calls = sum(n - 1 for n in ban_calls.values() if n > 1)
    bans: collections.Counter[tuple[str, str]] = collections.Counter()
    for gid, owner, _ in ban_calls:
        bans[f"club{gid}", owner] += 1

    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM log WHERE dry_run = 0").fetchall()
        strikes = {
            (r["page"], r["author_id"]): r["count"]
            for r in conn.execute("SELECT * FROM strikes").fetchall()
        }
        try:
            figures.unfinished = conn.execute(
                "SELECT COUNT(*) FROM intents WHERE open = 1"
            ).fetchone()[0]
        except sqlite3.OperationalError:
            figures.unfinished = 0  # a state file without intents (before the fix)
    done = [
        r for r in rows if r["action"] in ("delete", "ban") and str(r["result"]).startswith("done")
    ]
    figures.actions = len(done)
    done_comments = {(r["platform"], r["comment_id"]) for r in done}
    done_bans: collections.Counter[tuple[str, str]] = collections.Counter(
        (r["page"], r["author_id"]) for r in done if r["action"] == "ban"
    )
    figures.extra_bans = sum(max(0, n - done_bans[key]) for key, n in bans.items())
    figures.journal_gaps = sum(1 for key in deletes if key not in done_comments)
    figures.journal_gaps += sum(1 for key in bans if done_bans[key] == 0)
    per_author: collections.Counter[tuple[str, str]] = collections.Counter(
        (f"{r['platform']}:{r['page']}", r["author_id"]) for r in done if r["author_id"]
    )
    figures.strike_errors = sum(
        1 for key in set(per_author) | set(strikes) if per_author[key] != strikes.get(key, 0)
    )
    return figures


# -- the trials ------------------------------------------------------------------------------------


def _finish(proc: _forked_client.Child, timeout: float = 120) -> tuple[int, str]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode is not None
    return proc.returncode, (out or "") + (err or "")


FEED = (
    "Заработок от 5000 в день без вложений! Пиши в лс",
    "Да что за х*йня опять с водой",
)


def feed(scenario: Scenario, pages: list[str], round_: int) -> None:
    """New comments keep coming between runs: spam (a ban) and мат (a deletion) under the
    newest post of the first VK page, each round from new authors (so that a ban is told
    apart by its author and end date: nobody reaches the ladder's «for good» step, where
    every further ban has the same end)."""
    vk_page = next(p for p in pages if p.startswith("vk:"))
    gid = int(vk_page.removeprefix("vk:club"))
    with scenario.vk._lock:
        post = max(scenario.vk.groups[gid].posts, key=lambda p: p.date)
        for index, text in enumerate(FEED):
            author = 880000 + 2 * round_ + index
            scenario.vk.add_comment(gid, post.id, f"{text} ({round_})", from_id=author)


def crash_chain(
    points: list[tuple[int, str]],
    *,
    weeks: int = 2,
    max_pages: int | None = None,
    feeding: bool = True,
) -> Figures:
    """One state file; run i is killed at ``points[i]`` (k-th write, mode), then runs go on
    unkilled until one finishes; the figures of the whole. ``feeding``: new comments to
    act on arrive before every killed run (:func:`feed`), so every run has work left."""
    with served(weeks=weeks, max_pages=max_pages) as srv, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "moderation.sqlite"
        figures = Figures()
        for round_, (at, mode) in enumerate(points):
            if feeding:
                feed(srv.scenario, srv.pages, round_)
            proc = srv.spawn(db, start=False)
            srv.killer.arm(proc.pid, at, mode)
            code, text = _finish(proc.go())
            figures.runs += 1
            figures.exit_codes.append(code)
            if code == -signal.SIGKILL:
                figures.kills += 1
            elif code != 0:
                figures.messages.append(text[-2000:])
        for _ in range(3):  # unkilled until one finishes
            srv.killer.arm(None, None, "before")
            proc = srv.spawn(db)
            code, text = _finish(proc)
            figures.runs += 1
            figures.exit_codes.append(code)
            if code == 0:
                break
            figures.messages.append(text[-2000:])
        measured = measure(srv.scenario, db)
        measured.kills, measured.runs = figures.kills, figures.runs
        measured.exit_codes, measured.messages = figures.exit_codes, figures.messages
        return measured


def crash_points(count: int, *, seed: int = 10, most: int = 3) -> list[tuple[int, str]]:
    """``count`` kill points: the k-th write (1..most) in turn before, after and between."""
    rng = random.Random(seed)
    modes = ("before", "after", "read")
    return [(rng.randint(1, most), modes[i % 3]) for i in range(count)]


def twin(*, weeks: int = 2, max_pages: int | None = None, overlap: bool = True) -> Figures:
    """Two runs at once on one state file. ``overlap``: the first run's requests are held
    until the second has exited (or 20 s), so the two surely overlap."""
    with served(weeks=weeks, max_pages=max_pages) as srv, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "moderation.sqlite"
        srv.killer.arm(None, None, "before")
        if overlap:
            srv.killer.hold.clear()
        first = srv.spawn(db)
        if overlap:
            _wait_for_lease(db, first)
        second = srv.spawn(db)
        try:
            second_code, second_text = _finish(second, timeout=25 if overlap else 120)
        except subprocess.TimeoutExpired:
            srv.killer.hold.set()  # the second run is acting (no lease): let both go on
            second_code, second_text = _finish(second)
        srv.killer.hold.set()
        first_code, first_text = _finish(first)
        figures = measure(srv.scenario, db)
        figures.runs = 2
        figures.exit_codes = [first_code, second_code]
        figures.messages = [first_text[-2000:], second_text[-2000:]]
        return figures


def _wait_for_lease(db: Path, proc: _forked_client.Child, timeout: float = 20) -> None:
    """Until ``proc`` holds the state file's lease (or has made its first request)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(db) as conn:
                row = conn.execute("SELECT pid FROM lease").fetchone()
            if row and row[0] == proc.pid:
                return
        except sqlite3.OperationalError:
            pass  # not created yet, or a state file without a lease (before the fix)
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=25, help="kill trials (%(default)s)")
    parser.add_argument("--twins", type=int, default=5, help="twin trials (%(default)s)")
    parser.add_argument("--weeks", type=int, default=2, help="weeks of comments (%(default)s)")
    args = parser.parse_args()

    started = time.monotonic()
    total = Figures()
    # Independent trials: a fresh region and state file each, killed once at a point spread
    # over the whole run, then run to the end.
    for trial in range(args.kills):
        at = 1 + (trial * 37) % 40
        mode = ("before", "after", "read")[trial % 3]
        total.add(crash_chain([(at, mode)], weeks=args.weeks))
    print(f"## Kill trials ({args.kills}, one SIGKILL each; {time.monotonic() - started:.0f} s)")
    _print(total, kills=True)

    started = time.monotonic()
    chained = crash_chain(crash_points(args.kills), weeks=args.weeks)
    print(
        f"\n## One state file, {args.kills} SIGKILLs in a row ({time.monotonic() - started:.0f} s)"
    )
    _print(chained, kills=True)

    started = time.monotonic()
    twins = Figures()
    second_codes = []
    for _ in range(args.twins):
        figures = twin(weeks=args.weeks)
        second_codes.append(figures.exit_codes)
        twins.add(figures)
    print(f"\n## Twin runs ({args.twins} trials; {time.monotonic() - started:.0f} s)")
    _print(twins, kills=False)
    print(f"| exit codes (first, second) | {second_codes} |")


def _print(figures: Figures, *, kills: bool) -> None:
    print("| figure | value |\n|---|---|")
    if kills:
        print(f"| SIGKILLs | {figures.kills} |")
    print(f"| runs | {figures.runs} |")
    print(f"| deletions and bans done (journal) | {figures.actions} |")
    print(f"| double deletes | {figures.double_deletes} |")
    print(f"| extra bans | {figures.extra_bans} |")
    print(f"| same ban sent again (idempotent) | {figures.repeated_ban_calls} |")
    print(f"| journal gaps | {figures.journal_gaps} |")
    print(f"| strike errors | {figures.strike_errors} |")
    print(f"| unfinished intents left | {figures.unfinished} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["client"]:
        sys.exit(client(sys.argv[2:]))
    # Run as the module ``moderation_crash`` (not ``__main__``), so that the client
    # processes forked by the forkserver find _child by that name.
    import moderation_crash

    moderation_crash.main()
