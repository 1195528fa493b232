"""``gospages audit`` and ``gospages check-post``."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape as html_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ._errors import GospagesError
from ._escape import console_text
from ._factory import PageFactory
from ._files import FileProblem, os_error_text, read_post_text
from ._models import Platform, Post
from ._platforms import describe
from ._russian import count_phrase, integer, number
from ._settings import Settings
from .registry import Registry
from .reports import AuditHistory
from .requirements import (
    AuditReport,
    PageResult,
    Policy,
    Severity,
    audit_registry,
    check_post,
    load_policy,
)

if TYPE_CHECKING:
    from .moderation import ModerationStore

__all__ = ["add_commands"]

_COLORS = {"green": "green", "yellow": "yellow", "red": "red"}
_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "dim"}
_COMMENTS = ("комментарий", "комментария", "комментариев")


#: The sandbox runs on virtual time (VK's 3 requests/s hold in virtual seconds); this
#: flag makes it wait for real, as against the real platforms.
_REAL_PACE_HELP = "песочница в реальном времени: по-настоящему ждать лимиты площадок"


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"нужно целое число больше 0, а не «{value}»")
    return number


T = TypeVar("T")


def _with_progress(
    console: Console, total: int, work: Callable[[Callable[[int, int, str], None]], Awaitable[T]]
) -> T:
    """Run ``work(progress)`` under a progress bar of ``total`` pages."""
    with Progress(
        # The description is a page's name: text, not markup.
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Страницы", total=total)

        def advance(done: int, _total: int, what: str) -> None:
            bar.update(task, completed=done, description=what[:50])

        async def main() -> T:
            return await work(advance)

        return asyncio.run(main())


@dataclass
class _Source:
    """What a command works on: the registry, how its pages open, and what it is."""

    registry: Registry
    open_page: PageFactory
    where: str
    banner: str | None = None
    """On the sandbox (the content is invented): the warning said and written in reports."""
    notes: list[str] = field(default_factory=list)
    """What the user should know before reading the results (Russian)."""


def _prepare(console: Console, args: argparse.Namespace) -> tuple[Policy, _Source] | None:
    """The policy and the pages a command works on; ``None`` after printing the error."""
    try:
        policy = load_policy(args.policy)
        source = _source(args)
    except (GospagesError, OSError) as error:
        _fail(console, error)
        return None
    if source.banner is not None:
        console.print(Text(source.banner, style="bold yellow"))
    for note in source.notes:
        console.print(Text(note, style="yellow"))
    return policy, source


def _run_on_pages(
    console: Console,
    source: _Source,
    work: Callable[..., Awaitable[T]],
    policy: Policy,
    **kwargs: Any,
) -> T:
    """``work(registry, open_page, policy, progress=..., **kwargs)`` under a progress bar;
    what the run's pages share (the Telegram connection) is closed after."""

    async def run(advance: Callable[[int, int, str], None]) -> T:
        async with source.open_page:
            return await work(source.registry, source.open_page, policy, progress=advance, **kwargs)

    return _with_progress(console, len(source.registry.pages()), run)


def _fail(console: Console, error: object) -> int:
    console.print(_error(error))
    return 2


def _what(error: Exception) -> str:
    """An error's text; a file error in Russian with the file's name."""
    return os_error_text(error) if isinstance(error, OSError) else str(error)


def _error(error: object) -> Text:
    """«Ошибка: …»; the error's text (file names, a server's words) printed as text. A
    file error is said in Russian with the file's name, not as ``[Errno 2] …``."""
    if isinstance(error, OSError):
        error = os_error_text(error)
    return Text.assemble(("Ошибка:", "red"), " ", console_text(str(error)))


