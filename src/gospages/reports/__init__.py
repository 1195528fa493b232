"""Reports of an audit: HTML for people, XLSX for the ЦУР, Markdown to paste, the pages list.

* :func:`render_html` — one self-contained HTML file (inline CSS and SVG charts);
* :func:`write_xlsx` — a workbook with the ЦУР weekly columns, all findings and totals;
* :func:`render_markdown` — a short report to paste into a chat or a ticket;
* :func:`write_docx` — the report as a Word document for the duma and the administration
  (needs the ``docx`` extra: python-docx);
* :func:`render_yearly` — a paragraph for a report to the duma (pages, subscribers,
  publications per network);
* :func:`pages_list_html`, :func:`pages_list_json` — the list of official pages with
  links, for the official site (FZ8-13-LIST);
* :func:`summarize` — what an audit stores of a run, read back as ``report.previous``;
  :class:`AuditHistory` keeps those summaries in SQLite for the trend.
"""

from ._docx import write_docx
from ._history import AuditHistory
from ._html import render_html
from ._markdown import render_markdown, render_yearly
from ._pages_list import pages_list_html, pages_list_json
from ._summary import SCORE_PARTS, summarize
from ._xlsx import (
    BLANK_NOTE,
    NO_PAGE,
    SCORE_COLUMN,
    SHEET_FINDINGS,
    SHEET_SUMMARY,
    SHEET_TSUR,
    TSUR_COLUMNS,
    TSUR_HEADER,
    write_xlsx,
)

__all__ = [
    "BLANK_NOTE",
    "NO_PAGE",
    "SCORE_COLUMN",
    "SCORE_PARTS",
    "SHEET_FINDINGS",
    "SHEET_SUMMARY",
    "SHEET_TSUR",
    "TSUR_COLUMNS",
    "TSUR_HEADER",
    "AuditHistory",
    "pages_list_html",
    "pages_list_json",
    "render_html",
    "render_markdown",
    "render_yearly",
    "summarize",
    "write_docx",
    "write_xlsx",
]
