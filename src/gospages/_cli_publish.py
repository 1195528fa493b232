"""``gospages publish``: one post to a selection of the registry's pages."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ._cli_journal import add_journal_option, writable_journal
from ._errors import GospagesError
from ._escape import console_text
from ._files import FileProblem

__all__ = ["add_publish"]

_MSK = ZoneInfo("Europe/Moscow")
_AT_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S")


def add_publish(commands: Any) -> None:
    """Register ``publish`` on the CLI's subparsers."""
    publish = commands.add_parser(
        "publish",
        help="опубликовать пост на страницах выборки из реестра",
        description=(
            "Публикует текст (.txt в UTF-8 или Windows-1251, документ Word .docx) на всех "
            "страницах выборки. Сначала проверяет пост для каждой страницы (лимиты площадки, "
            "права ключей): если хоть одна не пройдёт, ничего не отправляется. Затем "
            "показывает адресатов и спрашивает подтверждение (без него — с --yes). Код "
            "выхода: 0 — опубликовано везде, 1 — на части страниц ошибка или нужна ручная "
            "проверка, 2 — ничего не отправлено."
        ),
    )
    publish.add_argument("file", type=Path, help="текст поста: .txt или .docx; «-» — ввод")
    publish.add_argument(
        "--to",
        required=True,
        metavar="ВЫБОРКА",
        help="кому: например «level=поселение parent=ensk platform=vk,ok» или «все»",
    )
    publish.add_argument(
        "--at",
        metavar="ВРЕМЯ",
        help="отложить до времени («2026-12-01 10:00», по Москве, или с поясом "
        "«2026-12-01T10:00+07:00»): площадки опубликуют сами",
    )
    publish.add_argument("--registry", type=Path, help="реестр: .yaml, .csv или .xlsx")
    publish.add_argument(
        "--sandbox",
        action="store_true",
        help="без ключей, в песочнице (без --registry — встроенная область)",
    )
    publish.add_argument("--yes", action="store_true", help="не спрашивать подтверждение")
    publish.add_argument(
        "--concurrency", type=int, default=100, help="страниц одновременно (%(default)s)"
    )
    add_journal_option(publish, sandbox_temporary=True)
    publish.add_argument(
        "--item",
        metavar="ID",
        help="номер публикации для журнала; по умолчанию выводится из текста, времени и "
        "выборки, так что повторный запуск той же команды не публикует дважды",
    )
    publish.set_defaults(handler=_publish, real_pace=False)


