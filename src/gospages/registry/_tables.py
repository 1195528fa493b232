"""Registry tables: CSV and XLSX, one row per page."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .._escape import csv_cell, csv_uncell
from .._files import FileProblem, read_bounded, read_text
from ._common import (
    _ALIASES,
    _COLUMNS,
    _PAGE_FIELDS,
    _REQUIRED,
    _SHEET,
    RegistryError,
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
    problems: list[RegistryProblem] = []
    _columns(header, index + 1, problems)  # even with no rows below: a header that is not one
    if problems:
        raise RegistryError(source, problems)
    width = len(header)
    rows = [
        dict(zip(header, (record + [""] * width)[:width], strict=True))
        for record in texts[index + 1 :]
    ]
    return index + 1, rows


#: The largest registry file gospages reads (a region's registry is well under 1 MB).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: The largest an XLSX may grow when unpacked (a workbook is a ZIP of XML files).
MAX_UNPACKED_BYTES = 128 * 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} МБ"


def _read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    try:
        return read_bounded(path, limit, "реестры")
    except FileProblem as problem:
        raise _fail(str(path), str(problem)) from None


def _read_text(path: Path) -> str:
    try:
        return read_text(path, MAX_FILE_BYTES, "реестры")
    except FileProblem as problem:
        raise _fail(
            str(path),
            f"{problem}. Сохраните реестр как CSV в UTF-8, YAML или книгу Excel (.xlsx).",
        ) from None


def _csv_records(path: Path) -> list[list[str]]:
    text = _read_text(path)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if first.count("\t") > first.count(delimiter):  # Excel's «Текст Юникод» has tabs
        delimiter = "\t"
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _fail(str(path), f"не удалось разобрать CSV: {exc}") from None


def _write_csv(rows: Sequence[Mapping[str, str]], path: Path) -> None:
    # Russian Excel opens this directly: UTF-8 with BOM, ';' between cells.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(_COLUMNS.values())
        writer.writerows([csv_cell(row[h]) for h in _COLUMNS.values()] for row in rows)


def _has_header(records: Sequence[Sequence[object]]) -> bool:
    """Whether one of the first rows reads as a registry header (two known columns)."""
    return any(
        sum(_norm(_text(cell)) in _ALIASES for cell in record) >= 2 for record in records[:10]
    )


def _xlsx_records(path: Path) -> list[tuple[object, ...]]:
    """The rows of the registry's sheet: «Реестр», else the first sheet with a header row
    (the only sheet when there is one)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    source = str(path)
    _read_bytes(path, MAX_FILE_BYTES)  # the size check, before unpacking anything
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _fail(source, "не удалось открыть как книгу Excel (.xlsx)") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _fail(
            source,
            f"книга Excel в распакованном виде больше {_megabytes(MAX_UNPACKED_BYTES)}: "
            f"gospages не читает реестры такого размера",
        )
    try:
        book = load_workbook(path, data_only=True, read_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise _fail(source, "не удалось открыть как книгу Excel (.xlsx)") from None
    try:
        names = list(book.sheetnames)
        chosen = next((n for n in names if _norm(n) == _norm(_SHEET)), None)
        order = [chosen] if chosen is not None else names
        for name in order:
            sheet = book[name]
            if not hasattr(sheet, "iter_rows"):  # a chart sheet
                continue
            records = [tuple(record) for record in sheet.iter_rows(values_only=True)]
            if chosen is not None or len(names) == 1 or _has_header(records):
                return records
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _fail(source, f"не удалось прочитать книгу Excel (.xlsx): {exc}") from None
    finally:
        book.close()
    listed = ", ".join(f"«{name}»" for name in names)
    raise _fail(
        source,
        f"ни на одном листе нет реестра: прочитаны листы {listed}, ни на одном нет строки "
        f"заголовков (id, название, вид, уровень). Назовите лист с реестром «{_SHEET}».",
    )


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
