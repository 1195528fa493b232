"""Registry tables: CSV and XLSX, one row per page."""

from __future__ import annotations

import csv
import io
import posixpath
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._escape import csv_cell, csv_uncell
from .._files import FileProblem, read_bounded, read_text
from .._models import Platform
from .._platforms import describe
from .._russian import yes_no
from ._common import (
    _COLUMNS,
    _ORG_FIELDS,
    _PAGE_FIELDS,
    _REQUIRED,
    _SHEET,
    _URL_RE,
    RegistryError,
    RegistryProblem,
    RegistryWarning,
    _assemble,
    _At,
    _Bad,
    _cell_text,
    _fail,
    _header_field,
    _looks_like_url,
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


class _Linked(str):
    """The text of an XLSX cell with the target of its hyperlink."""

    target: str

    def __new__(cls, text: str, target: str) -> _Linked:
        cell = super().__new__(cls, text)
        cell.target = target
        return cell


def _link_target(raw: object) -> str | None:
    """The page address a cell links to, if it links to one."""
    if isinstance(raw, _Linked) and _URL_RE.fullmatch(raw.target.strip()):
        return raw.target.strip()
    return None


def _names_a_page(text: str) -> bool:
    """Whether a cell's text is itself an address or a page (``club1``, ``@name``)."""
    return bool(text) and (
        _looks_like_url(text) or any(describe(p).page_pattern.fullmatch(text) for p in Platform)
    )


_KNOWN = ", ".join(_COLUMNS.values())
_UNUSED = (
    f"столбец не используется: gospages не знает такого столбца (читаются {_KNOWN} "
    "и их синонимы, см. «Реестр страниц» в документации)"
)


def registry_from_rows(
    rows: Iterable[Mapping[str, Any]], *, source: str, header_row: int = 1
) -> Registry:
    """A registry from table rows (header -> cell), as CSV and XLSX files are read.

    Headers may be Russian (``id``, ``название``, ``вид``, ``уровень``, ``родитель``,
    ``площадка``, ``страница``, ``ссылка``, ``категория``, ``Отметка «Госорганизация»``),
    English (``id``, ``name``, ``kind``, ``level``, ``parent``, ``platform``, ``page``,
    ``url``, ``category``, ``verified``) or the usual synonyms («Ссылка на страницу»,
    «Наименование организации», «Соц. сеть»...).
    Other columns are not used: a :class:`RegistryWarning` names each. Rows with the same
    id are one organisation with several pages. Cells are text, or numbers as Excel
    stores them; «—», «-», «нет», «отсутствует» are empty (except in the mark's column,
    where «да»/«нет» is the answer and an empty cell means «not recorded»).

    Args:
        rows: the rows after the header, blank rows included (they keep row numbers right).
        source: the file name for error messages.
        header_row: the row the header is in, as Excel numbers rows.

    Raises:
        RegistryError: with every problem found.
    """
    registry, notices = _from_rows(rows, source=source, header_row=header_row)
    _warn(source, notices)
    return registry


def _warn(source: str, notices: Sequence[RegistryProblem]) -> None:
    for notice in notices:
        warnings.warn(RegistryWarning(source, notice), stacklevel=3)


def _from_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    source: str,
    header_row: int = 1,
    headers: Sequence[str] | None = None,
    notices: Sequence[RegistryProblem] = (),
) -> tuple[Registry, list[RegistryProblem]]:
    """:func:`registry_from_rows` with its warnings returned, not issued."""
    problems: list[RegistryProblem] = []
    warned = list(notices)
    drafts: dict[str, _OrgDraft] = {}
    columns: dict[str, str] | None = None
    if headers is not None:
        columns = _columns(headers, header_row, problems, warned)
    for number, row in enumerate(rows, start=header_row + 1):
        if columns is None:
            columns = _columns(list(row), header_row, problems, warned)
            if problems:
                break
        cells, places, bad = _row_cells(row, columns, number, problems)
        if not cells and not bad:
            continue
        at = _table_place(number, places)
        org_id = cells.get("id")
        if org_id is None:
            if "id" not in bad:
                problems.append(
                    at("id").problem("не заполнен: к какой организации относится строка?")
                )
            continue
        draft = drafts.setdefault(org_id, _OrgDraft(origin=_Place(number), at=at))
        draft.bad |= bad & set(_ORG_FIELDS)
        draft.absorb(cells, at, problems)
        if bad & set(_PAGE_FIELDS):
            continue
        page = _page(cells, at, problems)
        if page is not None:
            draft.pages.append((page, at("page")))
    return _assemble(source, list(drafts.values()), problems, warned), warned


