"""Registry tables: CSV and XLSX, one row per page."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .._escape import csv_cell, csv_uncell
from ._common import (
    _ALIASES,
    _COLUMNS,
    _PAGE_FIELDS,
    _REQUIRED,
    _SHEET,
    RegistryProblem,
    _assemble,
    _At,
    _fail,
    _norm,
    _OrgDraft,
    _page,
    _Place,
)
from ._model import PageRef, Registry

__all__ = ["registry_from_rows", "registry_to_rows"]

# -- tables ----------------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell as text: Excel numbers without ``.0``, nothing as ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def registry_from_rows(
    rows: Iterable[Mapping[str, str]], *, source: str, header_row: int = 1
) -> Registry:
    """A registry from table rows (header -> cell), as CSV and XLSX files are read.

    Headers may be Russian (``id``, ``название``, ``вид``, ``уровень``, ``родитель``,
    ``площадка``, ``страница``, ``ссылка``, ``категория``) or English (``id``, ``name``,
    ``kind``, ``level``, ``parent``, ``platform``, ``page``, ``url``, ``category``); other
    columns are ignored. Rows with the same id are one organisation with several pages.

    Args:
        rows: the rows after the header, blank rows included (they keep row numbers right).
        source: the file name for error messages.
        header_row: the row the header is in, as Excel numbers rows.

    Raises:
        RegistryError: with every problem found.
    """
    problems: list[RegistryProblem] = []
    drafts: dict[str, _OrgDraft] = {}
    columns: dict[str, str] | None = None
    for number, row in enumerate(rows, start=header_row + 1):
        if columns is None:
            columns = _columns(list(row), header_row, problems)
            if problems:
                break
        cells = {name: text for name, header in columns.items() if (text := _text(row.get(header)))}
        if not cells:
            continue
        at = _table_place(number, columns)
        org_id = cells.get("id")
        if org_id is None:
            problems.append(at("id").problem("не заполнен: к какой организации относится строка?"))
            continue
        draft = drafts.setdefault(org_id, _OrgDraft(origin=_Place(number), at=at))
        draft.absorb(cells, at, problems)
        page = _page(cells, at, problems)
        if page is not None:
            draft.pages.append((page, at("page")))
    return _assemble(source, list(drafts.values()), problems)


def _table_place(number: int, columns: Mapping[str, str]) -> _At:
    return lambda name: _Place(number, columns.get(name, _COLUMNS[name]))


def _columns(headers: Sequence[str], row: int, problems: list[RegistryProblem]) -> dict[str, str]:
    """field -> header as written; problems for repeated and missing columns."""
    columns: dict[str, str] = {}
    for header in headers:
        name = _ALIASES.get(_norm(header or ""))
        if name is None:
            continue
        if name in columns:
            problems.append(
                RegistryProblem(row, header, f"тот же столбец, что и «{columns[name]}»")
            )
        columns.setdefault(name, header)
    for name in _REQUIRED:
        if name not in columns:
            problems.append(
                RegistryProblem(row, _COLUMNS[name], f"нет обязательного столбца (или «{name}»)")
            )
    return columns


def registry_to_rows(registry: Registry) -> list[dict[str, str]]:
    """One row per page, one row for an organisation without pages; Russian headers."""
    rows = []
    for org in registry.organizations:
        common = {
            "id": org.id,
            "name": org.name,
            "kind": org.kind.label,
            "level": org.level.label,
            "parent": org.parent or "",
        }
        pages: list[PageRef | None] = list(org.pages) or [None]
        for page in pages:
            cells = common | dict.fromkeys(_PAGE_FIELDS, "")
            if page is not None:
                cells |= {"platform": page.platform.label, "page": page.page}
                cells |= {"url": page.url or "", "category": page.category or ""}
            rows.append({_COLUMNS[name]: cells[name] for name in _COLUMNS})
    return rows


def _table(records: Sequence[Sequence[object]], source: str) -> tuple[int, list[dict[str, str]]]:
    """``(header row, rows)`` from the cells of a sheet; the header may sit under a title."""
    # The writers below guard cells against formula injection (csv_cell): undo it exactly.
    texts = [[csv_uncell(_text(cell)) for cell in record] for record in records]
    if not any(any(record) for record in texts):
        raise _fail(source, "файл пуст: нет ни заголовка, ни строк")
    index = next(
        (i for i, rec in enumerate(texts[:10]) if sum(_norm(c) in _ALIASES for c in rec) >= 2), 0
    )
    header = texts[index]
    for i, name in enumerate(header):
        if name and name in header[:i]:
            raise _fail(
                source,
                f"столбец «{name}» встречается дважды (столбцы {header.index(name) + 1} и {i + 1})",
                index + 1,
            )
    width = len(header)
    rows = [
        dict(zip(header, (record + [""] * width)[:width], strict=True))
        for record in texts[index + 1 :]
    ]
    return index + 1, rows


def _read_text(path: Path) -> str:
    """UTF-8 (with Excel's BOM or without), else Windows-1251 as old Excel saves CSV."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def _csv_records(path: Path) -> list[list[str]]:
    text = _read_text(path)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _write_csv(rows: Sequence[Mapping[str, str]], path: Path) -> None:
    # Russian Excel opens this directly: UTF-8 with BOM, ';' between cells.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(_COLUMNS.values())
        writer.writerows([csv_cell(row[h]) for h in _COLUMNS.values()] for row in rows)


def _xlsx_records(path: Path) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError):
        raise _fail(str(path), "не удалось открыть как книгу Excel (.xlsx)") from None
    sheet = book[_SHEET] if _SHEET in book.sheetnames else book.active
    return [tuple(record) for record in sheet.iter_rows(values_only=True)]


def _write_xlsx(rows: Sequence[Mapping[str, str]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    headers = list(_COLUMNS.values())
    book = Workbook()
    sheet = book.active
    sheet.title = _SHEET
    sheet.append(headers)
    for row in rows:
        sheet.append([csv_cell(row[header]) or None for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, header in enumerate(headers, start=1):
        width = max([len(header), *(len(row[header]) for row in rows)]) + 2
        sheet.column_dimensions[get_column_letter(i)].width = min(width, 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.save(path)