def add_commands(commands: Any) -> None:
    """Register ``audit`` and ``check-post`` on the CLI's subparsers."""
    audit = commands.add_parser(
        "audit",
        help="проверить страницы реестра по 8-ФЗ, 2523-р и политике региона",
        description=(
            "Проверяет все страницы реестра и пишет отчёты. С --sandbox страницы вашего "
            "реестра создаются в песочнице с выдуманными записями (ключи не нужны); без "
            "REGISTRY — встроенная песочница-область. Ключи для настоящих страниц — из "
            "переменных окружения или файла .env: GOSPAGES_VK_USER_TOKEN или "
            "GOSPAGES_VK_SERVICE_TOKEN, GOSPAGES_OK_APPLICATION_KEY, "
            "GOSPAGES_OK_APPLICATION_SECRET_KEY, GOSPAGES_OK_ACCESS_TOKEN, "
            "GOSPAGES_TG_API_ID, GOSPAGES_TG_API_HASH, GOSPAGES_TG_SESSION. Если не "
            "прочитана ни одна страница, отчёт не пишется (код выхода 2)."
        ),
    )
    audit.add_argument("registry", nargs="?", type=Path, help="реестр: .yaml, .csv или .xlsx")
    audit.add_argument(
        "--policy",
        default="federal",
        help="предустановка (federal, tomsk, yakutia, bashkortostan, spb, "
        "novosibirsk) или файл .toml; по умолчанию %(default)s",
    )
    audit.add_argument(
        "--sandbox",
        action="store_true",
        help="без ключей: страницы реестра в песочнице с выдуманными записями",
    )
    audit.add_argument("--real-pace", action="store_true", help=_REAL_PACE_HELP)
    audit.add_argument("--days", type=_positive, default=28, help="период, дней (%(default)s)")
    audit.add_argument("--html", type=Path, help="записать отчёт HTML")
    audit.add_argument("--xlsx", type=Path, help="записать таблицу ЦУР (XLSX)")
    audit.add_argument("--md", type=Path, help="записать отчёт Markdown")
    audit.add_argument(
        "--docx", type=Path, help="записать отчёт Word (.docx; нужен пакет python-docx)"
    )
    audit.add_argument(
        "--yearly", type=Path, help="записать абзац для ежегодного отчёта в думу (.txt)"
    )
    audit.add_argument(
        "--pages-list",
        type=Path,
        help="записать список официальных страниц для сайта: .html (фрагмент) или .json",
    )
    audit.add_argument("--history", type=Path, help="файл SQLite с историей проверок (тренд)")
    audit.add_argument(
        "--resume",
        action="store_true",
        help="продолжить прерванную проверку тех же страниц из --history, "
        "не перечитывая уже проверенные",
    )
    audit.add_argument("--concurrency", type=_positive, default=8, help="страниц одновременно")
    audit.add_argument(
        "--check-sites",
        action="store_true",
        help="открыть официальные сайты и проверить список страниц (FZ8-13-LIST)",
    )
    audit.add_argument(
        "--fail-on-errors", action="store_true", help="код выхода 1, если найдены нарушения"
    )
    audit.set_defaults(handler=_audit)

    check = commands.add_parser(
        "check-post",
        help="проверить текст поста до публикации",
        description="Ищет персональные данные, ссылки на Meta, рекламу без erid, "
        "запрещённое и лимиты площадок.",
    )
    check.add_argument(
        "file",
        type=Path,
        help="текст поста: .txt (UTF-8 или Windows-1251) или документ Word .docx; «-» — "
        "стандартный ввод",
    )
    check.add_argument("--policy", default="federal", help="политика (%(default)s)")
    check.set_defaults(handler=_check_post)

    moderate = commands.add_parser(
        "moderate",
        help="разобрать новые комментарии: спам, оскорбления, мат — по политике региона",
        description=(
            "Читает новые комментарии всех страниц реестра, классифицирует и решает по "
            "политике: удалить, заблокировать автора по лестнице, отправить человеку. По "
            "умолчанию ничего не меняет (пробный прогон); действовать — с --apply. Каждое "
            "решение пишется в журнал (SQLite). С --sandbox — страницы вашего реестра в "
            "песочнице с выдуманными комментариями; без REGISTRY — песочница-область. "
            "С --apply по одному журналу работает один запуск: второй завершится с кодом 3; "
            "действия прерванного запуска следующий сверит со страницами и завершит."
        ),
    )
    moderate.add_argument("registry", nargs="?", type=Path, help="реестр: .yaml, .csv, .xlsx")
    moderate.add_argument("--policy", default="federal", help="политика (%(default)s)")
    moderate.add_argument(
        "--sandbox",
        action="store_true",
        help="без ключей: страницы реестра в песочнице с выдуманными комментариями",
    )
    moderate.add_argument("--real-pace", action="store_true", help=_REAL_PACE_HELP)
    moderate.add_argument(
        "--db",
        type=Path,
        default=Path("gospages-moderation.sqlite"),
        help="журнал и состояние очереди (%(default)s)",
    )
    moderate.add_argument(
        "--apply", action="store_true", help="выполнить действия (без флага — только показать)"
    )
    moderate.add_argument("--actor", default="gospages", help="кто действует (для журнала)")
    moderate.set_defaults(handler=_moderate)

    inbox = commands.add_parser("inbox", help="журнал модерации: что сделано и что ждёт человека")
    inbox.add_argument(
        "--db", type=Path, default=Path("gospages-moderation.sqlite"), help="журнал (%(default)s)"
    )
    inbox.add_argument("--csv", type=Path, help="выгрузить журнал в CSV (для Excel)")
    inbox.set_defaults(handler=_inbox)


