"""The ``gospages`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ._version import __version__

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
    demo.add_argument("--no-report", action="store_true", help="не записывать отчёт")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        return run_demo(report=None if args.no_report else args.report)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
