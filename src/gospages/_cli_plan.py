"""``gospages plan check``, ``plan ics`` and ``plan run``: content plans on the command line."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from .planning import PlanCheck, PlanReport, Resolver
    from .registry import Registry

__all__ = ["add_plan_commands"]

_WEEKDAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


def _week(text: str) -> date:
    try:
        return (
            date.fromisoformat(text) if "-" in text else datetime.strptime(text, "%d.%m.%Y").date()
        )
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"«{text}» — не дата: укажите первый день недели, например 2026-12-07"
        ) from None


def add_plan_commands(commands: Any) -> None:
    """Register ``plan check`` and ``plan ics`` on the CLI's subparsers."""
    plan = commands.add_parser(
        "plan", help="контент-план (XLSX, CSV, YAML): проверка недели, календарь .ics"
    )
    plan.set_defaults(handler=lambda _args: (plan.print_help(), 2)[1])
    actions = plan.add_subparsers(dest="plan_action", metavar="ДЕЙСТВИЕ")
    check = actions.add_parser(
        "check",
        help="до начала недели: нормы частоты, check-post и лимиты площадок, праздники",
        description=(
            "Проверяет публикации недели по плану: каким страницам реестра не хватит "
            "публикаций до нормы политики (POL-FREQ), какие посты не проходят check-post "
            "или лимиты площадок, какие выпадают на праздник или вне рабочего времени "
            "(если политика это задаёт). Код выхода 1 при замечаниях, 2 при ошибке чтения."
        ),
    )
    ics = actions.add_parser("ics", help="записать план в календарь iCalendar (.ics)")
    for action in (check, ics):
        action.add_argument("plan", type=Path, metavar="ПЛАН", help=".xlsx, .csv, .yaml или .yml")
        action.add_argument("--registry", type=Path, help="реестр страниц (.yaml, .csv, .xlsx)")
        action.add_argument(
            "--timezone", help="часовой пояс строк без своего (по умолчанию Europe/Moscow)"
        )
    check.add_argument(
        "--policy",
        default="federal",
        help="предустановка (federal, tomsk, yakutia, bashkortostan, spb, novosibirsk) или "
        "файл .toml; по умолчанию %(default)s",
    )
    check.add_argument(
        "--week",
        type=_week,
        help="первый день недели (2026-12-07); по умолчанию следующий понедельник",
    )
    check.add_argument("--md", type=Path, help="записать результат в Markdown")
    check.set_defaults(handler=_check)
    ics.add_argument("-o", "--output", type=Path, required=True, help="файл .ics")
    ics.set_defaults(handler=_ics)
    _add_run(actions)


def _add_run(actions: Any) -> None:
    from ._cli_journal import add_journal_option

    run = actions.add_parser(
        "run",
        help="отдать публикации плана отложенному постингу площадок или обработчику журнала",
        description=(
            "Для каждой публикации плана и каждой страницы её выборки: где площадка умеет "
            "откладывать (ВКонтакте, Одноклассники, Telegram), пост сразу отправляется с "
            "временем публикации и площадка опубликует его сама; где не умеет (MAX, ключ без "
            "права, слишком далеко) — запись ложится в журнал со временем отправки, её "
            "отправит gospages journal run (cron или таймер systemd). Всё проходит через "
            "журнал: повторный запуск ничего не публикует дважды. Прошедшие публикации не "
            "отправляются без --now. Код выхода: 0 — всё отложено или записано, 1 — часть не "
            "прошла проверку, время прошло или ошибка, 2 — ничего не сделано."
        ),
    )
    run.add_argument("plan", type=Path, metavar="ПЛАН", help=".xlsx, .csv, .yaml или .yml")
    run.add_argument("--registry", type=Path, help="реестр страниц (.yaml, .csv, .xlsx)")
    run.add_argument(
        "--sandbox",
        action="store_true",
        help="без ключей, в песочнице (без --registry — встроенная область)",
    )
    run.add_argument(
        "--timezone", help="часовой пояс строк без своего (по умолчанию Europe/Moscow)"
    )
    add_journal_option(run, sandbox_temporary=True)
    which = run.add_mutually_exclusive_group()
    which.add_argument("--week", type=_week, help="только неделя с этого дня (2026-12-07)")
    which.add_argument("--all", action="store_true", help="все публикации плана, и прошедшие тоже")
    run.add_argument(
        "--now",
        action="store_true",
        help="публикации, время которых прошло, опубликовать сразу (без флага не отправляются)",
    )
    run.add_argument("--yes", action="store_true", help="не спрашивать подтверждение")
    run.set_defaults(handler=_run, real_pace=False)


