"""``gospages journal show``, ``gospages journal reconcile`` and ``gospages journal run``
(the runner a cron job or a systemd timer starts)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ._errors import GospagesError
from ._escape import console_text

DEFAULT_JOURNAL = "gospages-journal.sqlite"


def default_journal() -> str:
    """Where the journal is unless ``--journal`` says: ``$GOSPAGES_JOURNAL`` or
    :data:`DEFAULT_JOURNAL` in the current folder."""
    return os.environ.get("GOSPAGES_JOURNAL", DEFAULT_JOURNAL)


def add_journal_option(parser: Any, *, sandbox_temporary: bool = False) -> None:
    """``--journal ФАЙЛ|DSN`` with the default of every command."""
    tail = (
        "; в песочнице без --journal — временный журнал, который удаляется после запуска"
        if sandbox_temporary
        else ""
    )
    parser.add_argument(
        "--journal",
        default=None if sandbox_temporary else default_journal(),
        metavar="ФАЙЛ|DSN",
        help="журнал публикаций: файл SQLite или адрес PostgreSQL (postgresql://...); по "
        f"умолчанию $GOSPAGES_JOURNAL или {DEFAULT_JOURNAL}{tail}",
    )


def add_commands(commands: Any) -> None:
    """Register ``journal`` on the CLI's subparsers."""
    journal = commands.add_parser(
        "journal", help="журнал публикаций: посмотреть, сверить записи с исходом «нужна сверка»"
    )
    journal.set_defaults(handler=_no_action, print_help=journal.print_help)
    actions = journal.add_subparsers(dest="action", metavar="ДЕЙСТВИЕ")
    show = actions.add_parser("show", help="записи журнала и сколько их в каждом состоянии")
    run = actions.add_parser(
        "run",
        help="обработчик: сверить незавершённые записи и отправить те, чьё время пришло "
        "(для cron или таймера systemd)",
        description=(
            "Сверяет незавершённые записи со страницами (как reconcile), затем отправляет "
            "запланированные записи, время которых пришло (и повторяет отказанные, до трёх "
            "попыток), и завершается. Запускайте из cron или таймера systemd каждые "
            "несколько минут. Код выхода 1, если что-то не отправилось или нужна сверка."
        ),
    )
    reconcile = actions.add_parser(
        "reconcile",
        help="сверить незавершённые записи (отправляется, нужна сверка) со страницами",
        description=(
            "Читает страницы и ищет записи, исход которых неизвестен: найденная запись "
            "становится «опубликовано», точно отсутствующая — снова «запланировано» (с "
            "--resend отправляется сразу), непрочитанная страница оставляет «нужна сверка»."
        ),
    )
    for action in (show, reconcile, run):
        add_journal_option(action)
    for action in (reconcile, run):
        action.add_argument(
            "registry", nargs="?", type=Path, metavar="РЕЕСТР", help="реестр (для --sandbox)"
        )
        action.add_argument(
            "--sandbox", action="store_true", help="страницы песочницы вместо настоящих"
        )
    run.set_defaults(handler=_run, real_pace=False)
    show.add_argument("--state", action="append", help="только записи в этом состоянии")
    show.add_argument("--json", action="store_true", help="вывести JSON")
    show.set_defaults(handler=_show)
    reconcile.add_argument(
        "--resend", action="store_true", help="точно отсутствующие записи сразу отправить снова"
    )
    reconcile.set_defaults(handler=_reconcile, real_pace=False)


@contextlib.contextmanager
def writable_journal(where: str | None) -> Iterator[Any]:
    """The journal a sending command writes to (created when missing); with ``where``
    ``None`` (the sandbox without --journal) a temporary one, removed afterwards.
    Raises what opening raises (`OSError`, a driver's error)."""
    from .planning import open_journal

    with contextlib.ExitStack() as stack:
        if where is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="gospages-"))
            where = str(Path(folder) / "journal.sqlite")
        journal = stack.enter_context(open_journal(where))
        yield journal


def _no_action(args: argparse.Namespace) -> int:
    args.print_help()
    return 2


def _open(args: argparse.Namespace, err: Console) -> Any:
    from .planning import open_journal

    where = str(args.journal)
    if "://" not in where and "dbname=" not in where and not Path(where).exists():
        err.print(Text(f"Журнал {where} не найден: укажите --journal ФАЙЛ или адрес PostgreSQL"))
        return None
    try:
        return open_journal(where)
    except (GospagesError, OSError) as error:
        err.print(Text.assemble(("Ошибка:", "red"), " ", console_text(str(error))))
        return None
    except Exception as error:  # a database driver's own error (psycopg.OperationalError)
        err.print(Text.assemble(("Ошибка журнала:", "red"), " ", console_text(str(error))))
        return None


