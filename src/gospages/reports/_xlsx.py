"""The audit as an Excel workbook: the ЦУР weekly sheet, all findings, totals per network."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .._escape import shown_text, xlsx_cell
from .._models import VerificationState
from ..requirements import AuditReport
from ._summary import PageRow, part_max, view

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


def _yes_no(value: float | None) -> str | None:
    return None if value is None else "да" if value > 0 else "нет"


def _percent(row: PageRow, parts: dict[str, float], key: str) -> int | None:
    top = part_max(row.score, key) if row.score is not None else None
    if key not in parts or not top:
        return None
    return round(100 * parts[key] / top)


def tsur_values(row: PageRow) -> list[int | str | None]:
    """The page's values for :data:`TSUR_COLUMNS`; what is not known is ``None`` (a blank
    cell with a note in the workbook: numbers stay numbers).

    From ``score.parts`` (points, see ``SCORE_PARTS``): ``gospubliki`` > 0 → «да»;
    ``mark`` > 0 → «да» (without it, the page's verification state); ``design`` and
    ``activity`` as a percent of their maximum (``part_max``); ``widgets`` 10 → 2,
    5 → 1, 0 → 0. Reach per week needs ``stats.get`` and is not in a snapshot; reach per
    post is the mean of the views of the last 7 days' posts.
    """
    parts = row.score.parts if row.score is not None else {}
    mark = _yes_no(parts["mark"]) if "mark" in parts else _MARK.get(row.mark)
    widgets: int | None = None
    if "widgets" in parts:
        widgets = 2 if parts["widgets"] >= 10 else 1 if parts["widgets"] > 0 else 0
    return [
        _yes_no(parts.get("gospubliki")),
        mark,
        _percent(row, parts, "design"),
        widgets,
        _percent(row, parts, "activity"),
        row.subscribers,
        None,
        round(row.views_per_post) if row.views_per_post is not None else None,
    ]


def _score(row: PageRow) -> float | None:
    """The traffic-light score in percent (``None``: not scored, e.g. a Telegram channel)."""
    return round(row.score.total, 1) if row.score is not None else None


#: Sheet names, in order.
SHEET_TSUR = "Еженедельный отчёт ЦУР"
SHEET_FINDINGS = "Замечания"
SHEET_SUMMARY = "Сводка"
#: The overall score column of the ЦУР sheet (the traffic light, percent of the base rules).
SCORE_COLUMN = "Общая оценка «светофор» (%)"
#: The columns of the ЦУР sheet: who and where, :data:`TSUR_COLUMNS`, the overall score.
TSUR_HEADER = ("Организация", "Сеть", "Ссылка на страницу", *TSUR_COLUMNS, SCORE_COLUMN)
#: The «Сеть» of an organisation without pages on the ЦУР sheet (its row is shaded).
NO_PAGE = "страниц нет"
#: The note on every blank cell: blank means not known, never zero.
BLANK_NOTE = "Пусто — нет данных (не ноль): значение в проверке не получено."
_NO_PAGE_FILL = PatternFill("solid", fgColor="FDECEA")
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


def _cell(value: Any) -> Any:
    """A cell's value; ``None`` stays a blank cell (see :data:`BLANK_NOTE`)."""
    return xlsx_cell(shown_text(value, None) if isinstance(value, str) else value)


def _note_blanks(ws: Any, min_col: int, max_col: int, max_row: int | None = None) -> None:
    """A note on every blank cell of the columns: blank is «нет данных», not zero."""
    for row in ws.iter_rows(min_row=2, max_row=max_row, min_col=min_col, max_col=max_col):
        for cell in row:
            if cell.value is None:
                cell.comment = Comment(BLANK_NOTE, "gospages", width=260, height=60)


def write_xlsx(report: AuditReport, path: str | PathLike[str]) -> None:
    """Write the audit to ``path`` as an ``.xlsx`` workbook with three sheets.

    «Еженедельный отчёт ЦУР»: one row per page, the organisation, network and address, the
    regional management centre's columns and the overall score (:data:`TSUR_HEADER`), then
    one shaded row per organisation without pages («Сеть»: :data:`NO_PAGE`). Numbers stay
    numbers: what is not known is a blank cell with a note (:data:`BLANK_NOTE`), never
    text in a number column. «Замечания»: every finding, of pages and of organisations.
    «Сводка»: pages, subscribers and publications per network; subscribers are blank
    (with a note) when no page of the network told its number.
    """
    v = view(report)
    wb = Workbook()
    wb.remove(wb.active)

    rows: list[list[Any]] = [
        [r.org_name, r.platform.label, r.url or r.page, *tsur_values(r), _score(r)] for r in v.rows
    ]
    rows += [[org.name, NO_PAGE] + [None] * (len(TSUR_HEADER) - 2) for org, _ in v.without_pages]
    ws = _sheet(wb, SHEET_TSUR, TSUR_HEADER, rows, [44, 15, 34, 18, 12, 12, 12, 12, 14, 16, 16, 16])
    pages_end = 1 + len(v.rows)
    _note_blanks(ws, 4, len(TSUR_HEADER), pages_end)
    for row in ws.iter_rows(min_row=pages_end + 1):
        for cell in row:
            cell.fill = _NO_PAGE_FILL
        row[1].font = Font(italic=True)
        row[1].comment = Comment(
            "У организации нет официальной страницы в реестре: нужно завести (8-ФЗ, 2523-р).",
            "gospages",
            width=260,
            height=60,
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

    unknown = sum(n.subscribers_unknown for n in v.networks)
    totals: list[list[Any]] = []
    for n in v.networks:
        subscribers = n.subscribers if n.subscribers_unknown < n.pages else None
        totals.append([n.label, n.pages, subscribers, n.posts, n.confirmed])
    confirmed = sum(n.confirmed for n in v.networks)
    total_subscribers = v.total_subscribers if unknown < len(v.rows) else None
    totals.append(["Всего", len(v.rows), total_subscribers, v.total_posts, confirmed])
    ws = _sheet(wb, SHEET_SUMMARY, SUMMARY_HEADER, totals, [24, 12, 16, 22, 14])
    ws.auto_filter.ref = None
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    _note_blanks(ws, 3, 3)
    lacking = [(n.subscribers_unknown, n.pages) for n in v.networks]
    lacking.append((unknown, len(v.rows)))
    for i, (missing, pages) in enumerate(lacking, start=2):
        cell = ws.cell(i, 3)
        if 0 < missing < pages:
            cell.comment = Comment(
                f"Число подписчиков не получено у страниц: {missing} из {pages}; сумма — без них.",
                "gospages",
                width=260,
                height=60,
            )
    notes = [
        ("Политика", report.policy),
        ("Дата проверки", v.date(report.created_at)),
        ("Период", f"{v.date(v.period_start)} — {v.date(report.created_at)} ({report.days} дн.)"),
        ("Организаций без страниц", len(v.without_pages)),
        ("Пустая ячейка", BLANK_NOTE),
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