# -- audit -----------------------------------------------------------------------------------


#: Path options that are read, not written: every other path option of a command is an
#: output, checked before anything is read (:func:`_unwritable`).
_INPUTS = frozenset({"registry", "file", "src", "history", "db", "policy"})


def _unwritable(args: argparse.Namespace) -> str | None:
    """Why an output file of the command cannot be written (Russian), before any work: a
    missing or read-only folder, a folder given as the file. ``None`` when all can be."""
    for name, value in vars(args).items():
        if name in _INPUTS or not isinstance(value, Path):
            continue
        option = f"--{name.replace('_', '-')} {value}"
        folder = value.parent
        if value.is_dir():
            example = value / ("отчёт" + _SUFFIX.get(name, ""))
            return f"{option}: это папка; укажите имя файла, например {example}"
        if not folder.is_dir():
            return (
                f"{option}: папки {folder} нет. Создайте её (mkdir) или укажите другую; "
                "проверка не начата"
            )
        if not os.access(folder, os.W_OK) or (value.exists() and not os.access(value, os.W_OK)):
            return f"{option}: нет права записи в {value if value.exists() else folder}"
    return None


_SUFFIX = {"html": ".html", "xlsx": ".xlsx", "md": ".md", "docx": ".docx", "csv": ".csv"}


def _audit(args: argparse.Namespace) -> int:
    console = Console()
    unwritable = _unwritable(args)
    if unwritable is not None:
        return _fail(console, unwritable)
    if args.resume and args.history is None:
        return _fail(console, "--resume продолжает проверку из журнала: укажите --history ФАЙЛ")
    prepared = _prepare(console, args)
    if prepared is None:
        return 2
    policy, source = prepared
    if args.pages_list is not None and args.pages_list.suffix.lower() not in (".html", ".json"):
        return _fail(console, f"--pages-list {args.pages_list}: нужен файл .html или .json")
    if args.docx is not None:
        from .reports._docx import DOCX_MISSING, docx_available

        if not docx_available():
            return _fail(console, DOCX_MISSING)
    console.print(
        f"Проверка: {escape(source.where)}; политика "
        f"[bold]{escape(policy.title or policy.label)}[/], период {args.days} дн."
    )
    total = len(source.registry.pages())
    try:
        history = _Deferred(AuditHistory(args.history), console, total) if args.history else None
    except (sqlite3.Error, OSError) as error:
        return _fail(console, f"журнал проверок {args.history}: {_what(error)}")
    try:
        report = _run_on_pages(
            console,
            source,
            audit_registry,
            policy,
            days=args.days,
            concurrency=args.concurrency,
            history=history,
            check_sites=args.check_sites,
            removed=_would_remove(policy),
            resume=args.resume,
        )
    except KeyboardInterrupt:
        if history is None:
            raise
        console.print(
            Text(
                f"Проверка прервана. Проверенные страницы сохранены в {args.history}; "
                "чтобы продолжить, запустите ту же команду с --resume.",
                style="yellow",
            )
        )
        return 130
    if report.pages and all(p.snapshot.error is not None for p in report.pages):
        failures: dict[Platform, list[str]] = {}
        for page in report.pages:
            failures.setdefault(page.snapshot.platform, []).append(page.snapshot.error or "")
        if history is not None and history.run is not None:
            history.store.discard_run(history.run)  # nothing to resume from either
        return _nothing_read(console, source, failures, "audit", args)
    try:
        if history is not None and history.report is not None:
            if history.run is None:
                history.store.save(history.report)
            else:
                history.store.finish_run(history.run, history.report)
    except (sqlite3.Error, OSError) as error:
        return _fail(console, f"журнал проверок {args.history}: {_what(error)}")
    _print_report(console, report)
    try:
        _write_reports(console, report, args, source)
    except OSError as error:
        return _fail(console, f"не удалось записать отчёт: {_what(error)}")
    if source.banner is not None:
        console.print(Text(source.banner, style="bold yellow"))
    return 1 if args.fail_on_errors and report.count(Severity.ERROR) else 0


