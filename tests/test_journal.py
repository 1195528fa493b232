"""The publishing journal (issue 13): written before sending, never publishes twice,
settles what a lost answer or a crash left unknown."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from gospages import Photo, Platform, Poll, Post
from gospages.cli import main
from gospages.planning import (
    EntryState,
    JournalEntry,
    SQLiteJournal,
    publish_once,
    reconcile,
    run_due,
)
from gospages.registry import PageRef

from ._journal_support import counted, drain, publish_many, refs, region, text_of

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def journal(tmp_path: Path) -> Any:
    with SQLiteJournal(tmp_path / "journal.sqlite") as opened:
        yield opened


def test_entry_round_trips_with_photo_bytes_and_poll() -> None:
    post = Post(
        text="Афиша",
        attachments=[
            Photo.from_bytes(b"\xff\xd8\x00binary", filename="a.jpg"),
            Poll(question="Придёте?", answers=["Да", "Нет"]),
        ],
        publish_at=NOW,
    )
    entry = JournalEntry(
        key="k", platform=Platform.OK, page="123", post=post, created=NOW, updated=NOW
    )
    again = JournalEntry.loads(entry.dumps())
    assert again == entry
    assert again.post.photos[0].read() == b"\xff\xd8\x00binary"


def test_plan_gives_each_key_its_own_guid_and_keeps_the_first_post(journal: Any) -> None:
    ref = PageRef(platform=Platform.VK, page="club1")
    post = Post(text="Один текст на много страниц")
    first = journal.plan("a", ref, post)
    second = journal.plan("b", ref, post)
    assert first.post.idempotency_key != second.post.idempotency_key
    assert journal.plan("a", ref, Post(text="другой")).post.text == post.text
    assert first.state is EntryState.PLANNED and first.operator


async def test_second_call_with_the_same_key_publishes_nothing(journal: Any) -> None:
    scenario = region()
    ref = next(r for r in refs(scenario) if r.platform is Platform.OK)
    async with scenario.opener().open(ref) as page:
        one = await publish_once(journal, "k1", page, Post(text=text_of(1)), clock=scenario.clock)
        two = await publish_once(journal, "k1", page, Post(text=text_of(1)), clock=scenario.clock)
    assert one.state is EntryState.PUBLISHED and one.post_id and one.url
    assert two == one
    assert counted(scenario)[text_of(1)] == 1
    assert one.receipt is not None and one.receipt.post_id == one.post_id


async def test_claimed_by_a_live_process_is_left_alone(tmp_path: Path) -> None:
    scenario = region()
    ref = next(r for r in refs(scenario) if r.platform is Platform.VK)
    db = tmp_path / "j.sqlite"
    with SQLiteJournal(db) as mine, SQLiteJournal(db) as theirs:
        entry = theirs.plan("k", ref, Post(text=text_of(2)))
        assert theirs.claim(entry, baseline=[]) is not None
        async with scenario.opener().open(ref) as page:
            left = await publish_once(mine, "k", page, Post(text=text_of(2)))
        assert left.state is EntryState.SENDING and left.holder == theirs.holder
        assert counted(scenario)[text_of(2)] == 0


def _dead_pid() -> str:
    return subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


async def test_a_dead_holder_is_read_back_then_sent_once(journal: Any) -> None:
    scenario = region()
    ref = next(r for r in refs(scenario) if r.platform is Platform.OK)
    async with scenario.opener().open(ref) as page:
        # A process claimed the entry, read the baseline and died before sending.
        entry = journal.plan("k", ref, Post(text=text_of(3)))
        dead = _dead_pid()
        baseline = [s.id async for s in page.posts()][:20]
        journal.replace(
            entry,
            entry.model_copy(
                update={
                    "state": EntryState.SENDING,
                    "holder": f"{os.uname().nodename}:{dead}:x",
                    "lease_until": 4e9,
                    "baseline": baseline,
                }
            ),
        )
        again = await publish_once(journal, "k", page, Post(text=text_of(3)))
    assert again.state is EntryState.PUBLISHED
    assert counted(scenario)[text_of(3)] == 1


async def test_sent_then_killed_is_found_not_sent_again(journal: Any) -> None:
    scenario = region()
    ref = next(r for r in refs(scenario) if r.platform is Platform.OK)
    opener = scenario.opener()
    async with opener.open(ref) as page:

        class Killed(BaseException):
            pass

        real = page.publish

        async def dies_after_sending(post: Post) -> Any:
            await real(post)
            raise Killed

        page.publish = dies_after_sending  # type: ignore[method-assign]
        with pytest.raises(Killed):
            await publish_once(journal, "k", page, Post(text=text_of(4)))
    assert journal.get("k").state is EntryState.NEEDS_CHECK
    result = await reconcile(journal, opener.open, clock=scenario.clock)
    assert [e.key for e in result.found] == ["k"] and not result.unknown
    assert journal.get("k").post_id
    assert counted(scenario)[text_of(4)] == 1


async def test_read_back_looks_past_a_baseline_post_listed_above_the_new_one(
    journal: Any,
) -> None:
    """OK lists topics of one millisecond oldest first: a post sent in the same millisecond
    as the page's newest one is listed below it. The read-back once stopped at the first
    baseline post it met, took the entry for absent and sent it again (a duplicate)."""
    scenario = region()
    ref = next(r for r in refs(scenario) if r.platform is Platform.OK)
    opener = scenario.opener()

    class Killed(BaseException):
        pass

    async with opener.open(ref) as page:
        first = await publish_once(journal, "a", page, Post(text=text_of(7)))
        real = page.publish

        async def dies_after_sending(post: Post) -> Any:
            await real(post)
            # Sent within the millisecond of the first: OK then lists the older first.
            topics = {t.text: t for g in scenario.ok.groups.values() for t in g.topics}
            topics[text_of(8)].created_ms = topics[text_of(7)].created_ms
            raise Killed

        page.publish = dies_after_sending  # type: ignore[method-assign]
        with pytest.raises(Killed):
            await publish_once(journal, "b", page, Post(text=text_of(8)))
        listed = [s async for s in page.posts()]
    assert journal.get("b").baseline[0] == first.post_id
    assert [s.text for s in listed[:2]] == [text_of(7), text_of(8)]
    result = await reconcile(journal, opener.open, resend=True, clock=scenario.clock)
    assert [e.key for e in result.found] == ["b"] and not result.sent
    assert journal.get("b").post_id == listed[1].id
    assert counted(scenario)[text_of(8)] == 1


async def test_run_due_sends_what_is_due_only(journal: Any) -> None:
    scenario = region()
    ref = next(r for r in refs(scenario) if r.platform is Platform.VK)
    journal.plan("now", ref, Post(text=text_of(5)), due=NOW - timedelta(minutes=1))
    journal.plan("later", ref, Post(text=text_of(6)), due=NOW + timedelta(hours=1))
    done = await run_due(journal, scenario.opener().open, NOW, clock=scenario.clock)
    assert [e.key for e in done] == ["now"] and done[0].state is EntryState.PUBLISHED
    assert journal.get("later").state is EntryState.PLANNED
    assert counted(scenario)[text_of(6)] == 0


@pytest.mark.parametrize(
    "seeds",
    [(1, 2, 3), (228, 328, 428)],
    ids=["faults-1-2-3", "faults-228-328-428"],
)
async def test_1000_publishes_under_20_percent_faults(
    journal: Any, seeds: tuple[int, int, int]
) -> None:
    """1,000 publishes across VK, OK and Telegram, 20 % of calls failing (a third of them
    committed with the answer lost): 0 duplicates, 0 lost; ≤ 1 % left needs_check after
    one reconcile pass.

    ``seeds``: VK's, OK's and Telegram's faults. The second set once needed five runner
    passes: the test gave the runner three, and an OK post refused with HTTP 502 four
    times in a row (each time «outcome unknown»: OK has no idempotency key) was still
    ``needs_check``, reported as lost. The runner is now run as a cron job would run it,
    until everything is out."""
    # tenacity's backoff jitter draws from `random`: it orders the concurrent pages'
    # calls, and so which call draws which fault. Pinned, the schedule does not depend
    # on the tests that ran before.
    random.seed(f"journal-faults-{seeds}")
    scenario = region(faults=0.2, seeds=seeds[:2], now=NOW.timestamp())
    assert {r.platform for r in refs(scenario)} == set(Platform)
    opener = scenario.opener()
    opened = {(r.platform, r.page): opener.open(r) for r in refs(scenario)}
    await publish_many(journal, scenario, opened, range(1000), chaos=random.Random(seeds[2]))
    after_publishing = journal.counts()[EntryState.NEEDS_CHECK]
    assert 10 < after_publishing <= 80  # the faults did bite: 3.7 % with the first seeds
    settled = await reconcile(journal, opener.open, clock=scenario.clock)
    # The target: ≤ 1 % left needs_check after one reconcile pass (measured: 0).
    assert len(settled.unknown) <= 10, settled.unknown
    assert len(settled.found) + len(settled.absent) >= after_publishing - 10
    # The runner sends again what is certainly absent or refused, pass after pass.
    await drain(journal, opener.open, scenario.clock, total=1000)
    for page in opened.values():
        await page.aclose()
    texts = counted(scenario)
    wanted = [text_of(i) for i in range(1000)]
    assert sum(1 for t in wanted if texts[t] > 1) == 0  # no duplicates
    assert sum(1 for t in wanted if texts[t] == 0) == 0  # nothing lost
    for entry in journal.entries():  # each receipt names the post with the entry's text
        assert entry.post_id and entry.url, entry


async def test_two_publishers_on_one_journal_send_each_entry_once(tmp_path: Path) -> None:
    scenario = region(faults=0.1)
    db = tmp_path / "j.sqlite"
    opener = scenario.opener()
    with SQLiteJournal(db) as first, SQLiteJournal(db) as second:
        opened = [{(r.platform, r.page): opener.open(r) for r in refs(scenario)} for _ in "ab"]
        await asyncio.gather(
            publish_many(first, scenario, opened[0], range(200)),
            publish_many(second, scenario, opened[1], range(200)),
        )
        await drain(first, opener.open, scenario.clock, total=200)
        for pages in opened:
            for page in pages.values():
                await page.aclose()
        texts = counted(scenario)
        assert all(texts[text_of(i)] == 1 for i in range(200)), [
            i for i in range(200) if texts[text_of(i)] != 1
        ]
        holders = {e.holder for e in first.entries()}
        assert holders == {first.holder, second.holder}  # both did send some


def test_cli_journal_show_and_reconcile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "j.sqlite"
    with SQLiteJournal(db) as journal:
        entry = journal.plan("k", PageRef(platform=Platform.VK, page="club1"), Post(text="Т"))
        journal.replace(
            entry, entry.model_copy(update={"state": EntryState.NEEDS_CHECK, "baseline": []})
        )
    assert main(["journal", "show", "--journal", str(db)]) == 0
    out = capsys.readouterr().out
    assert "нужна сверка" in out and "club1" in out
    assert main(["journal", "show", "--journal", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["needs_check"] == 1


def test_cli_journal_reconcile_on_the_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gospages.testing import build_region

    ref = next(r for _, r in build_region(seed=0).registry.pages() if r.platform is Platform.OK)
    db = tmp_path / "j.sqlite"
    with SQLiteJournal(db) as journal:
        entry = journal.plan("k", ref, Post(text="Запись, ответ на которую потерян"))
        journal.replace(
            entry, entry.model_copy(update={"state": EntryState.NEEDS_CHECK, "baseline": []})
        )
    code = main(["journal", "reconcile", "--journal", str(db), "--sandbox", "--resend"])
    out = capsys.readouterr().out
    assert "Сверено записей: 1" in out, out
    with SQLiteJournal(db) as journal:
        assert journal.get("k").state in (EntryState.PUBLISHED, EntryState.NEEDS_CHECK)
        assert code == (1 if journal.get("k").state is EntryState.NEEDS_CHECK else 0)


def test_cli_journal_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["journal", "show", "--journal", str(tmp_path / "none.sqlite")]) == 2
    assert "не найден" in capsys.readouterr().err


def test_processes_opening_a_new_journal_at_once_all_get_it(tmp_path: Path) -> None:
    """Switching a new file to WAL takes a lock SQLite does not wait for by itself: two
    publishers starting together made one fail with «database is locked» (seen in CI)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    start = time.time() + 3  # all of them open each new file at the same instant
    files = [str(tmp_path / f"j{i}.sqlite") for i in range(6)]
    with context.Pool(8) as pool:
        modes = pool.starmap(_open_and_report, [(files, start)] * 8)
    assert modes == [["wal"] * len(files)] * 8


def _open_and_report(paths: list[str], start: float) -> list[str]:
    from gospages import _sqlite

    modes = []
    for i, path in enumerate(paths):
        time.sleep(max(0.0, start + 0.3 * i - time.time()))
        db = _sqlite.connect(path, synchronous="FULL")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS t (x)")
            modes.append(str(db.execute("PRAGMA journal_mode").fetchone()[0]))
        finally:
            db.close()
    return modes
