"""Moderation that survives SIGKILL and twin runs: record the intent, act, record the outcome;
one acting run per state file (issue 10).

The cross-process tests serve the sandbox region's VK and OK fakes here and run
``moderate(apply=True)`` in child processes (benchmarks/moderation_crash.py), killed with
SIGKILL by the server side at 25 points; the in-process ones pin each step down.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gospages import Comment, Platform, RetryPolicy
from gospages.cli import main
from gospages.moderation import ModerationLocked, ModerationStore, moderate
from gospages.registry import PageRef
from gospages.testing import sample_vk
from gospages.vk import VKLimits, VKPage

ROOT = Path(__file__).resolve().parent.parent


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "moderation_crash", ROOT / "benchmarks" / "moderation_crash.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["moderation_crash"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    return _harness()


@pytest.fixture(autouse=True)
def _child_finds_gospages(monkeypatch: pytest.MonkeyPatch) -> None:
    # The client processes import gospages from this checkout.
    src = str(ROOT / "src")
    current = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", src + (os.pathsep + current if current else ""))


# -- across processes ------------------------------------------------------------------------


def test_25_sigkills_nothing_twice_nothing_missing(harness: ModuleType) -> None:
    points = harness.crash_points(25, most=2)
    assert {mode for _, mode in points} == {"before", "after", "read"}
    figures = harness.crash_chain(points, weeks=4, max_pages=4)
    assert figures.kills == 25, figures.exit_codes
    assert figures.exit_codes[-1] == 0, figures.messages
    assert figures.actions >= 15  # the region's spam, insults and мат were dealt with
    assert figures.double_deletes == 0
    assert figures.extra_bans == 0
    assert figures.repeated_ban_calls == 0  # read back before banning again
    assert figures.journal_gaps == 0
    assert figures.strike_errors == 0
    assert figures.unfinished == 0


def test_two_runs_at_once_one_acts_the_other_exits_3(harness: ModuleType) -> None:
    figures = harness.twin(weeks=4, max_pages=4)
    first, second = figures.exit_codes
    assert (first, second) == (0, harness.LOCKED), figures.messages
    assert "занят" in figures.messages[1] and "процесс" in figures.messages[1]
    assert figures.actions >= 15
    assert figures.double_deletes == 0 and figures.extra_bans == 0
    assert figures.repeated_ban_calls == 0
    assert figures.journal_gaps == 0 and figures.strike_errors == 0


# -- in process: the steps -------------------------------------------------------------------


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, nothing catches it."""