def _load(
    args: argparse.Namespace, err: Console
) -> tuple[PlanReport, Registry | None, Resolver | None] | None:
    from rich.text import Text

    from ._errors import GospagesError
    from ._escape import console_text
    from .planning import load_plan_report, selection_resolver
    from .registry import load_registry

    try:
        report = load_plan_report(args.plan, timezone=args.timezone)
        registry = load_registry(args.registry) if args.registry else None
    except GospagesError as error:
        err.print(Text.assemble(("Ошибка:", "red"), " ", console_text(str(error), None)))
        return None
    resolve = selection_resolver(registry) if registry is not None else None
    return report, registry, resolve


def _check(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.text import Text

    from ._errors import GospagesError
    from .planning import check_plan
    from .requirements import load_policy

    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)
    loaded = _load(args, err)
    if loaded is None:
        return 2
    report, registry, resolve = loaded
    try:
        policy = load_policy(args.policy)
    except GospagesError as error:
        err.print(Text(f"Ошибка: {error}"))
        return 2
    result = check_plan(
        report.plan, policy=policy, registry=registry, resolve=resolve, week=args.week
    )
    _print(out, args.plan, report, result, with_registry=registry is not None)
    if args.md is not None:
        args.md.write_text(_markdown(args.plan, report, result), encoding="utf-8")
        out.print(Text(f"Записано: {args.md}"))
    return 0 if result.ok and not report.problems else 1


def _days(result: PlanCheck) -> str:
    last = result.week + timedelta(days=6)
    return f"{result.week:%d.%m.%Y}–{last:%d.%m.%Y}"


def _print(
    console: Console, file: Path, report: PlanReport, result: PlanCheck, *, with_registry: bool
) -> None:
    from rich.table import Table
    from rich.text import Text

    from ._escape import console_text
    from ._russian import number
    from .requirements import Severity

    console.print(
        Text(
            f"Контент-план {file}: неделя {_days(result)}, публикаций в неделе: "
            f"{len(result.items)} (всего в плане: {len(report.plan)})",
            style="bold",
        )
    )
    if report.problems:
        console.print(Text(f"Строки с ошибками ({len(report.problems)}):", style="bold red"))
        for row in report.problems:
            console.print(Text.assemble("  ", console_text(str(row))))
    for notice in report.notes:
        console.print(Text.assemble("  ", console_text(str(notice)), style="dim"))
    if result.items:
        table = Table(title="Публикации недели")
        for column in ("Когда", "ID", "Кому", "Текст", "Замечания"):
            table.add_column(column)
        for item in result.items:
            own = [p for p in result.problems if p.item is item]
            pages = result.targets.get(item.id)
            where = item.target + (f" ({len(pages)} стр.)" if pages is not None else "")
            table.add_row(
                f"{_WEEKDAYS[item.at.weekday()]} {item.at:%d.%m %H:%M}",
                console_text(item.id),
                console_text(where, 80),
                console_text(item.title, 60),
                Text(str(len(own)) if own else "—", style="red" if own else "green"),
            )
        console.print(table)
    styles = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "dim"}
    if result.problems:
        console.print(Text(f"Замечания к публикациям ({len(result.problems)}):", style="bold"))
        for problem in result.problems:
            console.print(
                Text.assemble(
                    "  ",
                    (problem.severity.label, styles[problem.severity]),
                    f" {problem.rule_id} · {problem.item.at:%d.%m %H:%M} · ",
                    console_text(problem.item.title, 40),
                    ": ",
                    console_text(problem.message),
                )
            )
    if result.shortfalls:
        table = Table(title=f"Страницы ниже нормы публикаций в неделю ({len(result.shortfalls)})")
        for column in ("Организация", "Площадка", "Страница", "В плане", "Норма"):
            table.add_column(column, justify="right" if column in ("В плане", "Норма") else "left")
        for short in result.shortfalls:
            table.add_row(
                console_text(short.org.name, 60),
                short.page.platform.label,
                console_text(short.page.page, 60),
                str(short.planned),
                number(short.norm),
            )
        console.print(table)
    if not with_registry:
        console.print(
            Text("Без --registry нормы частоты по страницам не проверялись.", style="dim")
        )
    for note in result.notes:
        console.print(Text(note, style="yellow"))
    if result.ok and not report.problems:
        console.print(Text("Замечаний нет.", style="bold green"))