def _row_cells(
    row: Mapping[str, Any],
    columns: Mapping[str, str],
    number: int,
    problems: list[RegistryProblem],
) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """``(cells, places, bad)``: field -> text, field -> column, fields that cannot be read."""
    cells: dict[str, str] = {}
    places = dict(columns)
    bad: set[str] = set()
    for name, header in columns.items():
        raw = row.get(header)
        try:
            text = _cell_text(raw, name)
        except _Bad as problem:
            problems.append(_Place(number, header).problem(str(problem)))
            bad.add(name)
            continue
        target = _link_target(raw) if name in ("page", "url") else None
        if target is not None and not _names_a_page(text):
            text = target  # «Страница» linking to https://vk.com/adm_ensk
        if text:
            cells[name] = text
    if not bad and not (cells.get("page") or cells.get("url")):
        # A link behind other text: «ВКонтакте» linking to https://vk.com/adm_ensk.
        order = [columns["platform"]] if "platform" in columns else []
        for header in [*order, *row]:
            target = _link_target(row.get(header))
            if target is not None:
                cells["url"], places["url"] = target, header
                break
    return cells, places, bad


def _table_place(number: int, columns: Mapping[str, str]) -> _At:
    return lambda name: _Place(number, columns.get(name, _COLUMNS[name]))


def _columns(
    headers: Sequence[str],
    row: int,
    problems: list[RegistryProblem],
    notices: list[RegistryProblem] | None = None,
) -> dict[str, str]:
    """field -> header as written; problems for repeated and missing columns, notices for
    columns that are not used."""
    columns: dict[str, str] = {}
    for header in headers:
        name = _header_field(header or "")
        if name is None:
            if header and notices is not None:
                notices.append(RegistryProblem(row, header, _UNUSED))
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
    # The mark's column only when some page records it: tables stay as they were.
    marked = any(page.verified is not None for _, page in registry.pages())
    names = [name for name in _COLUMNS if name != "verified" or marked]
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
                cells["verified"] = "" if page.verified is None else yes_no(page.verified)
            rows.append({_COLUMNS[name]: cells[name] for name in names})
    return rows


