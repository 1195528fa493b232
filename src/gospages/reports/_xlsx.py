"""The audit as an Excel workbook: the ЦУР weekly sheet, all findings, totals per network."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .._escape import shown_text, xlsx_cell
from .._models import VerificationState
from ..requirements import AuditReport
from ._summary import UNKNOWN, PageRow, part_max, view

#: The columns of the regional management centre's weekly report (legal-rules.md), in order.
TSUR_COLUMNS = (
    "Подключение к компоненту «Госпаблики» (да/нет)",
    "Госметка (да/нет)",
    "Оформление (%)",
    "Виджеты (0/1/2)",
    "Активность (%)",
    "Количество подписчиков",
    "Общий охват аудитории за неделю",
    "Средний охват одной публикации",
)


_MARK = {VerificationState.CONFIRMED: "да", VerificationState.NOT_CONFIRMED: "нет"}


def _yes_no(value: float | None) -> str:
    return UNKNOWN if value is None else "да" if value > 0 else "нет"


def _percent(row: PageRow, parts: dict[str, float], key: str) -> int | str:
    top = part_max(row.score, key) if row.score is not None else None
    if key not in parts or not top:
        return UNKNOWN
    return round(100 * parts[key] / top)


def tsur_values(row: PageRow) -> list[int | str]:
    """The page's values for :data:`TSUR_COLUMNS`; what is not known is «нет данных».

    From ``score.parts`` (points, see ``SCORE_PARTS``): ``gospubliki`` > 0 → «да»;
    ``mark`` > 0 → «да» (without it, the page's verification state); ``design`` and
    ``activity`` as a percent of their maximum (``part_max``); ``widgets`` 10 → 2,
    5 → 1, 0 → 0. Reach per week needs ``stats.get`` and is not in a snapshot; reach per
    post is the mean of the views of the last 7 days' posts.
    """
    parts = row.score.parts if row.score is not None else {}
    mark = _yes_no(parts["mark"]) if "mark" in parts else _MARK.get(row.mark, UNKNOWN)
    widgets: int | str = UNKNOWN
    if "widgets" in parts:
        widgets = 2 if parts["widgets"] >= 10 else 1 if parts["widgets"] > 0 else 0
    return [
        _yes_no(parts.get("gospubliki")),
        mark,
        _percent(row, parts, "design"),
        widgets,
        _percent(row, parts, "activity"),
        row.subscribers if row.subscribers is not None else UNKNOWN,
        UNKNOWN,
        round(row.views_per_post) if row.views_per_post is not None else UNKNOWN,
    ]


#: Sheet names, in order.
SHEET_TSUR = "Еженедельный отчёт ЦУР"
SHEET_FINDINGS = "Замечания"
SHEET_SUMMARY = "Сводка"
#: The columns of the ЦУР sheet: who and where, then :data:`TSUR_COLUMNS`.
TSUR_HEADER = ("Организация", "Сеть", "Ссылка на страницу", *TSUR_COLUMNS)
FINDINGS_HEADER = (
    "Организация",
    "Сеть",
    "Страница",
    "Важность",
    "Правило",
    "Замечание",
    "Что видно",
    "Как исправить",
    "Источник",
    "Статус правила",
)
SUMMARY_HEADER = ("Сеть", "Страниц", "Подписчиков", "Публикаций за период", "С госметкой")


def _sheet(
    wb: Any, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int]
) -> Any:
    """A sheet with a bold, wrapped, frozen header row, column widths and a filter."""
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for row in rows:
        # Page names and finding texts come from outside: never a formula, no hidden
        # bidi or control characters (the text stays whole).
        ws.append([_cell(value) for value in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    return ws


def _plain(value: Any) -> Any:
    return UNKNOWN if value is None else value


def _cell(value: Any) -> Any:
    value = _plain(value)
    return xlsx_cell(shown_text(value, None) if isinstance(value, str) else value)


def write_xlsx(report: AuditReport, path: str | PathLike[str]) -> None:
    """Write the audit to ``path`` as an ``.xlsx`` workbook with three sheets.

    «Еженедельный отчёт ЦУР»: one row per page, the organisation, network and address, then
    the regional management centre's columns (:data:`TSUR_HEADER`); what is not known is
    «нет данных». «Замечания»: every finding, of pages and of organisations. «Сводка»:
    pages, subscribers and publications per network.
    """
    v = view(report)
    wb = Workbook()
    wb.remove(wb.active)

    ws = _sheet(
        wb,
        SHEET_TSUR,
        TSUR_HEADER,
        [[r.org_name, r.platform.label, r.url or r.page, *tsur_values(r)] for r in v.rows],
        [44, 15, 34, 18, 12, 12, 12, 12, 14, 16, 16],
    )
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(("http://", "https://")):
                cell.hyperlink = cell.value
                cell.style = "Hyperlink"

    findings = [
        [
            org_name,
            platform.label if platform else "",
            page,
            f.severity.label,
            f.rule_id,
            f.message,
            f.evidence,
            f.fix,
            f.source,
            f.status.label,
        ]
        for org_name, platform, page, f in v.located_findings()
    ]
    ws = _sheet(
        wb, SHEET_FINDINGS, FINDINGS_HEADER, findings, [40, 15, 30, 16, 16, 50, 40, 50, 24, 9]
    )
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    totals = [[n.label, n.pages, n.subscribers, n.posts, n.confirmed] for n in v.networks]
    confirmed = sum(n.confirmed for n in v.networks)
    totals.append(["Всего", len(v.rows), v.total_subscribers, v.total_posts, confirmed])
    ws = _sheet(wb, SHEET_SUMMARY, SUMMARY_HEADER, totals, [24, 12, 16, 22, 14])
    ws.auto_filter.ref = None
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    notes = [
        ("Политика", report.policy),
        ("Дата проверки", v.date(report.created_at)),
        ("Период", f"{v.date(v.period_start)} — {v.date(report.created_at)} ({report.days} дн.)"),
        ("Организаций без страниц", len(v.without_pages)),
        (
            "Примечание",
            "«Общий охват аудитории за неделю» требует статистики сообщества (доступ к ней у "
            "администратора сообщества) и в "
            "проверке не читается; «Средний охват одной публикации» — среднее число "
            "просмотров записей за последние 7 дней.",
        ),
    ]
    ws.append([])
    for label, value in notes:
        ws.append([label, _cell(value)])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
    wb.save(path)
