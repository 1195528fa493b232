"""Reading and writing the registry of pages (реестр аккаунтов): YAML, CSV and XLSX.

Tables (CSV, XLSX) hold one row per page, or one row for an organisation without a page;
an organisation with several pages spans several rows with the same id. YAML is nested:
``organizations:`` with their ``pages:``, hierarchy by ``parent:`` ids or ``children:``
lists. Tables and YAML are read into the same drafts and checked by the same code, and
every problem of a file is reported at once in one :class:`RegistryError`, in Russian,
where the user will look for it: the row as Excel shows it and the column, or the line
and the path in YAML.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.constructor import SafeConstructor

from .._errors import GospagesError
from .._models import Platform
from .._platforms import describe, platform_for_host
from ._model import Organization, OrgKind, OrgLevel, PageRef, Registry, _parent_cycles

__all__ = [
    "RegistryError",
    "RegistryProblem",
    "load_registry",
    "registry_from_rows",
    "registry_to_rows",
    "save_registry",
]

_E = TypeVar("_E", OrgKind, OrgLevel, Platform)

_SHEET = "Реестр"

#: field -> the column header written to tables (and the first one accepted).
_COLUMNS: dict[str, str] = {
    "id": "id",
    "name": "название",
    "kind": "вид",
    "level": "уровень",
    "parent": "родитель",
    "platform": "площадка",
    "page": "страница",
    "url": "ссылка",
    "category": "категория",
}
_ORG_FIELDS = ("id", "name", "kind", "level", "parent")
_PAGE_FIELDS = ("platform", "page", "url", "category")
_REQUIRED = ("id", "name", "kind", "level")
_LISTS = {"pages": "pages", "страницы": "pages", "children": "children", "дочерние": "children"}
_TOP = ("organizations", "организации")


def _norm(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


# Column headers and YAML keys: normalised alias -> field.
_ALIASES: dict[str, str] = {
    **{name: name for name in _COLUMNS},
    **{header: name for name, header in _COLUMNS.items()},
    "наименование": "name",
    "идентификатор": "id",
    "соцсеть": "platform",
    "социальная сеть": "platform",
    "link": "url",
}


def _vocabulary(enum: type[_E], extra: Mapping[_E, tuple[str, ...]]) -> dict[str, _E]:
    words: dict[str, _E] = {}
    for member in enum:
        names: tuple[str, ...] = (str(member.value), member.label)
        for word in names + extra.get(member, ()):
            words[_norm(word)] = member
    return words


_KINDS = _vocabulary(
    OrgKind,
    {
        OrgKind.STATE_BODY: ("орган государственной власти", "государственный орган", "огв"),
        OrgKind.LOCAL_GOVERNMENT: ("орган местного самоуправления",),
        OrgKind.SUBORDINATE: ("подведомственная организация", "подведомственное учреждение"),
    },
)
_LEVELS = _vocabulary(
    OrgLevel,
    {
        OrgLevel.REGION: ("субъект", "субъект рф"),
        OrgLevel.DISTRICT: (
            "муниципальный район",
            "муниципальный округ",
            "городской округ",
            "округ",
        ),
        OrgLevel.SETTLEMENT: ("сельское поселение", "городское поселение"),
    },
)
_PLATFORMS = _vocabulary(Platform, {p: describe(p).aliases for p in Platform})
_META = {"facebook", "фейсбук", "instagram", "инстаграм", "инстаграмм", "meta"}

_HOSTS = [host for p in Platform for host in describe(p).hosts]
_URL_RE = re.compile(
    rf"(?:https?://)?(?:www\.|m\.)?(?P<host>{'|'.join(map(re.escape, _HOSTS))})"
    r"(?P<path>/[^?#]*)?(?:[?#].*)?",
    re.IGNORECASE,
)
_URL_EXAMPLES = ", ".join(describe(p).page_url(describe(p).example) for p in Platform)


#: field -> its Russian name (columns, YAML keys).
_RUSSIAN = {**_COLUMNS, "pages": "страницы", "children": "дочерние"}

# -- problems --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryProblem:
    """One problem of a registry file, placed where the user will look for it.

    Attributes:
        row: in a table, the row as Excel shows it (the header is row 1); in YAML, the
            line; ``None`` for the file as a whole.
        column: in a table, the column header as written in the file; in YAML, the key.
        message: what is wrong and what is allowed, in Russian.
        path: in YAML, where the value sits, e.g. ``organizations[3].pages[0].platform``.
    """

    row: int | None
    column: str | None
    message: str
    path: str | None = None

    @property
    def where(self) -> str:
        """``строка 5, столбец «вид»`` or ``строка 12, organizations[3].name``."""
        parts = [] if self.row is None else [f"строка {self.row}"]
        if self.path is not None:
            parts.append(self.path)
        elif self.column is not None:
            parts.append(f"столбец «{self.column}»")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class RegistryError(GospagesError):
    """A registry file with problems: all of them, not only the first.

    Attributes:
        source: the file (or the ``source`` given to `registry_from_rows`).
        problems: every problem found, in file order.
    """

    def __init__(self, source: str, problems: Sequence[RegistryProblem]) -> None:
        self.source = source
        self.problems = sorted(problems, key=lambda p: p.row or 0)
        lines = [f"Реестр {source}: {_count(len(self.problems))}"]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


def _count(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} ошибка"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} ошибки"
    return f"{n} ошибок"


def _fail(source: str, message: str, row: int | None = None) -> RegistryError:
    return RegistryError(source, [RegistryProblem(row, None, message)])


class _Bad(ValueError):
    """A value that cannot be read; the message goes to the user."""


@dataclass(frozen=True)
class _Place:
    row: int | None
    column: str | None = None
    path: str | None = None

    def problem(self, message: str) -> RegistryProblem:
        return RegistryProblem(self.row, self.column, message, self.path)

    @property
    def ref(self) -> str:
        return self.problem("").where


_At = Callable[[str], _Place]
"""Where a field of an organisation or a page was written: field name -> place."""


# -- values ----------------------------------------------------------------------------------


def _choose(vocabulary: Mapping[str, _E], enum: type[_E], raw: str) -> _E:
    found = vocabulary.get(_norm(raw))
    if found is not None:
        return found
    allowed = ", ".join(f"«{m.label}»" for m in enum)
    codes = ", ".join(m.value for m in enum)
    if enum is Platform and _norm(raw) in _META:
        raise _Bad(
            f"«{raw}»: площадки Meta (Facebook, Instagram) запрещены в России, официальной "
            f"страницы там быть не может (правило META); допустимо: {allowed}"
        )
    raise _Bad(f"«{raw}» — неизвестное значение; допустимо: {allowed} (или {codes})")


_PARSE: dict[str, Callable[[str], Any]] = {
    "id": str,
    "name": str,
    "kind": lambda raw: _choose(_KINDS, OrgKind, raw),
    "level": lambda raw: _choose(_LEVELS, OrgLevel, raw),
    "parent": str,
}


def _show(value: Any) -> str:
    return value.label if isinstance(value, (OrgKind, OrgLevel, Platform)) else str(value)


def _looks_like_url(text: str) -> bool:
    return "/" in text or _URL_RE.fullmatch(text) is not None


def _parse_url(url: str) -> tuple[Platform, str | None]:
    """``(platform, page)`` from a page address; page ``None`` where the address names the
    page in a way that cannot be used (an OK short name)."""
    match = _URL_RE.fullmatch(url.strip())
    platform = platform_for_host(match["host"]) if match is not None else None
    if match is None or platform is None:
        raise _Bad(f"«{url}» не похоже на адрес страницы: нужен адрес вида {_URL_EXAMPLES}")
    parts = [part for part in (match["path"] or "").split("/") if part]
    if not parts:
        raise _Bad(f"в адресе «{url}» нет страницы: только адрес сайта {match['host']}")
    try:
        return platform, describe(platform).parse_path(parts)
    except ValueError as bad:
        raise _Bad(f"«{url}»: {bad}") from None


def _page_key(ref: PageRef) -> tuple[Platform, str]:
    """Two spellings of the same page give the same key (club123 and 123, @name and name)."""
    return ref.platform, describe(ref.platform).page_key(ref.page)


def _page(cells: Mapping[str, str], at: _At, problems: list[RegistryProblem]) -> PageRef | None:
    """The page of one table row or one YAML ``pages`` item, or ``None`` (no page or bad)."""
    platform_raw, page_raw, url_raw, category = (cells.get(name) for name in _PAGE_FIELDS)
    if not (platform_raw or page_raw or url_raw):
        if category:
            problems.append(at("category").problem("категория указана, а страницы нет"))
        return None
    before = len(problems)
    platform: Platform | None = None
    if platform_raw:
        try:
            platform = _choose(_PLATFORMS, Platform, platform_raw)
        except _Bad as bad:
            problems.append(at("platform").problem(str(bad)))

    def from_url(name: str, raw: str) -> str | None:
        nonlocal platform
        try:
            found, page = _parse_url(raw)
        except _Bad as bad:
            problems.append(at(name).problem(str(bad)))
            return None
        if platform is None:
            platform = found
        elif found is not platform:
            problems.append(
                at(name).problem(
                    f"это адрес площадки «{found.label}», а указана площадка «{platform.label}»"
                )
            )
        return page

    page, url = page_raw, url_raw
    if page_raw and _looks_like_url(page_raw):
        page, url = from_url("page", page_raw), url_raw or page_raw
    if url_raw:
        from_link = from_url("url", url_raw)
        page = page or from_link
    if len(problems) > before:
        return None
    if platform is None:
        problems.append(at("platform").problem("не указана: ВКонтакте, Одноклассники или Telegram"))
        return None
    if page is None:
        descriptor = describe(platform)
        if page_raw or url_raw:
            problems.append(
                at("page" if page_raw else "url").problem(
                    f"по этому адресу не узнать страницу площадки «{descriptor.label}»: нужен "
                    f"{descriptor.page_hint} или адрес вида "
                    f"{descriptor.page_url(descriptor.example)}"
                )
            )
        else:
            problems.append(at("page").problem("не указана: id, короткое имя или адрес"))
        return None
    descriptor = describe(platform)
    if not descriptor.page_pattern.fullmatch(page):
        problems.append(
            at("page").problem(
                f"«{page}» не подходит для площадки «{platform.label}»: "
                f"нужен {descriptor.page_hint}"
            )
        )
        return None
    return PageRef(platform=platform, page=page, url=url, category=category)


# -- drafts: what a table or a YAML file says, before checks across organisations ------------


@dataclass
class _OrgDraft:
    origin: _Place
    at: _At
    values: dict[str, Any] = field(default_factory=dict)
    places: dict[str, _Place] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)
    pages: list[tuple[PageRef, _Place]] = field(default_factory=list)

    def absorb(self, cells: Mapping[str, str], at: _At, problems: list[RegistryProblem]) -> None:
        """Take the organisation's fields stated in ``cells``; they must agree with earlier ones."""
        for name in _ORG_FIELDS:
            raw = cells.get(name)
            if not raw:
                continue
            try:
                value = _PARSE[name](raw)
            except _Bad as bad:
                problems.append(at(name).problem(str(bad)))
                self.bad.add(name)
                continue
            if name not in self.values:
                self.values[name], self.places[name] = value, at(name)
            elif self.values[name] != value:
                problems.append(
                    at(name).problem(
                        f"«{_show(value)}» расходится с «{_show(self.values[name])}» "
                        f"({self.places[name].ref}): у одной организации значения должны совпадать"
                    )
                )

    def organization(self, problems: list[RegistryProblem]) -> Organization | None:
        missing = [name for name in _REQUIRED if name not in self.values and name not in self.bad]
        problems.extend(self.at(name).problem("обязательное поле не заполнено") for name in missing)
        if missing or self.bad:
            return None
        return Organization(
            **{name: self.values[name] for name in _ORG_FIELDS if name in self.values},
            pages=[ref for ref, _ in self.pages],
        )