def _raw(cell: object) -> object:
    """A cell as :func:`registry_from_rows` takes it: text (with its link), or a number."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        # The writers below guard cells against formula injection (csv_cell): undo it exactly.
        text = csv_uncell(cell.strip())
        return _Linked(text, cell.target) if isinstance(cell, _Linked) else text
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return cell
    return _text(cell)


def _column_name(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{index + 1} ({get_column_letter(index + 1)})"


def _table(
    records: Sequence[Sequence[object]], source: str
) -> tuple[int, list[str], list[dict[str, object]], list[RegistryProblem]]:
    """``(header row, headers, rows, notices)`` from the cells of a sheet; the header may
    sit under a title."""
    texts = [[csv_uncell(_text(cell)) for cell in record] for record in records]
    if not any(any(record) for record in texts):
        raise _fail(source, "файл пуст: нет ни заголовка, ни строк")
    index = next(
        (
            i
            for i, rec in enumerate(texts[:10])
            if sum(_header_field(c) is not None for c in rec) >= 2
        ),
        0,
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
    below = texts[index + 1 :]
    notices = [
        RegistryProblem(
            index + 1,
            None,
            f"столбец {_column_name(i)} без заголовка: его значения не используются; "
            "впишите заголовок, если это данные реестра",
        )
        for i in range(max(map(len, below), default=0))
        if not (header[i] if i < width else "") and any(i < len(r) and r[i] for r in below)
    ]
    rows = [
        dict(zip(header, [_raw(cell) for cell in (*record, *[None] * width)][:width], strict=True))
        for record in records[index + 1 :]
    ]
    return index + 1, header, rows, notices


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
        headers = _headers(rows)
        writer.writerow(headers)
        writer.writerows([csv_cell(row[h]) for h in headers] for row in rows)


def _headers(rows: Sequence[Mapping[str, str]]) -> list[str]:
    """The columns of rows from :func:`registry_to_rows` (the mark's only when recorded)."""
    if rows:
        return list(rows[0])
    return [header for name, header in _COLUMNS.items() if name != "verified"]


def _has_header(records: Sequence[Sequence[object]]) -> bool:
    """Whether one of the first rows reads as a registry header (two known columns)."""
    return any(
        sum(_header_field(_text(cell)) is not None for cell in record) >= 2
        for record in records[:10]
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
                return _with_links(records, _hyperlinks(book, sheet))
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


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: Hyperlinks over ranges of cells kept at most (a hostile file could cover a million cells).
_MAX_RANGES = 1000


def _hyperlinks(book: Any, sheet: Any) -> dict[tuple[int, int], str]:
    """``(row, column) -> external link target`` of a read-only sheet (openpyxl reads no
    hyperlinks in read-only mode): the sheet's ``<hyperlinks>`` and its relationships."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.xml.functions import fromstring, iterparse

    archive = getattr(book, "_archive", None)
    path = getattr(sheet, "_worksheet_path", None)
    if not isinstance(archive, zipfile.ZipFile) or not isinstance(path, str):
        return {}
    folder, name = posixpath.split(path)
    rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels_path not in archive.namelist():
        return {}  # no relationships: no external links
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in fromstring(archive.read(rels_path)).iter(f"{{{_PKG_NS}}}Relationship")
        if rel.get("TargetMode") == "External"
    }
    links: dict[tuple[int, int], str] = {}
    ranges = 0
    with archive.open(path) as source:
        for _, element in iterparse(source):
            if element.tag == f"{{{_MAIN_NS}}}hyperlink":
                target = targets.get(element.get(f"{{{_REL_NS}}}id"))
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(element.get("ref", ""))
                except (TypeError, ValueError):
                    target = None
                if target and None not in (min_col, min_row, max_col, max_row):
                    cells = (max_col - min_col + 1) * (max_row - min_row + 1)
                    ranges += cells > 1
                    if cells == 1 or (ranges <= _MAX_RANGES and cells <= 10_000):
                        for row in range(min_row, max_row + 1):
                            for col in range(min_col, max_col + 1):
                                links.setdefault((row, col), target)
            element.clear()
    return links


def _with_links(
    records: list[tuple[object, ...]], links: Mapping[tuple[int, int], str]
) -> list[tuple[object, ...]]:
    """Cells with a hyperlink become :class:`_Linked` text."""
    if not links:
        return records
    by_row: dict[int, dict[int, str]] = {}
    for (row, col), target in links.items():
        by_row.setdefault(row, {})[col] = target
    out = []
    for r, record in enumerate(records, start=1):
        row_links = by_row.get(r)
        if not row_links:
            out.append(record)
            continue
        cells = (*record, *[None] * (max(row_links) - len(record)))
        out.append(
            tuple(
                _Linked(_text(cell), row_links[c]) if c in row_links else cell
                for c, cell in enumerate(cells, start=1)
            )
        )
    return out


def _write_xlsx(rows: Sequence[Mapping[str, str]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    headers = _headers(rows)
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