def _would_remove(policy: Policy) -> Callable[[str], bool]:
    """What the inbox would delete: no question to answer in the audit either."""
    from .moderation import would_remove

    return would_remove(policy)


def _source(args: argparse.Namespace) -> _Source:
    if args.registry is None:
        from .testing import build_region

        region = build_region(seed=0, real_pace=args.real_pace)
        where = "песочница (область gospages.testing)"
        return _Source(region.registry, region.opener(), where, _SANDBOX_REGION_BANNER)
    from .registry import load_registry_report

    loaded = load_registry_report(args.registry)
    registry = loaded.registry
    # Columns the registry has but gospages does not use: said in Russian, not as Python
    # warnings (an address in an unusual column explains many a «страница не указана»).
    unused = [f"Реестр: {warning}" for warning in loaded.warnings]
    if not args.sandbox:
        return _Source(registry, PageFactory(), f"реестр {args.registry}", notes=unused)
    from .testing import Scenario

    scenario = Scenario.from_registry(registry, seed=0, real_pace=args.real_pace)
    notes = unused + [
        f"Не создана в песочнице: {ref.platform.label} {ref.page} — {why}"
        for ref, why in scenario.skipped
    ]
    where = f"песочница: страницы из вашего реестра {args.registry} с выдуманными записями"
    return _Source(registry, scenario.opener(), where, _SANDBOX_BANNER, notes)


#: Said before any sandbox run, and written into its reports.
_SANDBOX_BANNER = (
    "Песочница: страницы из вашего реестра с выдуманными записями. Подписчики, публикации "
    "и комментарии придуманы gospages — это не проверка настоящих страниц."
)
_SANDBOX_REGION_BANNER = (
    "Песочница: выдуманная область gospages.testing. Подписчики, публикации и комментарии "
    "придуманы — это не проверка настоящих страниц."
)


# -- no page read: no report ------------------------------------------------------------------

#: Where the docs tell how to get keys when the platform's descriptor names no page of its own.
_OPEN_PAGES_DOCS = "«Ключи и открытие страниц» (docs/open-pages.md)"


def _key_variables(platform: Platform) -> list[str]:
    """The ``GOSPAGES_*`` variables the platform's backend asks for when it has no keys
    (its own `gospages._factory.missing_settings` message)."""
    from ._factory import OpenContext
    from .registry import PageRef

    descriptor = describe(platform)
    ref = PageRef(platform=platform, page=descriptor.example)
    try:
        page = descriptor.opener_function()(ref, OpenContext(settings=Settings.only()))
    except GospagesError as error:
        return list(dict.fromkeys(re.findall(r"GOSPAGES_[A-Z0-9_]+", str(error))))
    except ImportError:  # the platform's extra is not installed
        return []
    del page  # a backend that needs no keys: nothing was opened yet
    return []


def _is_set(settings: Settings, variable: str) -> bool:
    return getattr(settings, variable.removeprefix("GOSPAGES_").lower(), None) is not None