def _assemble(
    source: str, drafts: Sequence[_OrgDraft], problems: list[RegistryProblem]
) -> Registry:
    """Checks across organisations (ids, pages, parents, cycles), then the registry."""
    by_id: dict[str, _OrgDraft] = {}
    for draft in drafts:
        org_id = draft.values.get("id")
        if org_id is None:
            continue
        if org_id in by_id:
            taken = by_id[org_id].origin.ref
            problems.append(draft.places["id"].problem(f"id «{org_id}» уже занят ({taken})"))
        else:
            by_id[org_id] = draft
    seen: dict[tuple[Platform, str], _Place] = {}
    for draft in drafts:
        for ref, place in draft.pages:
            earlier = seen.setdefault(_page_key(ref), place)
            if earlier is not place:
                problems.append(
                    place.problem(
                        f"страница «{ref.page}» ({ref.platform.label}) уже есть в реестре "
                        f"({earlier.ref})"
                    )
                )
    parents: dict[str, str | None] = {}
    for org_id, draft in by_id.items():
        parent = parents[org_id] = draft.values.get("parent")
        if parent is not None and parent not in by_id:
            problems.append(
                draft.places["parent"].problem(f"родителя «{parent}» нет в реестре (нет такого id)")
            )
    for cycle in _parent_cycles(parents):
        first = by_id[cycle[0]]
        if len(cycle) == 2:
            message = f"«{cycle[0]}» указана родителем самой себя"
        else:
            rows = "; ".join(by_id[org_id].origin.ref for org_id in cycle[:-1])
            message = f"родители образуют цикл: {' → '.join(cycle)} ({rows})"
        problems.append(first.places["parent"].problem(message))
    organizations = [org for draft in drafts if (org := draft.organization(problems)) is not None]
    if problems:
        raise RegistryError(source, problems)
    return Registry(organizations=organizations)


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
    texts = [[_text(cell) for cell in record] for record in records]
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
        writer.writerows([row[header] for header in _COLUMNS.values()] for row in rows)


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
        sheet.append([row[header] or None for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in sheet.iter_rows(min_row=2):
        for cell in record:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, not a formula
    for i, header in enumerate(headers, start=1):
        width = max([len(header), *(len(row[header]) for row in rows)]) + 2
        sheet.column_dimensions[get_column_letter(i)].width = min(width, 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.save(path)


# -- YAML ------------------------------------------------------------------------------------

_YAML_HEADER = """\
# Реестр официальных страниц (gospages). Формат: https://gospages.readthedocs.io, «Реестр страниц»
# kind: state_body (орган власти), local_government (ОМСУ), subordinate (подведомственная)
# level: region (регион), district (район), settlement (поселение), institution (учреждение)
# platform: vk (ВКонтакте), ok (Одноклассники), telegram (Telegram)
"""


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class _YamlReader:
    """YAML nodes to plain values, remembering the line of every path."""

    def __init__(self, source: str, problems: list[RegistryProblem]) -> None:
        self.source = source
        self.problems = problems
        self.lines: dict[str, int] = {}
        self._constructor = SafeConstructor()

    def load(self, text: str) -> Any:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            row = exc.problem_mark.line + 1 if exc.problem_mark else None
            raise _fail(self.source, f"ошибка разметки YAML: {exc.problem or exc}", row) from None
        except yaml.YAMLError as exc:
            raise _fail(self.source, f"ошибка разметки YAML: {exc}") from None
        if node is None:
            raise _fail(self.source, "файл пуст: нет ни одной организации")
        return self._value(node, "")

    def _value(self, node: yaml.Node, path: str) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(self._constructor.construct_object(key_node))
                sub = f"{path}.{key}" if path else key
                if key in out:
                    line = key_node.start_mark.line + 1
                    self.problems.append(RegistryProblem(line, key, "ключ повторяется", sub))
                out[key] = self._value(value_node, sub)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._value(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        return self._constructor.construct_object(node)

    def place(self, path: str, key: str | None = None) -> _Place:
        sub = path if key is None else f"{path}.{key}"
        return _Place(self.lines.get(sub, self.lines.get(path)), key, sub)

    def _whole(self, path: str) -> _At:
        return lambda name: self.place(path)

    def fields(
        self, item: Mapping[str, Any], path: str, allowed: Sequence[str]
    ) -> tuple[dict[str, str], dict[str, tuple[str, Any]], _At, set[str]]:
        """``(cells, lists, at, bad)``: scalar fields, lists, their places, non-text fields."""
        cells: dict[str, str] = {}
        bad: set[str] = set()
        lists: dict[str, tuple[str, Any]] = {}
        written: dict[str, str] = {}
        for key, value in item.items():
            name = _ALIASES.get(_norm(key)) or _LISTS.get(_norm(key))
            if name is None or name not in allowed:
                russian = [_RUSSIAN[n] for n in allowed if _RUSSIAN[n] != n]
                self.problems.append(
                    self.place(path, key).problem(
                        f"неизвестный ключ; допустимо: {', '.join(allowed)} "
                        f"(или {', '.join(russian)})"
                    )
                )
                continue
            if name in written:
                self.problems.append(
                    self.place(path, key).problem(f"то же поле, что и «{written[name]}»")
                )
                continue
            written[name] = key
            if name in _LISTS.values():
                lists[name] = (f"{path}.{key}", [] if value is None else value)
            elif value is None:
                continue
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                if text := _text(value):
                    cells[name] = text
            else:
                self.problems.append(self.place(path, key).problem("ожидается текст"))
                bad.add(name)

        def at(name: str) -> _Place:
            return self.place(path, written.get(name, name))

        return cells, lists, at, bad

    def organizations(
        self, items: Any, path: str, parent: str | None, drafts: list[_OrgDraft]
    ) -> None:
        if not isinstance(items, list):
            self.problems.append(self.place(path).problem("ожидается список организаций"))
            return
        allowed = (*_ORG_FIELDS, "pages", "children")
        for i, item in enumerate(items):
            org_path = f"{path}[{i}]"
            if not isinstance(item, dict):
                self.problems.append(
                    self.place(org_path).problem("ожидается организация: id, name, kind, level ...")
                )
                continue
            cells, lists, at, bad = self.fields(item, org_path, allowed)
            if parent is not None:
                stated = cells.setdefault("parent", parent)
                if stated != parent:
                    self.problems.append(
                        at("parent").problem(
                            f"«{stated}» расходится с организацией, в children которой "
                            f"вложена эта («{parent}»)"
                        )
                    )
            draft = _OrgDraft(origin=self.place(org_path), at=at, bad=bad)
            draft.absorb(cells, at, self.problems)
            drafts.append(draft)
            pages_path, pages = lists.get("pages", ("", []))
            self._pages(pages, pages_path, draft)
            if "children" in lists:
                children_path, children = lists["children"]
                self.organizations(children, children_path, cells.get("id"), drafts)

    def _pages(self, pages: Any, path: str, draft: _OrgDraft) -> None:
        if not isinstance(pages, list):
            self.problems.append(self.place(path).problem("ожидается список страниц"))
            return
        for j, item in enumerate(pages):
            page_path = f"{path}[{j}]"
            if isinstance(item, str):  # a bare address: "https://vk.com/adm_ensk"
                cells, at = {"page": item.strip()}, self._whole(page_path)
            elif isinstance(item, dict):
                cells, _, at, bad = self.fields(item, page_path, _PAGE_FIELDS)
                if bad:
                    continue
            else:
                self.problems.append(
                    self.place(page_path).problem("ожидается страница: platform, page, url ...")
                )
                continue
            ref = _page(cells, at, self.problems)
            if ref is not None:
                draft.pages.append((ref, self.place(page_path)))


def _registry_from_yaml(text: str, source: str) -> Registry:
    problems: list[RegistryProblem] = []
    reader = _YamlReader(source, problems)
    document = reader.load(text)
    drafts: list[_OrgDraft] = []
    keys = [key for key in document if key in _TOP] if isinstance(document, dict) else []
    if not isinstance(document, dict) or len(keys) != 1 or len(document) != 1:
        raise _fail(source, "ожидается один ключ верхнего уровня: organizations (или организации)")
    reader.organizations(document[keys[0]], keys[0], None, drafts)
    return _assemble(source, drafts, problems)


def _registry_to_yaml(registry: Registry) -> str:
    organizations = []
    for org in registry.organizations:
        data: dict[str, Any] = {
            "id": org.id,
            "name": org.name,
            "kind": org.kind.value,
            "level": org.level.value,
        }
        if org.parent is not None:
            data["parent"] = org.parent
        data["pages"] = [page.model_dump(mode="json", exclude_none=True) for page in org.pages]
        organizations.append(data)
    body = yaml.dump(
        {"organizations": organizations},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    return _YAML_HEADER + body


# -- files -----------------------------------------------------------------------------------

_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".xlsx": "xlsx"}


def _format(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower(), path.suffix.lower())
    if fmt not in _FORMATS.values():
        hint = " Сохраните таблицу в Excel как «Книга Excel (*.xlsx)»." if fmt == ".xls" else ""
        message = f"неизвестный формат «{path.suffix}»: нужен .yaml, .yml, .csv или .xlsx."
        raise _fail(str(path), message + hint)
    return fmt


def load_registry(path: str | os.PathLike[str]) -> Registry:
    """Read a registry from ``.yaml``/``.yml``, ``.csv`` or ``.xlsx`` (by the suffix).

    CSV may be UTF-8 (with or without Excel's BOM) or Windows-1251, with ``,`` or ``;``
    between cells. A table's header may sit under title rows; XLSX is read from the
    sheet «Реестр», or the active sheet.

    Raises:
        RegistryError: every problem of the file, with rows and columns (YAML: lines and
            paths), in Russian.
        OSError: the file cannot be read.
    """
    path = Path(path)
    fmt = _format(path)
    if fmt == "yaml":
        return _registry_from_yaml(_read_text(path), str(path))
    records = _csv_records(path) if fmt == "csv" else _xlsx_records(path)
    header_row, rows = _table(records, str(path))
    return registry_from_rows(rows, source=str(path), header_row=header_row)


def save_registry(registry: Registry, path: str | os.PathLike[str]) -> None:
    """Write ``registry`` as ``.yaml``/``.yml``, ``.csv`` or ``.xlsx`` (by the suffix).

    YAML: ``organizations:`` with English keys and values, hierarchy by ``parent``. CSV:
    UTF-8 with BOM and ``;``, as Russian Excel opens it. XLSX: the sheet «Реестр» with a
    bold frozen header. Tables have Russian headers and values.
    """
    path = Path(path)
    fmt = _format(path)
    if fmt == "yaml":
        path.write_text(_registry_to_yaml(registry), encoding="utf-8")
    elif fmt == "csv":
        _write_csv(registry_to_rows(registry), path)
    else:
        _write_xlsx(registry_to_rows(registry), path)