def _show(args: argparse.Namespace) -> int:
    from .planning import EntryState

    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)
    journal = _open(args, err)
    if journal is None:
        return 2
    with journal:
        try:
            states = [EntryState(s) for s in args.state] if args.state else None
        except ValueError:
            err.print(Text(f"Состояния: {', '.join(s.value for s in EntryState)}"))
            return 2
        entries = journal.entries(states=states)
        counts = journal.counts()
    if args.json:
        print(
            json.dumps(
                {
                    "counts": {s.value: n for s, n in counts.items()},
                    "entries": [json.loads(e.dumps()) for e in entries],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    table = Table(title=f"Журнал публикаций {journal.where}")
    for column in ("ключ", "площадка", "страница", "состояние", "запись", "примечание"):
        table.add_column(column)
    for entry in entries:
        table.add_row(
            console_text(entry.key),
            entry.platform.label,
            console_text(entry.page),
            entry.state.label,
            console_text(entry.url or entry.post_id or ""),
            console_text(entry.note or entry.error or ""),
        )
    out.print(table)
    out.print(Text("; ".join(f"{s.label}: {n}" for s, n in counts.items() if n) or "журнал пуст"))
    return 0


def _factory(args: argparse.Namespace, out: Console) -> Any:
    """The pages the journal's entries are opened on: the sandbox's or the real ones."""
    if args.sandbox:
        from ._cli_audit import _source

        source = _source(args)
        out.print(Text(source.banner or "", style="bold yellow"))
        return source.open_page
    from ._factory import PageFactory

    return PageFactory()


def _run(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from .planning import EntryState, run_due

    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)
    if args.registry is not None and not args.sandbox:
        err.print(Text("РЕЕСТР нужен только с --sandbox: страницы берутся из журнала"))
        return 2
    journal = _open(args, err)
    if journal is None:
        return 2
    factory = _factory(args, out)
    clock = factory.clock  # the sandbox's virtual clock, or real time

    async def run() -> Any:
        async with factory:
            return await run_due(journal, factory.open, clock=clock)

    with journal:
        sent = asyncio.run(run())
        now = datetime.fromtimestamp(clock.time(), timezone.utc) if clock else None
        now = now or datetime.now(timezone.utc)
        waiting = [
            e
            for e in journal.entries(states=[EntryState.PLANNED])
            if e.due is not None and e.due > now
        ]
        left = journal.counts()[EntryState.NEEDS_CHECK]
    good = (EntryState.PUBLISHED, EntryState.SCHEDULED)
    for entry in sent:
        mark, style = ("✓", "green") if entry.state in good else ("✗", "red")
        if entry.state is EntryState.NEEDS_CHECK:
            mark, style = ("?", "yellow")
        out.print(
            Text.assemble(
                (mark, style),
                " ",
                console_text(entry.key, 200),
                f" · {entry.platform.label} ",
                console_text(entry.page, 100),
                ": ",
                (entry.state.label, style),
                " ",
                console_text(entry.url or entry.error or entry.note or "", 500),
            )
        )
    done = sum(e.state in good for e in sent)
    line = f"Отправлено: {done} из {len(sent)}; ждут своего времени: {len(waiting)}"
    if waiting:
        first = min(e.due for e in waiting if e.due is not None)
        line += f" (ближайшая {first.isoformat(' ', 'minutes')})"
    out.print(Text(line + (f"; нужна сверка: {left}." if left else ".")))
    return 0 if done == len(sent) and not left else 1


def _reconcile(args: argparse.Namespace) -> int:
    from .planning import reconcile

    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)
    if args.registry is not None and not args.sandbox:
        err.print(Text("РЕЕСТР нужен только с --sandbox: страницы берутся из журнала"))
        return 2
    journal = _open(args, err)
    if journal is None:
        return 2
    factory = _factory(args, out)

    async def run() -> Any:
        async with factory:
            return await reconcile(journal, factory.open, resend=args.resend)

    with journal:
        result = asyncio.run(run())
        counts = journal.counts()
    out.print(
        Text(
            f"Сверено записей: {result.total}. Найдено на страницах: {len(result.found)}; "
            f"точно отсутствуют: {len(result.absent)}"
            + (f" (отправлены снова: {len(result.sent)})" if args.resend else "")
            + f"; не удалось сверить: {len(result.unknown)}; "
            f"заняты другим процессом: {len(result.held)}."
        )
    )
    if result.absent and not args.resend:
        out.print(
            Text(
                "Отсутствующие записи снова «запланированы»: их отправит следующий запуск "
                "(gospages journal reconcile --resend или run_due)."
            )
        )
    left = counts.get(_needs_check(), 0)
    if left:
        out.print(Text(f"Осталось «нужна сверка»: {left}. Повторите сверку позже.", style="yellow"))
    return 1 if left else 0


def _needs_check() -> Any:
    from .planning import EntryState

    return EntryState.NEEDS_CHECK