def _markdown(file: Path, report: PlanReport, result: PlanCheck) -> str:
    from ._escape import markdown_text as md
    from ._russian import number

    lines = [f"# Проверка контент-плана {md(str(file))}", ""]
    lines += [f"Неделя {_days(result)}, публикаций: {len(result.items)}.", ""]
    if report.problems:
        lines += ["## Строки с ошибками", ""]
        lines += [f"- {md(str(row))}" for row in report.problems] + [""]
    if result.problems:
        lines += ["## Замечания к публикациям", "", "| Когда | Пост | Правило | Замечание |"]
        lines.append("| --- | --- | --- | --- |")
        for one in result.problems:
            lines.append(
                f"| {one.item.at:%d.%m.%Y %H:%M} | {md(one.item.title, 60)} | {one.rule_id} "
                f"({one.severity.label}) | {md(one.message)} |"
            )
        lines.append("")
    if result.shortfalls:
        lines += ["## Страницы ниже нормы", "", "| Организация | Страница | В плане | Норма |"]
        lines.append("| --- | --- | ---: | ---: |")
        for s in result.shortfalls:
            lines.append(
                f"| {md(s.org.name)} | {s.page.platform.label}: {md(s.page.page)} | "
                f"{s.planned} | {number(s.norm)} |"
            )
        lines.append("")
    lines += [md(note) for note in result.notes]
    if result.ok and not report.problems:
        lines.append("Замечаний нет.")
    return "\n".join(lines) + "\n"


def _ics(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.text import Text

    from ._files import os_error_text
    from .planning import write_ics

    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)
    loaded = _load(args, err)
    if loaded is None:
        return 2
    report, _registry, resolve = loaded
    for problem in report.problems:
        err.print(Text(f"Пропущено: {problem}"))
    try:
        write_ics(report.plan, args.output, resolve=resolve)
    except OSError as error:
        err.print(Text(f"Ошибка: {os_error_text(error, args.output)}"))
        return 2
    out.print(Text(f"Записано: {args.output} (событий: {len(report.plan)})"))
    return 1 if report.problems else 0


# -- plan run -------------------------------------------------------------------------------

_MARKS = {
    "scheduled": ("✓", "green"),
    "runner": ("⏳", "cyan"),
    "sent": ("✓", "green"),
    "known": ("=", "dim"),
    "past": ("✗", "red"),
    "refused": ("✗", "red"),
    "failed": ("✗", "red"),
    "needs_check": ("?", "yellow"),
}
_TOTALS = (
    ("scheduled", "отложено на площадках"),
    ("runner", "ждут обработчика"),
    ("sent", "опубликовано сразу"),
    ("known", "уже в журнале"),
    ("past", "время прошло"),
    ("refused", "не прошли проверку"),
    ("failed", "ошибок"),
    ("needs_check", "нужна сверка"),
)


def _run_line(line: Any, *, dry: bool) -> Text:
    from rich.text import Text

    from ._escape import console_text
    from .planning import RunAction

    mark, style = _MARKS[line.action.value]
    where: tuple[Any, ...] = ("—",)
    if line.org is not None and line.ref is not None:
        where = (
            console_text(line.org.name, 120),
            f" · {line.ref.platform.label} ",
            console_text(line.ref.page, 100),
        )
    label = line.action.label
    if dry and line.action is RunAction.SCHEDULED:
        label = "будет отложено на площадке"
    elif dry and line.action is RunAction.SENT:
        label = "будет опубликовано сразу"
    if line.action is RunAction.RUNNER:
        label += f" (gospages journal run) с {line.item.at:%d.%m.%Y %H:%M %Z}"
    if line.action is RunAction.KNOWN and line.entry is not None:
        label += f": {line.entry.state.label}"
    link = line.entry.url if line.entry is not None and line.entry.url else ""
    detail = " — ".join(x for x in (link, line.detail) if x and x != label)
    return Text.assemble(
        (mark, style),
        f" {line.item.at:%d.%m %H:%M} · ",
        console_text(line.item.id, 64),
        " «",
        console_text(line.item.title, 40),
        "» · ",
        *where,
        ": ",
        (label, style),
        *((" — ", console_text(detail, 500)) if detail else ()),
    )