@dataclass
class Dying:
    """A page that dies right after (or before) the first call of ``method``."""

    page: VKPage
    method: str
    after: bool = True
    calls: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)

    async def __aenter__(self) -> Dying:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.page.aclose()

    def _wrap(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        async def wrapped(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            if name == self.method and not self.after:
                raise Killed
            result = await call(*args, **kwargs)
            if name == self.method:
                raise Killed
            return result

        return wrapped

    async def ban(self, *args: Any, **kwargs: Any) -> Any:
        return await self._wrap("ban", self.page.ban)(*args, **kwargs)

    async def delete_comment(self, *args: Any, **kwargs: Any) -> Any:
        return await self._wrap("delete_comment", self.page.delete_comment)(*args, **kwargs)


@pytest.fixture
def vk(tmp_path: Path) -> Any:
    sandbox = sample_vk(rate_limits=False)
    ref = PageRef(platform=Platform.VK, page=sandbox.district)

    def open_page(_: PageRef) -> VKPage:
        return VKPage(
            sandbox.district,
            user_token=sandbox.user_token,
            service_token=sandbox.service_token,
            http_client=sandbox.fake.client(),
            limits=VKLimits(user=1000, service=1000),
            retry=RetryPolicy.none(),
        )

    return sandbox, [(None, ref)], open_page, ModerationStore(tmp_path / "inbox.sqlite")


@dataclass(frozen=True)
class Verdict:
    labels: frozenset[str]


class Keywords:
    def classify(self, text: str) -> Verdict:
        return Verdict(frozenset({"spam"} if "заработок" in text.lower() else set()))


def run(pages: Any, open_page: Any, store: ModerationStore, **kw: Any) -> Any:
    return asyncio.run(
        moderate(pages, open_page, "federal", store=store, classifier=Keywords(), **kw)
    )


def _bans(sandbox: Any) -> list[tuple[str, str | None]]:
    return [
        (c.params["owner_id"], c.params.get("end_date"))
        for c in sandbox.fake.calls_of("groups.ban")
    ]


def _done(store: ModerationStore) -> list[dict[str, Any]]:
    return [r for r in store.log() if r["action"] == "ban" and r["result"].startswith("done")]


@pytest.mark.parametrize("after", [True, False])
def test_killed_around_the_ban_the_next_run_finishes_the_same_ban(vk: Any, after: bool) -> None:
    sandbox, pages, open_page, store = vk
    with pytest.raises(Killed):
        run(pages, lambda ref: Dying(open_page(ref), "ban", after=after), store, apply=True)
    assert store.unfinished() == 1 and _done(store) == []
    later = datetime.now(timezone.utc) + timedelta(hours=5)
    second = run(pages, open_page, store, apply=True, now=later)
    assert second.resumed == 1
    # Read back (groups.getBanned): a ban that reached VK is not sent again; one that did
    # not is sent with the recorded end, not one from the later run's clock.
    bans = _bans(sandbox)
    assert len(bans) == 1
    assert len(sandbox.fake.calls_of("groups.getBanned")) == 1
    assert len(sandbox.fake.calls_of("wall.deleteComment")) == 1
    [row] = _done(store)
    assert "сверено" in row["result"]
    assert store.strikes(f"vk:{sandbox.district}", row["author_id"]) == 1
    assert store.unfinished() == 0
    assert run(pages, open_page, store, apply=True).decisions == []


def test_killed_after_the_delete_nothing_is_sent_again(vk: Any) -> None:
    sandbox, pages, open_page, store = vk
    with pytest.raises(Killed):
        run(pages, lambda ref: Dying(open_page(ref), "delete_comment"), store, apply=True)
    assert store.unfinished() == 1
    second = run(pages, open_page, store, apply=True)
    assert second.resumed == 1
    assert len(sandbox.fake.calls_of("groups.ban")) == 1
    assert len(sandbox.fake.calls_of("wall.deleteComment")) == 1
    [row] = _done(store)
    assert "уже удалён" in row["result"]
    assert store.strikes(f"vk:{sandbox.district}", row["author_id"]) == 1


def test_a_lost_delete_answer_is_read_back_not_failed(vk: Any) -> None:
    sandbox, pages, open_page, store = vk
    sandbox.fake.fail_next("wall.deleteComment", lose_response=True)
    run(pages, open_page, store, apply=True)
    [row] = _done(store)
    # The page reads a lost delete back itself (OfficialPage.delete_comment), so the run
    # sees it done; where it could not, the inbox's own read-back says «удалён».
    assert (row["result"] == "done" or "удалён" in row["result"]) and store.unfinished() == 0
    assert len(sandbox.fake.calls_of("wall.deleteComment")) == 1


def test_an_unknown_ban_outcome_stays_open_and_is_finished_with_the_same_ban(vk: Any) -> None:
    sandbox, pages, open_page, store = vk
    sandbox.fake.fail_next("groups.ban", http_status=502)
    run(pages, open_page, store, apply=True)
    failed = [r for r in store.log() if r["action"] == "ban"]
    assert (
        failed and failed[-1]["result"].startswith("ошибка") and "следующем" in failed[-1]["result"]
    )
    assert store.unfinished() == 1
    assert sandbox.fake.calls_of("wall.deleteComment") == []
    run(pages, open_page, store, apply=True, now=datetime.now(timezone.utc) + timedelta(hours=1))
    assert len(set(_bans(sandbox))) == 1  # the same end date every time
    assert len(_done(store)) == 1 and store.unfinished() == 0


async def test_vk_reads_a_ban_back(vk: Any) -> None:
    _, _, open_page, _ = vk
    async with open_page(None) as page:
        assert await page.read_ban("20002") == (False, None)
        until = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3)
        await page.ban("20002", until=until)
        await page.ban("20003")
        assert await page.read_ban("20002") == (True, until)
        assert await page.read_ban("20003") == (True, None)


# -- the lease ----------------------------------------------------------------------------------


def _hold(
    store: ModerationStore, *, pid: int, host: str | None = None, expires: float | None = None
) -> None:
    with sqlite3.connect(store.path) as db:
        db.execute(
            "INSERT OR REPLACE INTO lease (name, token, host, pid, started, expires) "
            "VALUES ('apply', 'other', ?, ?, '2026-01-01T09:00:00+00:00', ?)",
            (host or socket.gethostname(), pid, expires or time.time() + 60),
        )


def test_a_held_lease_stops_the_second_run_before_anything_is_done(vk: Any) -> None:
    sandbox, pages, open_page, store = vk
    _hold(store, pid=os.getppid())  # alive, and not us
    with pytest.raises(ModerationLocked) as info:
        run(pages, open_page, store, apply=True)
    assert str(os.getppid()) in str(info.value) and "занят" in str(info.value)
    assert info.value.holder is not None and info.value.holder["pid"] == os.getppid()
    assert sandbox.fake.calls == []
    assert run(pages, open_page, store).decisions  # a dry run does not need the lease


def test_stale_leases_are_taken_over_live_ones_of_other_hosts_are_not(tmp_path: Path) -> None:
    store = ModerationStore(tmp_path / "s.sqlite")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    _hold(store, pid=int(gone.stdout))  # that process has exited
    lease = store.acquire_lease()
    store.release_lease(lease)
    _hold(store, pid=1, host="другой-узел", expires=time.time() - 1)  # expired
    lease = store.acquire_lease()
    store.release_lease(lease)
    _hold(store, pid=1, host="другой-узел")
    with pytest.raises(ModerationLocked, match="другой-узел"):
        store.acquire_lease()


def test_a_run_whose_lease_was_taken_over_records_nothing_more(tmp_path: Path) -> None:
    store = ModerationStore(tmp_path / "s.sqlite")
    first = store.acquire_lease()
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE lease SET expires = ?", (time.time() - 1,))
    second = store.acquire_lease()
    with pytest.raises(ModerationLocked, match="перехватил"):
        store.renew_lease(first)
    store.renew_lease(second)
    store.release_lease(first)  # not its lease any more: nothing happens
    with pytest.raises(ModerationLocked):
        store.acquire_lease()


def test_the_cli_exits_3_naming_the_holder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "m.sqlite"
    _hold(ModerationStore(db), pid=os.getppid())
    assert main(["moderate", "--sandbox", "--apply", "--db", str(db)]) == 3
    out = capsys.readouterr().out
    assert "занят" in out and str(os.getppid()) in out
    assert main(["moderate", "--sandbox", "--db", str(db)]) == 0  # dry run still works


def test_inbox_shows_unfinished_actions(vk: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, pages, open_page, store = vk
    with pytest.raises(Killed):
        run(pages, lambda ref: Dying(open_page(ref), "ban"), store, apply=True)
    assert main(["inbox", "--db", str(store.path)]) == 0
    assert "Не завершено действий прерванного запуска: 1" in capsys.readouterr().out


def test_comment_model_round_trips_through_the_intent() -> None:
    comment = Comment(
        platform=Platform.VK, page="1", id="c", post_id="p", author_id="9", date=None, text="x"
    )
    from gospages.moderation import Decision

    decision = Decision(platform=Platform.VK, page="1", comment=comment, labels=["spam"])
    assert Decision.model_validate_json(decision.model_dump_json()) == decision
