"""Контент-план недели — в отложенный постинг площадок и журнал публикаций.

Запуск: python examples/16_content_plan.py

Читает examples/content_plan.xlsx и запускает его на песочнице-области из gospages.testing
(ключи и сеть не нужны), как `gospages plan run`: ВКонтакте, Одноклассники и Telegram
получают посты сразу, с временем публикации, и опубликуют их сами; что площадка отложить
не может (MAX), ложится в журнал со временем отправки, и его отправляет обработчик
(run_due — то, что делает `gospages journal run` из cron). Повторный запуск ничего не
публикует дважды. Время песочницы — 1 декабря 2026 года, 9:00 по Москве, виртуальное.
Документация: docs/plans.md.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from gospages import VirtualClock
from gospages.planning import SQLiteJournal, load_plan_report, run_due, run_plan
from gospages.testing import build_region

PLAN = Path(__file__).with_name("content_plan.xlsx")
START = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Moscow"))


async def main() -> None:
    region = build_region(seed=0, now=START.timestamp())
    report = load_plan_report(PLAN)
    for problem in report.problems:
        print("Пропущено:", problem)
    with (
        tempfile.TemporaryDirectory() as folder,
        SQLiteJournal(Path(folder) / "journal.sqlite") as journal,
    ):
        async with region.opener() as factory:
            run = await run_plan(
                report.plan, region.registry, factory.open, journal, clock=region.clock
            )
        for line in run.lines:
            where = f"{line.org.name} · {line.ref.platform.label}" if line.org else "—"
            print(f"{line.item.at:%d.%m %H:%M} {line.item.id} {where}: {line.action.label}")
        print("Итого:", {action.label: n for action, n in run.counts.items()})

        # Второй запуск того же плана: всё уже в журнале, ничего не отправлено.
        async with region.opener() as factory:
            again = await run_plan(
                report.plan, region.registry, factory.open, journal, clock=region.clock
            )
        print("Повторный запуск:", {action.label: n for action, n in again.counts.items()})

        # Через две недели (виртуально) обработчик отправляет то, чьё время пришло.
        assert isinstance(region.clock, VirtualClock)
        region.clock.advance(timedelta(days=14).total_seconds())
        async with region.opener() as factory:
            sent = await run_due(journal, factory.open, clock=region.clock)
        for entry in sent:
            print(f"Обработчик: {entry.key} — {entry.state.label} {entry.url or ''}")
        print("Журнал:", {s.label: n for s, n in journal.counts().items() if n})


if __name__ == "__main__":
    asyncio.run(main())