def _nothing_read(
    console: Console,
    source: _Source,
    failures: Mapping[Platform, list[str]],
    command: str,
    args: argparse.Namespace,
) -> int:
    """Say that no page could be read, why, and which keys to set; the exit code (2)."""
    total = sum(len(why) for why in failures.values())
    console.print(
        Text.assemble(
            ("Ошибка:", "red"),
            f" не прочитана ни одна страница реестра ({total}) — ",
            "отчёт не записан: в нём были бы нули вместо подписчиков и публикаций."
            if command == "audit"
            else "комментарии не разобраны.",
        )
    )
    for platform, reasons in failures.items():
        shown = sorted(set(reasons))
        console.print(Text(f"{platform.label}, страниц: {len(reasons)}. Причина:", style="bold"))
        for why in shown[:3]:
            console.print(Text.assemble("  ", console_text(why, 300)))
        if len(shown) > 3:
            console.print(Text(f"  и ещё причин: {len(shown) - 3}"))
    settings = source.open_page.settings
    console.print(Text("Что сделать:", style="bold"))
    for platform in failures:
        variables = _key_variables(platform)
        given = [v for v in variables if _is_set(settings, v)]
        if not given:
            console.print(Text.assemble((platform.label, "bold"), " — ключи не заданы."))
            if variables:
                console.print(Text(f"  Задайте переменные: {', '.join(variables)}"))
        else:
            absent = [v for v in variables if v not in given]
            console.print(
                Text.assemble(
                    (platform.label, "bold"),
                    f" — задано: {', '.join(given)}"
                    + (f"; не задано: {', '.join(absent)}" if absent else "")
                    + ". Страницы не прочитаны (причина выше): проверьте ключи, права, "
                    "адреса страниц и доступ в интернет.",
                )
            )
        docs = describe(platform).keys_doc or _OPEN_PAGES_DOCS
        console.print(Text(f"  Как получить ключи: документация, раздел {docs}."))
    registry = escape(str(args.registry)) if args.registry is not None else "РЕЕСТР"
    console.print(
        "Переменные можно задать и строками файла [bold].env[/] в папке запуска "
        "(документация, раздел «Ключи и открытие страниц», docs/open-pages.md). "
        f"Посмотреть, как выглядит отчёт, без ключей: [bold]gospages {command} "
        f"{registry} --sandbox[/]"
    )
    return 2


class _Deferred:
    """A history store that keeps the run's summary until the run is known to be worth
    keeping; the pages' results go to the file as they finish (to resume from)."""

    def __init__(self, store: AuditHistory, console: Console, total: int) -> None:
        self.store = store
        self.console = console
        self.total = total
        self.report: AuditReport | None = None
        self.run: int | None = None

    def previous(self, policy: str | None = None) -> dict[str, Any] | None:
        return self.store.previous(policy)

    def save(self, report: AuditReport) -> None:
        self.report = report

    def start_run(
        self, key: str, *, policy: str, days: int, created_at: datetime, total: int
    ) -> int:
        self.run = self.store.start_run(
            key, policy=policy, days=days, created_at=created_at, total=total
        )
        return self.run

    def unfinished_run(self, key: str) -> tuple[int, datetime, int] | None:
        found = self.store.unfinished_run(key)
        if found is None:
            self.console.print(
                Text("Прерванной проверки этих страниц в журнале нет: начинаю заново.")
            )
        else:
            self.run, started, done = found
            self.console.print(
                Text(
                    f"Продолжаю: {done} из {self.total} уже проверены "
                    f"(проверка начата {started:%d.%m.%Y %H:%M} UTC).",
                    style="bold",
                )
            )
        return found

    def add_results(self, run: int, results: Sequence[PageResult]) -> None:
        self.store.add_results(run, results)

    def run_results(self, run: int) -> Iterator[tuple[int, str]]:
        return self.store.run_results(run)

    def finish_run(self, run: int, report: AuditReport) -> None:
        self.run, self.report = run, report


def _members(snap: Any) -> int | None:
    return snap.profile.members_count if snap.profile is not None else None