def _run(args: argparse.Namespace) -> int:
    from datetime import timezone

    from rich.console import Console
    from rich.text import Text

    from ._cli_audit import _source
    from ._errors import GospagesError
    from ._escape import console_text
    from .planning import load_plan_report

    out = Console(soft_wrap=True)

    def fail(message: str) -> int:
        out.print(Text.assemble(("Ошибка:", "red"), " ", console_text(message, 2000)))
        return 2

    if args.registry is None and not args.sandbox:
        return fail("укажите реестр (--registry ФАЙЛ) или --sandbox для песочницы")
    try:
        report = load_plan_report(args.plan, timezone=args.timezone)
        source = _source(args)
    except (GospagesError, OSError) as error:
        return fail(str(error))
    if source.banner is not None:
        out.print(Text(source.banner, style="bold yellow"))
    for problem in report.problems:
        out.print(Text.assemble(("Пропущена строка: ", "red"), console_text(str(problem))))
    clock = getattr(source.open_page, "_clock", None)  # the sandbox's virtual clock
    now = (
        datetime.fromtimestamp(clock.time(), timezone.utc)
        if clock is not None
        else datetime.now(timezone.utc)
    )
    plan = report.plan
    if args.all:
        items = list(plan)
    elif args.week is not None:
        items = plan.week(args.week)
    else:
        items = [i for i in plan if i.at > now]
        past = len(plan) - len(items)
        if past:
            out.print(
                Text(
                    f"Прошедших публикаций в плане: {past} — не отправляются (все: --all, "
                    "прошедшие сразу: --all --now).",
                    style="dim",
                )
            )
    if not items:
        out.print(Text("В плане нет публикаций для запуска."))
        return 2 if report.problems else 0

    return run_items(
        out,
        items,
        source,
        journal_at=args.journal,
        title=f"Контент-план {args.plan}",
        clock=clock,
        now=now,
        send_past=args.now,
        ask=not args.yes,
        problems=bool(report.problems),
    )


def run_items(
    out: Any,
    items: list[Any],
    source: Any,
    *,
    journal_at: str | None,
    title: str,
    clock: Any,
    now: datetime,
    send_past: bool = False,
    ask: bool = True,
    problems: bool = False,
) -> int:
    """Hand ``items`` (plan items) to the platforms' scheduling or to the journal's runner
    (:func:`gospages.planning.run_plan`), asking first when ``ask``; print a line per page
    and the totals; the exit code (0 done, 1 partly, 2 nothing). ``gospages plan run`` and
    ``gospages publish --at`` both end here."""
    import asyncio
    import contextlib

    from rich.text import Text

    from ._cli_journal import writable_journal
    from ._escape import console_text
    from .planning import RunAction, run_plan

    def fail(message: str) -> int:
        out.print(Text.assemble(("Ошибка:", "red"), " ", console_text(message, 2000)))
        return 2

    with contextlib.ExitStack() as stack:
        try:
            journal = stack.enter_context(writable_journal(journal_at))
        except Exception as error:  # a file or a database driver's own error
            return fail(f"журнал {journal_at} не открылся: {error}")

        async def go(dry_run: bool) -> Any:
            async with source.open_page:
                return await run_plan(
                    items,
                    source.registry,
                    source.open_page,
                    journal,
                    clock=clock,
                    now=now if dry_run else None,
                    send_past=send_past,
                    dry_run=dry_run,
                )

        where = journal.where if journal_at else "временный (песочница без --journal)"
        out.print(Text.assemble(f"{title}, журнал: ", console_text(where)))
        if ask:
            preview = asyncio.run(go(dry_run=True))
            for line in preview.lines:
                out.print(_run_line(line, dry=True))
            todo = sum(
                preview.count(a) for a in (RunAction.SCHEDULED, RunAction.RUNNER, RunAction.SENT)
            )
            if not todo:
                out.print(Text("Делать нечего: ничего не отправлено."))
                return 0 if preview.ok else 2
            try:
                answer = out.input(f"Отправить? Публикаций по страницам: {todo} [да/нет] ")
            except EOFError:
                answer = ""
            if answer.strip().casefold() not in ("да", "д", "yes", "y"):
                out.print("Отменено: ничего не отправлено.")
                return 2
        result = asyncio.run(go(dry_run=False))
    for line in result.lines:
        out.print(_run_line(line, dry=False))
    totals = [
        f"{label} {result.count(RunAction(k))}"
        for k, label in _TOTALS
        if result.count(RunAction(k))
    ]
    out.print(Text("Итого: " + (", ".join(totals) or "нечего делать") + "."))
    if result.count(RunAction.RUNNER):
        out.print(
            Text(
                "Записи «ждёт обработчика» отправит gospages journal run в своё время: "
                "запускайте его из cron или таймера systemd (docs/plans.md).",
                style="cyan",
            )
        )
    if source.banner is not None:
        out.print(Text(source.banner, style="bold yellow"))
    if result.ok:
        return 0
    acted = (RunAction.SCHEDULED, RunAction.RUNNER, RunAction.SENT, RunAction.NEEDS_CHECK)
    return 1 if any(result.count(a) for a in acted) or problems else 2
