"""The audit as a Word document (.docx): the duma and the district administration work in Word.

Needs python-docx (the ``docx`` extra: ``pip install "gospages[docx]"``); without it
:func:`write_docx` raises :class:`ImportError` with a Russian message saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import Any

from .._escape import shown_text
from ..requirements import AuditReport, Finding, Severity
from ._markdown import render_yearly
from ._summary import UNKNOWN, PageRow, fmt_int, fmt_num, view

#: Said when python-docx is missing (the CLI prints it as it is).
DOCX_MISSING = (
    "для отчёта Word (.docx) нужен пакет python-docx: установите его командой "
    'pip install "gospages[docx]" (или pip install python-docx)'
)
#: The columns of the pages table, in order.
PAGES_HEADER = ("Организация", "Сеть", "Адрес", "Подписчики", "Оценка, %", "Замечания")


def docx_available() -> bool:
    """Whether python-docx is installed (``--docx`` checks this before the audit)."""
    try:
        import docx  # noqa: F401
    except ImportError:
        return False
    return True


def _text(value: str, limit: int | None = 2000) -> str:
    """Text from outside as a person may see it: bidi and control characters made visible."""
    return shown_text(value, limit)


def _finding(f: Finding) -> str:
    return _text(f"{f.severity.label}: {f.message} ({f.rule_id})", 600)


def _table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Any:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(title).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    return table


def _page_row(row: PageRow) -> list[str]:
    findings = [f for f in row.findings if f.severity is not Severity.INFO] or row.findings
    notes = "\n".join(_finding(f) for f in findings) or "замечаний нет"
    if row.error:
        notes = _text(f"Страницу не удалось прочитать: {row.error}", 600)
    return [
        _text(row.org_name, 300),
        row.platform.label,
        _text(row.address, 300),
        fmt_int(row.subscribers),
        fmt_num(row.score.total) if row.score is not None else "нет оценки",
        notes,
    ]


def write_docx(
    report: AuditReport, path: str | PathLike[str], *, banner: str | None = None
) -> None:
    """Write the audit to ``path`` as a Word document.

    Title with the date, policy and period; ``banner`` (e.g. the sandbox's warning) in
    bold under it; a summary (findings by severity, a table of pages, subscribers and
    publications per network); the paragraph for the duma's yearly report
    (:func:`render_yearly`); a table of pages with score and findings (information-only
    findings are left out where a page has others); the organisations without pages
    with their findings.
    """
    try:
        from docx import Document
    except ImportError as error:
        raise ImportError(DOCX_MISSING) from error

    v = view(report)
    doc = Document()
    doc.core_properties.title = "Официальные страницы: отчёт о проверке"
    doc.add_heading("Официальные страницы органов власти: отчёт о проверке", level=0)
    doc.add_paragraph(
        f"Дата проверки: {v.date(report.created_at)}. Период: {v.date(v.period_start)} — "
        f"{v.date(report.created_at)} ({report.days} дн.). Политика: {_text(report.policy)}."
    )
    if banner:
        doc.add_paragraph().add_run(banner).bold = True

    doc.add_heading("Сводка", level=1)
    doc.add_paragraph(
        "Замечаний: "
        + ", ".join(f"{s.label} — {v.counts.get(s, 0)}" for s in Severity)
        + f". Страниц: {len(v.rows)}; организаций без страниц: {len(v.without_pages)}."
    )
    networks = [
        [
            n.label,
            fmt_int(n.pages),
            fmt_int(n.subscribers) if n.subscribers_unknown < n.pages else UNKNOWN,
            fmt_int(n.posts),
            fmt_int(n.confirmed),
        ]
        for n in v.networks
    ]
    if networks:
        _table(
            doc,
            ("Сеть", "Страниц", "Подписчиков", "Публикаций за период", "С госметкой"),
            networks,
        )

    doc.add_heading("Для ежегодного отчёта", level=1)
    doc.add_paragraph(render_yearly(report).strip())

    doc.add_heading("Страницы", level=1)
    if v.rows:
        _table(doc, PAGES_HEADER, [_page_row(row) for row in v.rows])
    else:
        doc.add_paragraph("Страниц в проверке нет.")

    doc.add_heading("Организации без страниц", level=1)
    if not v.without_pages:
        doc.add_paragraph("Таких организаций нет.")
    for org, findings in v.without_pages:
        item = doc.add_paragraph(style="List Bullet")
        item.add_run(_text(org.name, 300)).bold = True
        for f in findings:
            item.add_run("\n" + _finding(f))
    doc.save(str(path))