def _print_report(console: Console, report: AuditReport) -> None:
    table = Table(title=f"Страницы ({len(report.pages)})")
    for column in (
        "организация",
        "площадка",
        "подписчики",
        "публикаций",
        "светофор",
        "нарушений",
        "предупр.",
        "главное",
    ):
        table.add_column(column, overflow="fold")
    for audit in report.pages:
        snap = audit.snapshot
        errors = [f for f in audit.findings if f.severity is Severity.ERROR]
        warnings = [f for f in audit.findings if f.severity is Severity.WARNING]
        top = (errors or warnings)[0] if errors or warnings else None
        score = audit.score
        # Names and messages may hold text written on a platform: Text, never markup.
        table.add_row(
            console_text(audit.org.name if audit.org else snap.page),
            snap.platform.label,
            integer(members) if (members := _members(snap)) is not None else "—",
            str(len(snap.posts)),
            f"[{_COLORS[score.color]}]{score.total:.0f}%[/]" if score else "—",
            f"[red]{len(errors)}[/]" if errors else "0",
            str(len(warnings)),
            console_text(top.message, style=_SEVERITY_STYLE[top.severity])
            if top
            else "[green]в порядке[/]",
        )
    console.print(table)
    for finding in report.findings:
        console.print(
            Text.assemble(
                (finding.severity.label, "red"),
                f" {finding.rule_id}: ",
                console_text(f"{finding.org_id} — {finding.message}"),
            )
        )
    console.print(
        f"Итого: нарушений [red]{report.count(Severity.ERROR)}[/], предупреждений "
        f"[yellow]{report.count(Severity.WARNING)}[/], к сведению {report.count(Severity.INFO)}."
    )


def _write_reports(
    console: Console, report: AuditReport, args: argparse.Namespace, source: _Source
) -> None:
    from .reports import render_html, render_markdown, write_xlsx

    banner = source.banner
    if args.html:
        html = render_html(report)
        args.html.write_text(html if banner is None else _sandbox_html(html, banner), "utf-8")
        console.print(f"Отчёт HTML: [bold]{escape(str(args.html))}[/]")
    if args.xlsx:
        write_xlsx(report, args.xlsx)
        if banner is not None:
            _sandbox_xlsx(args.xlsx, banner)
        console.print(f"Таблица ЦУР: [bold]{escape(str(args.xlsx))}[/]")
    if args.md:
        markdown = render_markdown(report)
        if banner is not None:
            head, _, rest = markdown.partition("\n")
            markdown = f"{head}\n\n> **{banner}**\n{rest}"
        args.md.write_text(markdown, encoding="utf-8")
        console.print(f"Отчёт Markdown: [bold]{escape(str(args.md))}[/]")
    if args.docx:
        from .reports import write_docx

        write_docx(report, args.docx, banner=banner)
        console.print(f"Отчёт Word: [bold]{escape(str(args.docx))}[/]")
    if args.yearly:
        from .reports import render_yearly

        yearly = render_yearly(report)
        args.yearly.write_text(yearly if banner is None else f"{banner}\n\n{yearly}", "utf-8")
        console.print(f"Абзац для ежегодного отчёта: [bold]{escape(str(args.yearly))}[/]")
    if args.pages_list:
        from .reports import pages_list_html, pages_list_json

        registry = source.registry
        if args.pages_list.suffix.lower() == ".json":
            listing = pages_list_json(registry) + "\n"
        else:
            listing = pages_list_html(registry)
        args.pages_list.write_text(listing, "utf-8")
        console.print(f"Список страниц для сайта: [bold]{escape(str(args.pages_list))}[/]")


def _sandbox_html(html: str, banner: str) -> str:
    """The HTML report marked as the sandbox's in its title and above everything else."""
    note = (
        '<p class="sandbox" style="border:3px solid #c0392b;background:#fdecea;color:#7b241c;'
        'padding:.6em 1em;font-weight:bold;font-size:1.1em">'
        f"{html_escape(banner)}</p>"
    )
    html = html.replace("<title>", "<title>ПЕСОЧНИЦА (выдуманные записи) — ", 1)
    for anchor in ('<header class="top">', "<main>", "<body>"):
        if anchor in html:
            return html.replace(anchor, f"{anchor}\n{note}", 1)
    return note + html


