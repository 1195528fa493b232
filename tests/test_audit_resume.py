"""Flat memory and resumable audits (issue 12): compact page results, per-page history,
an interrupted audit that goes on where it stopped."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from gospages import Platform
from gospages.registry import PageRef
from gospages.reports import AuditHistory, render_markdown, summarize
from gospages.reports._summary import page_row
from gospages.requirements import (
    AuditReport,
    PageResult,
    PageResultStore,
    PageSnapshot,
    audit_registry,
    capture_snapshot,
)
from gospages.testing import build_region
from gospages.testing._scenario import Scenario
from gospages.vk import VKLimits

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


class Stop(BaseException):
    """Stands for the process being stopped half-way (nothing in the audit catches it)."""


def opener(region: Scenario, opened: Counter[str]) -> Any:
    def open_ref(ref: PageRef) -> Any:
        opened[f"{ref.platform.value}:{ref.page}"] += 1
        options: dict[str, Any] = {}
        if ref.platform is Platform.VK:
            options = {"limits": VKLimits(user=1000, service=1000)}
        elif ref.platform is Platform.OK:
            options = {"requests_per_second": 1000}
        return region.open_ref(ref, **options)

    return open_ref


def region() -> Scenario:
    return build_region(seed=3, vk_rate_limits=False, telegram=False, now=NOW.timestamp())


def run(
    scenario: Scenario, history: AuditHistory | None, opened: Counter[str], **kw: Any
) -> AuditReport:
    stop_after = kw.pop("stop_after", None)
    if stop_after is not None:

        def stop(done: int, _total: int, _what: str) -> None:
            if done >= stop_after:
                raise Stop  # the process is stopped once this many pages are done

        kw["progress"] = stop
    return asyncio.run(
        audit_registry(
            scenario.registry,
            opener(scenario, opened),
            "tomsk",
            history=history,
            concurrency=kw.pop("concurrency", 3),
            **kw,
        )
    )


def comparable(report: AuditReport) -> dict[str, Any]:
    return report.model_dump(mode="json", exclude={"previous"})


# -- the compact snapshot ---------------------------------------------------------------------


def test_compact_keeps_what_reports_read_and_drops_texts() -> None:
    scenario = region()
    org, ref = next((o, r) for o, r in scenario.pages() if r.platform is Platform.VK)

    async def capture() -> PageSnapshot:
        async with opener(scenario, Counter())(ref) as page:
            return await capture_snapshot(page, days=28, org=org, ref=ref, now=NOW)

    full = asyncio.run(capture())
    full = full.model_copy(
        update={
            "posts": [p.model_copy(update={"text": "длинный текст " * 500}) for p in full.posts],
            "profile": full.profile.model_copy(  # type: ignore[union-attr]
                update={"description": "о нас " * 1000, "extras": {"x": "y" * 1000}}
            ),
        }
    )
    small = full.compact()
    assert full.posts and all(p.text == "" and p.attachments == [] for p in small.posts)
    assert [(p.id, p.date, p.views, p.likes) for p in small.posts] == [
        (p.id, p.date, p.views, p.likes) for p in full.posts
    ]
    assert small.profile is not None and len(small.profile.description) == 200
    assert small.profile.extras == {} and small.profile.members_count
    assert small.compact() == small
    assert len(small.model_dump_json()) * 20 < len(full.model_dump_json())
    # Everything a report row shows is the same from either.
    assert small.last_post == full.last_post and small.posts_per_week() == full.posts_per_week()


def test_report_pages_are_compact_and_rows_unchanged() -> None:
    scenario = region()
    report = run(scenario, None, Counter(), now=NOW)
    assert report.pages and all(p.text == "" for a in report.pages for p in a.snapshot.posts)
    assert all(a.snapshot.compact() == a.snapshot for a in report.pages)
    assert any(a.snapshot.posts for a in report.pages)
    weeks = 4
    for audit in report.pages:
        row = page_row(audit, weeks)
        assert row.posts == len(audit.snapshot.posts)


# -- history files ------------------------------------------------------------------------------


def test_a_history_file_from_before_issue_12_opens_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    old = {"created_at": "2025-01-01T00:00:00+00:00", "policy": "tomsk@2023-02", "pages": {}}
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "CREATE TABLE audits (id INTEGER PRIMARY KEY, "
            "policy TEXT NOT NULL, created_at TEXT NOT NULL, summary TEXT NOT NULL)"
        )
        db.execute(
            "INSERT INTO audits (policy, created_at, summary) VALUES (?, ?, ?)",
            ("tomsk@2023-02", old["created_at"], json.dumps(old)),
        )
    history = AuditHistory(path)
    assert history.previous("tomsk@2023-02") == old
    assert history.runs() == [(old["created_at"], "tomsk@2023-02")]
    assert isinstance(history, PageResultStore)
    scenario = region()
    report = run(scenario, history, Counter(), now=NOW)
    assert report.previous == old  # the trend reaches back to the old file's run
    assert len(AuditHistory(path).runs()) == 2  # opened again: nothing migrated twice
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM page_results").fetchone()[0] == 0


def test_page_results_arrive_during_the_run(tmp_path: Path) -> None:
    history = AuditHistory(tmp_path / "h.sqlite")
    scenario = region()
    total = len(scenario.registry.pages())
    seen: list[int] = []

    def progress(done: int, _total: int, _what: str) -> None:
        with closing(sqlite3.connect(history.path)) as db:
            seen.append(db.execute("SELECT count(*) FROM page_results").fetchone()[0])

    run(scenario, history, Counter(), now=NOW, progress=progress)
    # Written in batches of a few pages while the run goes on, not at the end.
    assert seen[-1] >= total - 8 and 0 < max(seen) < total + 1
    assert seen == sorted(seen)


# -- resuming -----------------------------------------------------------------------------------


def test_an_interrupted_audit_resumes_without_reading_finished_pages(tmp_path: Path) -> None:
    scenario = region()
    total = len(scenario.registry.pages())
    single = run(scenario, AuditHistory(tmp_path / "single.sqlite"), Counter(), now=NOW)

    history = AuditHistory(tmp_path / "h.sqlite")
    first: Counter[str] = Counter()
    with pytest.raises(Stop):
        run(scenario, history, first, now=NOW, stop_after=total // 2, concurrency=1)
    assert history.runs() == []  # no summary of a run that did not finish
    stored = {i for i, _ in history.run_results(1)}
    assert len(stored) == total // 2  # everything finished before the stop was written

    second: Counter[str] = Counter()
    progress: list[tuple[int, str]] = []
    resumed = run(
        scenario,
        history,
        second,
        resume=True,
        progress=lambda done, _t, what: progress.append((done, what)),
    )
    pages = scenario.registry.pages()
    finished = {f"{pages[i][1].platform.value}:{pages[i][1].page}" for i in stored}
    assert not finished & set(second)  # no finished page read again
    assert set(first) | set(second) == {f"{r.platform.value}:{r.page}" for _, r in pages}
    # Pages read together with others (a VK batch) may be opened in both runs, but only
    # those whose results were not yet stored at the stop.
    assert all(n <= 2 for n in (first + second).values())
    assert (set(first) & set(second)).isdisjoint(finished)
    assert progress[0] == (total // 2, f"уже проверены: {total // 2}")
    assert comparable(resumed) == comparable(single)
    assert resumed.created_at == NOW  # the run keeps its period
    assert render_markdown(resumed) == render_markdown(single)
    assert len(history.runs()) == 1 and history.previous() == summarize(resumed)
    # Finished: nothing left to resume, a new run starts from scratch.
    again: Counter[str] = Counter()
    run(scenario, history, again, now=NOW, resume=True)
    assert sum(again.values()) == total


def test_resume_needs_a_store_that_keeps_pages() -> None:
    from gospages import ValidationError

    with pytest.raises(ValidationError, match="журнал"):
        run(region(), None, Counter(), resume=True)


def test_a_different_page_list_or_policy_is_not_resumed(tmp_path: Path) -> None:
    scenario = region()
    history = AuditHistory(tmp_path / "h.sqlite")
    with pytest.raises(Stop):
        run(scenario, history, Counter(), now=NOW, stop_after=4, concurrency=1)
    opened: Counter[str] = Counter()
    asyncio.run(
        audit_registry(
            scenario.registry,
            opener(scenario, opened),
            "federal",  # another policy: another audit
            history=history,
            resume=True,
            now=NOW,
        )
    )
    assert sum(opened.values()) == len(scenario.registry.pages())


def test_page_result_round_trips(tmp_path: Path) -> None:
    scenario = region()
    report = run(scenario, None, Counter(), now=NOW)
    pages = scenario.registry.pages()
    for index, audit in enumerate(report.pages):
        org, ref = pages[index]
        back = PageResult.load(index, PageResult(index, audit, "https://x.ru").dump(), org, ref)
        assert back.audit == audit and back.site == "https://x.ru"
        assert back.audit.org is org


# -- across processes ---------------------------------------------------------------------------


def _harness() -> Any:
    import importlib.util
    import sys

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location(
        "audit_memory", root / "benchmarks" / "audit_memory.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_memory"] = module
    spec.loader.exec_module(module)
    return module


def test_an_audit_killed_half_way_resumes_in_another_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    src = str(Path(__file__).resolve().parent.parent / "src")
    current = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", src + (os.pathsep + current if current else ""))
    # VK pages are read in batches (500 by default) and stored as each batch finishes:
    # batches of 8, one at a time, so that the kill (at the wall reads of the 24th page)
    # leaves the first batches stored and the third one unfinished.
    pages, concurrency = 48, 1
    t = _harness().trial(pages, kill_after=24, concurrency=concurrency, batch=8)
    assert t.exit_codes[0] == 0 and t.exit_codes[2] == 0, t.outputs
    assert t.exit_codes[1] == -9  # SIGKILL
    every = set(t.single)
    assert len(every) == pages
    assert 8 <= len(t.stored) < pages
    assert not t.stored & set(t.second)  # a stored page is not read again
    assert set(t.second) == every - t.stored  # and every other page is
    # Stored pages were read once, completely, by the killed run; the others by the
    # resumed one: per page, as many requests as in a single run.
    for page in t.stored:
        assert t.first[page] == t.single[page], page
    for page in every - t.stored:
        assert t.second[page] == t.single[page], page
    # Read in both runs: only pages unfinished or not yet written at the kill.
    assert len(set(t.first) & set(t.second)) <= concurrency + 8
    assert t.resumed_report == t.single_report  # the same summary and Markdown report
