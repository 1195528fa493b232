"""The ``gospages`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from rich.console import Console
    from rich.tree import Tree

    from .registry import Registry

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gospages",
        description="Официальные страницы органов власти во ВКонтакте, Одноклассниках и Telegram.",
    )
    parser.add_argument("--version", action="version", version=f"gospages {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="КОМАНДА")
    demo = commands.add_parser(
        "demo", help="показать возможности библиотеки на встроенной песочнице (без ключей)"
    )
    demo.add_argument(
        "--report",
        type=Path,
        default=Path("gospages-demo-report.md"),
        help="куда записать отчёт (Markdown); по умолчанию %(default)s",
    )
    demo.add_argument(
        "--audit-html",
        type=Path,
        default=Path("gospages-demo-audit.html"),
        help="куда записать отчёт аудита области (HTML); по умолчанию %(default)s",
    )
    demo.add_argument("--no-report", action="store_true", help="не записывать отчёты")
    demo.add_argument(
        "--real-pace",
        action="store_true",
        help="в реальном времени: по-настоящему ждать лимиты площадок (без флага время "
        "песочницы виртуальное, лимиты соблюдаются в виртуальных секундах)",
    )
    registry = commands.add_parser(
        "registry", help="реестр официальных страниц (YAML, CSV, XLSX): проверка, просмотр"
    )
    registry.set_defaults(print_help=registry.print_help)
    actions = registry.add_subparsers(dest="action", metavar="ДЕЙСТВИЕ")
    for name, help_text in (
        ("check", "проверить файл реестра и показать сводку; код выхода 1 при ошибках"),
        ("show", "показать иерархию организаций и их страницы"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("file", type=Path, metavar="ФАЙЛ", help=".yaml, .yml, .csv или .xlsx")
    convert = actions.add_parser("convert", help="переписать реестр в другой формат")
    convert.add_argument("src", type=Path, metavar="ИЗ", help="исходный реестр")
    convert.add_argument("dst", type=Path, metavar="В", help="новый файл; формат по расширению")
    sample = actions.add_parser(
        "sample", help="записать образец реестра (область из песочницы), чтобы начать с него"
    )
    sample.add_argument("dst", type=Path, metavar="ФАЙЛ", help=".yaml, .yml, .csv или .xlsx")
    for action in (convert, sample):
        action.add_argument("--force", action="store_true", help="перезаписать существующий файл")
    from ._cli_audit import add_commands

    add_commands(commands)
    from ._cli_plan import add_plan_commands

    add_plan_commands(commands)
    from ._cli_journal import add_commands as add_journal_commands

    add_journal_commands(commands)
    from ._cli_publish import add_publish

    add_publish(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        return run_demo(
            report=None if args.no_report else args.report,
            audit_html=None if args.no_report else args.audit_html,
            real_pace=args.real_pace,
        )
    if args.command == "registry":
        if args.action is None:
            args.print_help()
            return 2
        return _registry(args)
    handler = getattr(args, "handler", None)
    if handler is not None:
        code: int = handler(args)
        return code
    parser.print_help()
    return 2


def _registry(args: argparse.Namespace) -> int:
    """``gospages registry ...``: every error is a message and exit code 1, not a traceback."""
    from rich.console import Console
    from rich.text import Text

    from .registry import RegistryError, RegistryProblem, load_registry_report, save_registry

    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)
    dst: Path | None = getattr(args, "dst", None)
    if dst is not None and dst.exists() and not args.force:
        err.print(Text(f"Файл {dst} уже есть; чтобы перезаписать его, добавьте --force"))
        return 1
    try:
        if args.action == "sample":
            from .testing import build_region

            registry = build_region(seed=0).registry
            notices: list[RegistryProblem] = []
        else:
            report = load_registry_report(args.src if args.action == "convert" else args.file)
            registry, notices = report.registry, report.warnings
        if dst is not None:
            save_registry(registry, dst)
    except RegistryError as error:
        err.print(Text(str(error)))
        if error.warnings:
            err.print(Text(_UNUSED_HINT))
        return 1
    except OSError as error:
        from ._files import os_error_text

        err.print(Text(f"Ошибка: {os_error_text(error)}"))
        return 1
    if notices:  # with the summary for check; apart from the output of show and convert
        console = out if args.action == "check" else err
        console.print(Text(f"Предупреждения ({len(notices)}):", style="bold yellow"))
        for notice in notices:
            console.print(Text(f"  {notice}"))
        console.print(Text(_UNUSED_HINT))
    if args.action == "check":
        _registry_summary(out, args.file, registry)
    elif args.action == "show":
        out.print(_registry_tree(args.file, registry), soft_wrap=False)
    else:
        pages = len(registry.pages())
        out.print(Text(f"Записано: {dst} (организаций: {len(registry)}, страниц: {pages})"))
        if args.action == "sample":
            out.print(
                Text(
                    "Это образец: замените организации и страницы своими и проверьте файл: "
                    f"gospages registry check {dst}"
                )
            )
    return 0


_UNUSED_HINT = (
    "Неиспользуемые столбцы не читаются. Если в таком столбце данные реестра, переименуйте "
    "его: названия столбцов и их синонимы — в документации, раздел «Реестр страниц»."
)


def _registry_summary(console: Console, file: Path, registry: Registry) -> None:
    from rich.table import Table
    from rich.text import Text

    from ._escape import console_text
    from ._models import Platform
    from ._platforms import describe, official_platforms
    from .registry import OrgLevel

    console.print(
        Text(
            f"Реестр {file}: ошибок нет. Организаций: {len(registry)}, страниц: "
            f"{len(registry.pages())}."
        )
    )
    levels = Table(title="Организации по уровням")
    for column in ("Уровень", "Организаций", "Без страниц"):
        levels.add_column(column, justify="left" if column == "Уровень" else "right")
    empty = registry.without_pages()
    for level in OrgLevel:
        orgs = [o for o in registry.organizations if o.level is level]
        if orgs:
            levels.add_row(level.label, str(len(orgs)), str(sum(o in empty for o in orgs)))
    platforms = Table(title="Страницы по площадкам")
    for column in ("Площадка", "Страниц", "Организаций"):
        platforms.add_column(column, justify="left" if column == "Площадка" else "right")
    for platform in Platform:
        pages = registry.pages(platform)
        if pages:
            owners = {org.id for org, _ in pages}
            platforms.add_row(platform.label, str(len(pages)), str(len(owners)))
    console.print(levels, platforms)
    console.print(Text(f"Без страниц: {len(empty)}", style="bold red" if empty else "bold"))
    for org in empty:
        console.print(Text.assemble("  ", console_text(org.name), f" ({org.id})"))
    # 2523-р names VK and OK: a Telegram channel alone is no official page (R2523-TG).
    official = official_platforms()
    only_tg = [o for o in registry.without_pages(*official) if o not in empty]
    if only_tg:
        where = " или ".join(describe(p).where for p in official)
        console.print(
            Text(
                f"Только неофициальные площадки, официальной страницы {where} нет "
                f"(R2523-TG): {len(only_tg)}",
                style="bold yellow",
            )
        )
        for org in only_tg:
            console.print(Text.assemble("  ", console_text(org.name), f" ({org.id})"))


def _registry_tree(file: Path, registry: Registry) -> Tree:
    from rich.text import Text
    from rich.tree import Tree

    from ._escape import console_text

    root = Tree(Text(f"Реестр {file}: организаций {len(registry)}", style="bold"))

    def grow(node: Tree, parent: str | None) -> None:
        for org in registry.children(parent):
            branch = node.add(
                Text.assemble(
                    console_text(org.name, style="bold"),
                    f" ({org.id}) — {org.level.label}, {org.kind.label}",
                )
            )
            for page in org.pages:
                extra = "".join(f" · {x}" for x in (page.url, page.category) if x)
                branch.add(console_text(f"{page.platform.label}: {page.page}{extra}"))
            if not org.pages:
                branch.add(Text("нет страниц", style="red"))
            grow(branch, org.id)

    grow(root, None)
    return root


if __name__ == "__main__":
    sys.exit(main())