def _sandbox_xlsx(path: Path, banner: str) -> None:
    """The workbook marked as the sandbox's: its title and a last sheet say so."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook.properties.title = "ПЕСОЧНИЦА: выдуманные записи"
    sheet = workbook.create_sheet("ПЕСОЧНИЦА")
    sheet["A1"] = banner
    workbook.save(path)


# -- check-post --------------------------------------------------------------------------------


def _check_post(args: argparse.Namespace) -> int:
    import sys

    console = Console()
    try:
        text = sys.stdin.read() if str(args.file) == "-" else read_post_text(args.file)
        policy = load_policy(args.policy)
    except FileProblem as problem:
        return _fail(console, f"{args.file}: {problem}")
    except (OSError, UnicodeDecodeError, GospagesError) as error:
        return _fail(console, error)
    if not text.strip():
        console.print("[red]Ошибка:[/] пустой текст")
        return 2
    findings = check_post(Post(text=text), policy)
    if not findings:
        console.print("[green]Замечаний нет.[/]")
        return 0
    for finding in findings:
        style = _SEVERITY_STYLE[finding.severity]
        console.print(
            Text.assemble(
                (finding.severity.label, style),
                f" {finding.rule_id}: ",
                console_text(f"{finding.message} — {finding.evidence}"),
            )
        )
    return 1 if any(f.severity is Severity.ERROR for f in findings) else 0


# -- moderation --------------------------------------------------------------------------------


def _moderate(args: argparse.Namespace) -> int:
    from .moderation import Action, ModerationLocked, ModerationStore, labels_text, moderate

    console = Console()
    prepared = _prepare(console, args)
    if prepared is None:
        return 2
    policy, source = prepared
    registry, where = source.registry, source.where
    try:
        store = ModerationStore(args.db)
    except (sqlite3.Error, OSError) as error:
        return _fail(console, f"журнал модерации {args.db}: {_what(error)}")
    mode = "[red]с действиями[/]" if args.apply else "пробный прогон (ничего не меняется)"
    before = store.last_id()
    console.print(f"Модерация: {escape(where)}; политика {escape(policy.label)}; {mode}.")
    try:
        run = _run_on_pages(
            console, source, moderate, policy, store=store, apply=args.apply, actor=args.actor
        )
    except ModerationLocked as error:
        # Another run acts on this state file: acting too would do everything twice.
        console.print(f"[red]Ошибка:[/] {escape(str(error))}", highlight=False)
        return 3
    keys = {f"{ref.platform.value}:{ref.page}": ref.platform for _, ref in registry.pages()}
    if keys and set(keys) <= set(run.failures):
        failures: dict[Platform, list[str]] = {}
        for key, platform in keys.items():
            failures.setdefault(platform, []).append(run.failures[key])
        return _nothing_read(console, source, failures, "moderate", args)
    if run.resumed:
        console.print(
            f"Завершено действий прерванного запуска (сверено со страницами): {run.resumed}."
        )
    table = Table(title=f"Решения: {count_phrase(len(run.decisions), _COMMENTS)}")
    for column in ("площадка", "страница", "комментарий", "метки", "действие", "почему"):
        table.add_column(column, overflow="fold")
    for decision in run.decisions:
        if decision.action is Action.KEEP:
            continue
        # Comment text is a stranger's: `[/]` or `[link=…]` in it must print as it is.
        table.add_row(
            decision.platform.label,
            console_text(decision.page),
            console_text(decision.comment.text, 60),
            console_text(labels_text(decision.labels)),
            decision.action.label,
            console_text(decision.why),
        )
    console.print(table)
    console.print(
        f"Удалить: {run.count(Action.DELETE)}, заблокировать: {run.count(Action.BAN)}, "
        f"на проверку: {run.count(Action.REVIEW)}, оставить: {run.count(Action.KEEP)}. "
        f"Вопросов без ответа дольше {number(policy.reply.hours)} ч: {len(run.overdue)}."
    )
    for question in run.overdue[:20]:
        note = f" — {question.note}" if question.note else ""
        console.print(
            Text.assemble(
                "  ",
                (f"{question.hours:.0f} ч", "yellow"),
                " ",
                console_text(question.page, 200),
                ": «",
                console_text(question.comment.text, 60),
                "»",
                console_text(note),
            )
        )
    for key, why in run.failures.items():
        console.print(Text.assemble(("Не прочитана", "red"), " ", console_text(f"{key}: {why}")))
    _apply_summary(console, store, before, args)
    if source.banner is not None:
        console.print(Text(source.banner, style="bold yellow"))
    return 0


def _apply_summary(
    console: Console, store: ModerationStore, before: int, args: argparse.Namespace
) -> None:
    """What this run did (from its journal rows), or that a dry run did nothing; and
    where the journal is."""
    db = escape(str(args.db.resolve()))
    if not args.apply:
        console.print(
            "[bold]Пробный прогон: на страницах ничего не изменено.[/] Выполнить решения: "
            "та же команда с [bold]--apply[/]."
        )
        console.print(f"Решения записаны в журнал: [bold]{db}[/] (gospages inbox --db {db})")
        return
    counts = dict.fromkeys(("delete", "ban", "reply", "review", "failed"), 0)
    for row in store.log(after=before):
        if row["dry_run"]:
            continue
        if str(row["result"]).startswith("ошибка"):
            counts["failed"] += 1
        elif row["action"] in counts and str(row["result"]).startswith("done"):
            counts[row["action"]] += 1
    console.print(
        "[bold]Выполнено[/]: удалено комментариев — "
        f"{counts['delete'] + counts['ban']} (из них с блокировкой автора — {counts['ban']}), "
        f"отправлено ответов — {counts['reply']}, передано на проверку — {counts['review']}, "
        + (
            f"[red]не удалось — {counts['failed']}[/] (причины — в журнале; следующий "
            "запуск с --apply попробует снова)."
            if counts["failed"]
            else "ошибок нет."
        )
    )
    console.print(f"Журнал: [bold]{db}[/] (gospages inbox --db {db})")


def _inbox(args: argparse.Namespace) -> int:
    from .moderation import ModerationStore

    console = Console()
    unwritable = _unwritable(args)
    if unwritable is not None:
        return _fail(console, unwritable)
    if not args.db.exists():
        _fail(console, f"журнала {args.db} нет: сначала gospages moderate")
        return 2
    try:
        store = ModerationStore(args.db)
        rows = store.log()
    except (sqlite3.Error, OSError) as error:
        return _fail(console, f"журнал модерации {args.db}: {_what(error)}")
    # The latest decision per comment: repeated dry runs log the same comment again.
    latest = {(r["platform"], r["page"], r["comment_id"]): r for r in rows}
    review = [r for r in latest.values() if r["action"] == "review"]
    table = Table(title=f"Ждут человека ({len(review)})")
    for column in ("когда", "площадка", "страница", "комментарий", "почему"):
        table.add_column(column, overflow="fold")
    for row in review[-50:]:
        table.add_row(
            row["at"][:16],
            console_text(row["platform"]),
            console_text(row["page"]),
            console_text(row["text"] or "", 80),
            console_text(row["why"] or ""),
        )
    console.print(table)
    done = [
        r
        for r in rows
        if r["action"] in ("delete", "ban") and not r["dry_run"] and r["result"] == "done"
    ]
    console.print(f"Записей в журнале: {len(rows)}; выполнено удалений и блокировок: {len(done)}.")
    unfinished = store.unfinished()
    if unfinished:
        console.print(
            f"[yellow]Не завершено действий прерванного запуска: {unfinished}[/] — "
            "следующий запуск gospages moderate --apply сверит их со страницами и завершит."
        )
    if args.csv:
        try:
            store.export_csv(args.csv)
        except OSError as error:
            return _fail(console, f"не удалось записать {args.csv}: {_what(error)}")
        console.print(f"Журнал в CSV: [bold]{escape(str(args.csv))}[/]")
    return 0
