"""Аудит всех страниц реестра по 8-ФЗ, 2523-р и политике региона, с отчётами.

Запуск: python examples/11_audit.py [РЕЕСТР] [ПОЛИТИКА]

Без аргументов проверяет песочницу-область из gospages.testing (ключи и сеть не нужны) по
политике Томской области. С реестром (YAML/CSV/XLSX) читает настоящие страницы ключами из
переменных окружения, как `gospages audit` (см. docs/rules.md).
Отчёты (HTML, таблица ЦУР в XLSX, Markdown) пишутся во временную папку.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from gospages.reports import render_html, render_markdown, write_xlsx
from gospages.requirements import Severity, audit_registry, load_policy
from gospages.testing import build_region


async def main() -> None:
    policy = load_policy(sys.argv[2] if len(sys.argv) > 2 else "tomsk")
    if len(sys.argv) > 1:
        from gospages import PageFactory
        from gospages.registry import load_registry

        # Keys from GOSPAGES_* variables or a .env file (docs: «Открыть страницы»).
        registry, open_page = load_registry(sys.argv[1]), PageFactory()
    else:
        region = build_region(seed=0)
        registry = region.registry

        open_page = region.opener()

    print(f"Политика: {policy.title} ({policy.label}); страниц: {len(registry.pages())}")
    async with open_page:  # closes what the pages share (the Telegram connection)
        report = await audit_registry(
            registry,
            open_page,
            policy,
            progress=lambda done, total, what: print(f"  [{done}/{total}] {what}"),
        )
    print(
        f"Нарушений: {report.count(Severity.ERROR)}, предупреждений: "
        f"{report.count(Severity.WARNING)}"
    )
    for finding in report.all_findings():
        if finding.severity is Severity.ERROR:
            print(f"  {finding.rule_id}: {finding.page or finding.org_id} — {finding.message}")
    out = Path(tempfile.mkdtemp(prefix="gospages-audit-"))
    (out / "audit.html").write_text(render_html(report), encoding="utf-8")
    write_xlsx(report, out / "tsur.xlsx")
    (out / "audit.md").write_text(render_markdown(report), encoding="utf-8")
    print(f"Отчёты: {out}/audit.html, {out}/tsur.xlsx, {out}/audit.md")


if __name__ == "__main__":
    asyncio.run(main())
