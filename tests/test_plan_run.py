"""Publishing as a workflow (issue 13): plan run, the runner, publish and cascade through
the journal. Virtual time only."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from gospages import Platform, Post, VirtualClock
from gospages.cli import main
from gospages.planning import (
    ContentPlan,
    EntryState,
    PlanItem,
    RunAction,
    SQLiteJournal,
    TargetStatus,
    cascade,
    run_due,
    run_plan,
    target_key,
)
from gospages.testing import Scenario, build_region


@pytest.fixture
def region() -> Scenario:
    return build_region(seed=0)


def _now(region: Scenario) -> datetime:
    return datetime.fromtimestamp(region.clock.time(), timezone.utc)


def _plan(region: Scenario) -> ContentPlan:
    now = _now(region)
    return ContentPlan(
        items=[
            PlanItem(
                id="w1-news",
                at=now + timedelta(days=1),
                target="region",  # VK, OK, Telegram and MAX
                post=Post(text="Приём граждан в пятницу с 10 до 13 часов."),
            ),
            PlanItem(
                id="w0-old",
                at=now - timedelta(hours=3),
                target="ensk platform=vk",
                post=Post(text="Вчерашняя новость"),
            ),
        ]
    )


def _run(region: Scenario, journal: Any, plan: ContentPlan, **options: Any) -> Any:
    async def go() -> Any:
        async with region.opener() as factory:
            return await run_plan(
                plan, region.registry, factory.open, journal, clock=region.clock, **options
            )

    return asyncio.run(go())


def _scheduled_everywhere(region: Scenario, text: str) -> dict[str, int]:
    vk = [p for g in region.vk.groups.values() for p in g.posts if p.postponed and p.text == text]
    ok = [
        t
        for g in region.ok.groups.values()
        for t in g.topics
        if t.publish_at is not None and t.text == text
    ]
    tg = [m for c in region.telegram.chats.values() for m in c.scheduled if m.text == text]
    mx = [m for c in region.max.channels.values() for m in c.messages if m.text == text]
    return {"vk": len(vk), "ok": len(ok), "telegram": len(tg), "max": len(mx)}


def test_plan_run_schedules_on_the_platforms_and_leaves_max_to_the_runner(
    region: Scenario, tmp_path: Path
) -> None:
    plan = _plan(region)
    text = plan.get("w0-old").post.text
    with SQLiteJournal(tmp_path / "j.sqlite") as journal:
        run = _run(region, journal, plan)
        by_platform = {
            line.ref.platform: line for line in run.lines if line.item.id == "w1-news" and line.ref
        }
        assert {p: line.action for p, line in by_platform.items()} == {
            Platform.VK: RunAction.SCHEDULED,
            Platform.OK: RunAction.SCHEDULED,
            Platform.TELEGRAM: RunAction.SCHEDULED,
            Platform.MAX: RunAction.RUNNER,
        }
        assert "MAX не умеет откладывать" in by_platform[Platform.MAX].detail
        # the fakes hold the scheduled posts; MAX has nothing yet
        news = plan.get("w1-news").post.text
        assert _scheduled_everywhere(region, news) == {"vk": 1, "ok": 1, "telegram": 1, "max": 0}
        # the journal: scheduled entries with links, MAX planned with its due time
        vk_entry = journal.get(target_key("w1-news", by_platform[Platform.VK].ref))
        assert vk_entry is not None and vk_entry.state is EntryState.SCHEDULED
        assert vk_entry.post.publish_at == plan.get("w1-news").at and vk_entry.url
        max_entry = journal.get(target_key("w1-news", by_platform[Platform.MAX].ref))
        assert max_entry is not None and max_entry.state is EntryState.PLANNED
        assert max_entry.due == plan.get("w1-news").at and max_entry.post.publish_at is None
        # the item whose time passed is refused, not sent
        (old,) = [line for line in run.lines if line.item.id == "w0-old"]
        assert old.action is RunAction.PAST and old.entry is None
        assert not any(p.text == text for g in region.vk.groups.values() for p in g.posts)
        assert not run.ok

        # run again: nothing is sent twice
        calls = len(region.vk.calls_of("wall.post")), len(region.ok.calls_of("mediatopic.post"))
        again = _run(region, journal, plan)
        assert [line.action for line in again.lines if line.item.id == "w1-news"] == [
            RunAction.KNOWN
        ] * 4
        assert (
            len(region.vk.calls_of("wall.post")),
            len(region.ok.calls_of("mediatopic.post")),
        ) == calls
        assert _scheduled_everywhere(region, news) == {"vk": 1, "ok": 1, "telegram": 1, "max": 0}

        # the past item, explicitly sent at once
        now_run = _run(region, journal, ContentPlan(items=[plan.get("w0-old")]), send_past=True)
        assert [line.action for line in now_run.lines] == [RunAction.SENT]
        assert sum(p.text == text for g in region.vk.groups.values() for p in g.posts) == 1

        # the runner before the due time sends nothing, after it sends MAX once
        async def runner() -> list[Any]:
            async with region.opener() as factory:
                return await run_due(journal, factory.open, clock=region.clock)

        assert asyncio.run(runner()) == []
        assert isinstance(region.clock, VirtualClock)
        region.clock.advance(timedelta(days=1, minutes=1).total_seconds())
        sent = asyncio.run(runner())
        assert [(e.platform, e.state) for e in sent] == [(Platform.MAX, EntryState.PUBLISHED)]
        assert asyncio.run(runner()) == []
        assert _scheduled_everywhere(region, news)["max"] == 1


def test_a_failed_check_sends_the_item_nowhere(region: Scenario, tmp_path: Path) -> None:
    now = _now(region)
    item = PlanItem(
        id="long", at=now + timedelta(days=2), target="region", post=Post(text="Я" * 17000)
    )  # over VK's 16384 (Telegram and MAX split)
    with SQLiteJournal(tmp_path / "j.sqlite") as journal:
        run = _run(region, journal, ContentPlan(items=[item]))
        assert {line.action for line in run.lines} == {RunAction.REFUSED}
        assert any("16384" in line.detail for line in run.lines)
        assert journal.entries() == []
    assert region.vk.calls_of("wall.post") == []


def test_cascade_through_the_journal_reads_its_states(region: Scenario, tmp_path: Path) -> None:
    post = Post(text="Область продлила приём заявок на ремонт клубов.")

    async def run(journal: Any, state: Any = None) -> Any:
        async with region.opener() as factory:
            return await cascade(
                post,
                "level=поселение",
                region.registry,
                factory,
                item="kluby",
                state=state,
                journal=journal,
                clock=region.clock,
            )

    region.vk.fail_next("wall.post", error_code=15, error_msg="Access denied")
    with SQLiteJournal(tmp_path / "j.sqlite") as journal:
        first = asyncio.run(run(journal))
        assert len(first.published) == 4 and len(first.failed) == 1
        states = sorted(e.state.value for e in journal.entries())
        assert states == ["failed"] + ["published"] * 4
        for key, target in first.targets.items():
            entry = journal.get(key)
            assert entry is not None and entry.url == target.url
        # a fresh state from the journal alone: the same picture, and only the failed page sent
        sent = len(region.vk.calls_of("wall.post"))
        second = asyncio.run(run(journal))
        assert len(region.vk.calls_of("wall.post")) == sent + 1
        assert second.complete and all(
            t.status is TargetStatus.PUBLISHED for t in second.targets.values()
        )


def test_cli_plan_run_and_journal_run_on_the_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    at = (datetime.now(timezone.utc) + timedelta(days=3)).astimezone()
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "items:\n"
        f"  - id: n1\n    когда: {at:%d.%m.%Y %H:%M}\n    часовой пояс: UTC{at:%z}\n"
        "    кому: region\n    текст: Афиша выходных <b>[red]x[/red]</b>\n",
        encoding="utf-8",
    )
    db = tmp_path / "j.sqlite"
    args = ["plan", "run", str(plan), "--sandbox", "--journal", str(db), "--yes"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "отложено на площадке" in out and "ждёт обработчика" in out
    assert "[red]x[/red]" in out  # the plan's text shown as it is, not as markup
    assert "Итого: отложено на площадках 3, ждут обработчика 1" in out
    assert main(args) == 0
    assert "уже в журнале 4" in capsys.readouterr().out
    with SQLiteJournal(db) as journal:
        counts = journal.counts()
        assert counts[EntryState.SCHEDULED] == 3 and counts[EntryState.PLANNED] == 1
        # the runner's turn: an entry due already (the sandbox starts afresh each command)
        (planned,) = journal.entries(states=[EntryState.PLANNED])
        journal.plan("by-hand", planned.ref, Post(text="Срочно"), due=datetime.now(timezone.utc))
    assert main(["journal", "run", "--journal", str(db), "--sandbox"]) == 0
    out = capsys.readouterr().out
    assert "Отправлено: 1" in out and "by-hand" in out and "ждут своего времени: 1" in out


def test_cli_publish_goes_through_the_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "post.txt"
    text.write_text("Отключение воды в среду", encoding="utf-8")
    db = tmp_path / "j.sqlite"
    args = ["publish", str(text), "--to", "ensk", "--sandbox", "--yes", "--journal", str(db)]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "Журнал:" in first
    with SQLiteJournal(db) as journal:
        assert [e.state for e in journal.entries()] == [EntryState.PUBLISHED] * 3
    assert main(args) == 0  # the same post again: already in the journal, not sent again
    with SQLiteJournal(db) as journal:
        assert len(journal.entries()) == 3


def test_cli_publish_at_schedules_where_it_can_and_leaves_max_to_the_runner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "post.txt"
    text.write_text("Приём граждан в пятницу", encoding="utf-8")
    db = tmp_path / "j.sqlite"
    at = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M+00:00")
    args = ["publish", str(text), "--to", "org=region", "--sandbox", "--yes"]
    assert main([*args, "--at", at, "--journal", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Итого: отложено на площадках 3, ждут обработчика 1" in out  # VK, OK, Telegram; MAX
    with SQLiteJournal(db) as journal:
        by_platform = {e.platform: e for e in journal.entries()}
        assert by_platform[Platform.MAX].state is EntryState.PLANNED
        assert by_platform[Platform.MAX].due is not None
        assert {by_platform[p].state for p in (Platform.VK, Platform.OK, Platform.TELEGRAM)} == {
            EntryState.SCHEDULED
        }
    assert main([*args, "--at", at, "--journal", str(db)]) == 0  # again: nothing twice
    assert "уже в журнале 4" in capsys.readouterr().out