def parse_at(value: str) -> datetime:
    """``--at`` as an aware time: ISO with a zone as it is, a zoneless time in Moscow."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        for pattern in _AT_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(
                f"--at «{value}»: не понял время. Пример: «2026-12-01 10:00» (по Москве) "
                "или «2026-12-01T10:00+07:00»"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_MSK)
    return moment


def _item_id(text: str, at: datetime | None, selection: Any) -> str:
    """The journal's item of a one-off post: the same text, time and selection give the
    same item, so running the same command again publishes nothing twice."""
    import hashlib

    stamp = at.isoformat() if at is not None else ""
    digest = hashlib.sha256(f"{text}\x1f{stamp}\x1f{selection}".encode()).hexdigest()
    return f"publish-{digest[:12]}"


def _fail(console: Console, message: str) -> int:
    console.print(Text.assemble(("Ошибка:", "red"), " ", console_text(message, 2000)))
    return 2


def _publish_at(
    console: Console,
    args: argparse.Namespace,
    source: Any,
    item: str,
    at: datetime,
    post: Any,
    clock: Any,
) -> int:
    """``--at``: a one-item content plan. Where a page can schedule, the platform keeps the
    post until ``at``; where it cannot (MAX, a key without the right), the journal does,
    and ``gospages journal run`` sends it then — as ``gospages plan run`` does."""
    from datetime import timezone

    from ._cli_plan import run_items
    from .planning import PlanItem

    now = (
        datetime.fromtimestamp(clock.time(), timezone.utc)
        if clock is not None
        else datetime.now(timezone.utc)
    )
    if at <= now:
        return _fail(
            console,
            f"--at {at.isoformat(' ', 'minutes')}: это время уже прошло. Ничего не отправлено: "
            "укажите будущее время или публикуйте без --at.",
        )
    one = PlanItem(id=item, at=at, target=args.to, post=post)
    return run_items(
        console,
        [one],
        source,
        journal_at=args.journal,
        title=f"Публикация на {at.isoformat(' ', 'minutes')}",
        clock=clock,
        now=now,
        ask=not args.yes,
    )


def _publish(args: argparse.Namespace) -> int:
    from ._cli_audit import _source
    from ._files import read_post_text
    from ._models import Post
    from .planning import Selection, SelectionError, cross_post, journal_send

    console = Console(soft_wrap=True)
    if args.registry is None and not args.sandbox:
        return _fail(console, "укажите реестр (--registry ФАЙЛ) или --sandbox для песочницы")
    try:
        text = sys.stdin.read() if str(args.file) == "-" else read_post_text(args.file)
    except FileProblem as problem:
        return _fail(console, f"{args.file}: {problem}")
    except (OSError, UnicodeDecodeError) as error:
        from ._files import os_error_text

        return _fail(console, os_error_text(error) if isinstance(error, OSError) else str(error))
    if not text.strip():
        return _fail(console, "пустой текст")
    try:
        at = parse_at(args.at) if args.at else None
        post = Post(text=text, publish_at=at)
        selection = Selection.parse(args.to)
        source = _source(args)
        pages = selection.pages(source.registry)
    except (SelectionError, GospagesError, ValueError, OSError) as error:
        return _fail(console, str(error))
    if source.banner is not None:
        console.print(Text(source.banner, style="bold yellow"))
    for note in source.notes:
        console.print(Text(note, style="yellow"))

    item = args.item or _item_id(text, at, selection)
    clock = getattr(source.open_page, "_clock", None)  # the sandbox's virtual clock
    if at is not None:
        return _publish_at(console, args, source, item, at, post, clock)

    async def run(check_only: bool, journal: Any = None) -> Any:
        async with source.open_page:
            return await cross_post(
                pages,
                post,
                source.open_page,
                concurrency=args.concurrency,
                dry_run=check_only,
                item=item,
                send=journal_send(journal, clock=clock) if journal is not None else None,
                clock=clock,
            )

    # The checks first: every page opened and checked, nothing sent.
    checked = asyncio.run(run(check_only=True))
    table = Table(title=f"Куда: {selection.describe()} — страниц {len(pages)}")
    for column in ("организация", "площадка", "страница", "проверка"):
        table.add_column(column, overflow="fold")
    for outcome in checked.outcomes:
        problems = outcome.problems
        table.add_row(
            console_text(outcome.org.name),
            outcome.ref.platform.label,
            console_text(outcome.ref.page),
            console_text("; ".join(problems), 500, style="red") if problems else "в порядке",
        )
    console.print(table)
    missing = selection.without_pages(source.registry)
    if missing:
        console.print(
            Text.assemble(
                f"Без страницы на выбранных площадках ({len(missing)}): ",
                console_text(", ".join(o.name for o in missing), 500),
            )
        )
    if checked.refused:
        console.print("[red]Ничего не отправлено:[/] исправьте пост или выборку.")
        return 2
    when = f"отложенно на {at.isoformat(' ', 'minutes')}" if at else "сейчас"
    if not args.yes:
        try:
            answer = console.input(f"Опубликовать {when} на {len(pages)} страницах? [да/нет] ")
        except EOFError:
            answer = ""
        if answer.strip().casefold() not in ("да", "д", "yes", "y"):
            console.print("Отменено: ничего не отправлено.")
            return 2
    with contextlib.ExitStack() as stack:
        try:
            journal = stack.enter_context(writable_journal(args.journal))
        except Exception as error:  # a file or a database driver's own error
            return _fail(console, f"журнал {args.journal} не открылся: {error}")
        where = journal.where if args.journal else "временный (песочница без --journal)"
        console.print(
            Text.assemble("Журнал: ", console_text(where), ", пункт ", console_text(item))
        )
        result = asyncio.run(run(check_only=False, journal=journal))
    for outcome in result.outcomes:
        receipt = outcome.receipt
        mark, style = ("✓", "green") if outcome.ok else ("✗", "red")
        if outcome.needs_check:
            mark, style = ("?", "yellow")
        detail = outcome.error or (receipt.url if receipt is not None else "") or ""
        note = receipt.note if receipt is not None and receipt.note else ""
        console.print(
            Text.assemble(
                (mark, style),
                " ",
                console_text(outcome.org.name, 200),
                f" · {outcome.ref.platform.label} ",
                console_text(outcome.ref.page, 100),
                ": ",
                (outcome.status, style),
                " ",
                console_text(detail, 500),
                *((" — ", console_text(note, 500)) if note else ()),
            )
        )
    console.print(
        f"Итого: опубликовано {len(result.published)} из {len(result.outcomes)}, ошибок "
        f"{len(result.failed)}, проверить вручную {len(result.needs_check)}."
    )
    if result.needs_check:
        console.print(
            Text(
                "«Нужна сверка»: ответ площадки потерян. gospages journal reconcile прочитает "
                "страницы и узнает, вышла ли запись; повторный запуск этой команды тоже "
                "сначала сверит и не опубликует дважды.",
                style="yellow",
            )
        )
    if source.banner is not None:
        console.print(Text(source.banner, style="bold yellow"))
    return 0 if result.ok else 1
