"""Reading content plans as SMM specialists keep them: XLSX, CSV (UTF-8 or cp1251), YAML.

Every row is read on its own: a bad row is reported with its number and column, and the
other rows still make a plan (:class:`PlanReport`). Nothing in a file is run: formulas are
never evaluated (an XLSX cell gives the value Excel saved), YAML anchors are refused, and
sizes are bounded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError as PydanticValidationError

from .._escape import csv_uncell
from .._files import FileProblem, os_error_text, read_bounded, read_post_text, read_text
from .._models import Photo, Poll, Post
from ._plan import DEFAULT_TIMEZONE, ContentPlan, PlanError, PlanItem, PlanProblem, _stable_id

__all__ = ["PlanReport", "load_plan", "load_plan_report", "plan_from_rows", "zone"]

#: The largest plan file read (a year of daily posts is well under 1 MB).
MAX_PLAN_BYTES = 16 * 1024 * 1024
#: The largest an XLSX plan may grow when unpacked.
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
#: The most rows (items) one plan may have.
MAX_ITEMS = 5000
#: The longest text one cell may hold (VK's limit is 16 384 characters).
MAX_CELL_CHARS = 100_000
#: The most photos one item may name.
MAX_PHOTOS = 50

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})
TEXT_SUFFIXES = frozenset({".txt", ".md", ".docx"})

# Column headers and YAML keys (normalised: lower case, «ё» as «е», no punctuation) -> field.
_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ид", "идентификатор", "код", "номер", "№", "n", "no", "ключ"),
    "date": ("дата", "день", "date", "day", "дата публикации", "дата выхода"),
    "time": ("время", "час", "time", "время публикации", "время выхода"),
    "at": ("когда", "at", "дата и время", "datetime", "публикация в"),
    "timezone": ("часовой пояс", "пояс", "таймзона", "timezone", "tz", "time zone"),
    "target": (
        "кому",
        "куда",
        "страницы",
        "адресаты",
        "выборка",
        "площадки",
        "где",
        "to",
        "target",
        "targets",
        "selection",
        "pages",
    ),
    "text": ("текст", "текст поста", "текст публикации", "пост", "публикация", "text"),
    "file": (
        "файл",
        "файл текста",
        "текст из файла",
        "документ",
        "file",
        "text file",
        "docx",
    ),
    "photos": (
        "фото",
        "фотографии",
        "изображения",
        "картинки",
        "иллюстрации",
        "photo",
        "photos",
        "images",
    ),
    "poll": ("опрос", "вопрос", "вопрос опроса", "poll", "question"),
    "options": ("варианты", "варианты ответа", "ответы", "options", "answers"),
}
# Columns people keep for themselves; read by nobody, reported by nobody.
_KEPT = frozenset(
    {
        "тема",
        "рубрика",
        "рубрики",
        "ответственный",
        "исполнитель",
        "автор",
        "статус",
        "примечание",
        "примечания",
        "комментарий",
        "комментарии",
        "заметки",
        "формат",
        "день недели",
        "неделя",
        "notes",
        "comment",
        "topic",
        "status",
    }
)
_ALIASES = {alias: name for name, aliases in _FIELDS.items() for alias in aliases}
_LABELS = {
    "id": "ID",
    "date": "Дата",
    "time": "Время",
    "at": "Когда",
    "timezone": "Часовой пояс",
    "target": "Кому",
    "text": "Текст",
    "file": "Файл",
    "photos": "Фото",
    "poll": "Опрос",
    "options": "Варианты",
}


def _norm(text: str) -> str:
    text = text.casefold().replace("ё", "е")
    text = re.sub(r"[^\w№ ]+", " ", text)
    return " ".join(text.split())


def header_field(header: str) -> str | None:
    """The plan field a column is for («Дата публикации» → ``date``), or ``None``."""
    return _ALIASES.get(_norm(header))


@dataclass
class PlanReport:
    """A plan read from a file: the items that could be read and what is wrong with the
    others (``problems``, each with its row), and ``notes`` that change nothing (an
    unknown column)."""

    plan: ContentPlan
    problems: list[PlanProblem] = field(default_factory=list)
    notes: list[PlanProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Bad(Exception):
    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


# -- cells -----------------------------------------------------------------------------------


def _text(value: object, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise _Bad(column, "ожидается текст, а не да/нет")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date, time)):
        raise _Bad(column, "ожидается текст, а не дата")
    text = str(value)
    if len(text) > MAX_CELL_CHARS:
        raise _Bad(column, f"больше {MAX_CELL_CHARS} символов в ячейке")
    return csv_uncell(text.strip())


_ZONE_ALIASES = {"мск": "Europe/Moscow", "msk": "Europe/Moscow", "москва": "Europe/Moscow"}
_OFFSET = re.compile(r"(мск|msk|utc|gmt)?\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


def zone(name: str) -> tzinfo:
    """A time zone as people write it: ``Europe/Moscow``, ``Asia/Yakutsk``, «МСК»,
    «МСК+4», «UTC+7», «+03:00». :class:`ValueError` in Russian otherwise."""
    text = name.strip()
    if text.casefold() in _ZONE_ALIASES:
        return ZoneInfo(_ZONE_ALIASES[text.casefold()])
    match = _OFFSET.fullmatch(text)
    if match:
        base, sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if sign in "-−":
            offset = -offset
        if base and base.casefold() in ("мск", "msk"):
            offset += timedelta(hours=3)
        if abs(offset) >= timedelta(hours=24):
            raise ValueError(f"часовой пояс «{name}»: сдвиг больше суток")
        return timezone(offset)
    try:
        if not re.fullmatch(r"[A-Za-z_]+(/[A-Za-z0-9_+-]+)*", text):
            raise ZoneInfoNotFoundError(text)
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"неизвестный часовой пояс «{name}»: укажите, например, Europe/Moscow, "
            "Asia/Yakutsk, МСК+4 или UTC+7"
        ) from None


_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_HM = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?")


def _date(value: object, column: str) -> tuple[date, time | None]:
    """A date (and the time, if the cell has one) from an Excel date or «01.12.2026»."""
    if isinstance(value, datetime):
        clock = value.time()
        return value.date(), (clock if clock != time(0) else None)
    if isinstance(value, date):
        return value, None
    text = _text(value, column)
    if not text:
        raise _Bad(column, "не указана дата")
    day, _, rest = text.replace("T", " ").partition(" ")
    try:
        match = _DMY.fullmatch(day)
        if match:
            d, m, y = (int(g) for g in match.groups())
            parsed = date(y + 2000 if y < 100 else y, m, d)
        elif (match := _ISO.fullmatch(day)) is not None:
            y, m, d = (int(g) for g in match.groups())
            parsed = date(y, m, d)
        else:
            raise ValueError
    except ValueError:
        raise _Bad(column, f"«{text[:40]}» — не дата: пишите 07.12.2026 или 2026-12-07") from None
    return parsed, (_time(rest, column) if rest.strip() else None)


def _time(value: object, column: str, *, sexagesimal: bool = False) -> time:
    """A time from an Excel time, a fraction of a day, or «10:00» / «10.00»."""
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, time):
        return value.replace(microsecond=0)
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 10:30 as 630 (minutes): that is what it was.
        if sexagesimal and 0 <= value < 24 * 60:
            return time(value // 60, value % 60)
        if 0 <= value < 24:
            return time(value)
    if isinstance(value, float) and 0 <= value < 1:  # Excel: a time is a fraction of a day
        seconds = round(value * 24 * 3600)
        return time(seconds // 3600 % 24, seconds // 60 % 60)
    text = _text(value, column)
    if not text:
        raise _Bad(column, "не указано время")
    match = _HM.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        h, m, s = match.groups()
        return time(int(h), int(m), int(s or 0))
    except ValueError:
        raise _Bad(column, f"«{text[:40]}» — не время: пишите 10:00") from None


def _split(text: str) -> list[str]:
    """A list in one cell: by lines, else by «;», else by «|»."""
    for separator in ("\n", ";", "|"):
        if separator in text:
            return [part.strip() for part in text.split(separator) if part.strip()]
    return [text.strip()] if text.strip() else []


def _listed(value: object, column: str) -> list[str]:
    if isinstance(value, (list, tuple)):
        parts = [_text(v, column) for v in value]
        return [p for p in parts if p]
    return _split(_text(value, column))


def _file(base: Path, name: str, column: str, allowed: frozenset[str]) -> Path:
    path = Path(name.strip().strip('"'))
    if path.suffix.lower() not in allowed:
        kinds = ", ".join(sorted(allowed))
        raise _Bad(column, f"«{name[:80]}»: ожидается файл {kinds}")
    full = path if path.is_absolute() else base / path
    if not full.is_file():
        raise _Bad(column, f"файл не найден: {name[:200]} (путь считается от папки плана)")
    return full


# -- rows ------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    cells: Mapping[str, object]  # field -> raw value
    columns: Mapping[str, str]  # field -> the column as the file names it


def _item(row: _Row, base: Path, default_zone: tzinfo, sexagesimal: bool) -> PlanItem:
    cells, names = row.cells, row.columns

    def col(name: str) -> str:
        return names.get(name, _LABELS[name])

    where: tzinfo = default_zone
    zone_text = _text(cells.get("timezone"), col("timezone"))
    if zone_text:
        try:
            where = zone(zone_text)
        except ValueError as exc:
            raise _Bad(col("timezone"), str(exc)) from None
    if cells.get("at") not in (None, ""):
        day, clock = _date(cells["at"], col("at"))
    else:
        day, clock = _date(cells.get("date"), col("date"))
    if cells.get("time") not in (None, ""):
        clock = _time(cells["time"], col("time"), sexagesimal=sexagesimal)
    elif clock is None:
        raise _Bad(col("time"), "не указано время публикации")
    moment = datetime.combine(day, clock, where)

    target = " ".join(_listed(cells.get("target"), col("target")))
    if not target:
        raise _Bad(col("target"), "не указано, куда публиковать (например: all или id организаций)")

    text = _text(cells.get("text"), col("text"))
    file_name = _text(cells.get("file"), col("file"))
    text_file: Path | None = None
    if file_name:
        if text:
            raise _Bad(col("file"), "указаны и текст, и файл с текстом: оставьте одно")
        text_file = _file(base, file_name, col("file"), TEXT_SUFFIXES)
        try:
            text = read_post_text(text_file).strip()
        except FileProblem as problem:
            raise _Bad(col("file"), f"{file_name[:200]}: {problem}") from None
        except OSError as exc:
            raise _Bad(col("file"), os_error_text(exc, file_name[:200])) from None

    photo_names = _listed(cells.get("photos"), col("photos"))
    if len(photo_names) > MAX_PHOTOS:
        raise _Bad(col("photos"), f"больше {MAX_PHOTOS} фото в одной строке")
    attachments: list[Photo | Poll] = [
        Photo.from_path(_file(base, n, col("photos"), PHOTO_SUFFIXES)) for n in photo_names
    ]
    question = _text(cells.get("poll"), col("poll"))
    options = _listed(cells.get("options"), col("options"))
    if question or options:
        if not question:
            raise _Bad(col("poll"), "указаны варианты ответа, но нет вопроса опроса")
        if len(options) < 2:
            raise _Bad(col("options"), "у опроса должно быть от 2 до 10 вариантов ответа")
        try:
            attachments.append(Poll(question=question, answers=options))
        except PydanticValidationError as exc:
            raise _Bad(col("options"), _pydantic_text(exc)) from None
    if not text and not attachments:
        raise _Bad(col("text"), "пустая публикация: нужен текст, файл, фото или опрос")

    own_id = _text(cells.get("id"), col("id"))
    content = [
        moment.isoformat(),
        target,
        text,
        *(str(p) for p in photo_names),
        question,
        *options,
    ]
    item_id = own_id or _stable_id(*content)
    if len(item_id) > 64 or not item_id.isprintable():
        raise _Bad(col("id"), "id: до 64 видимых символов")
    # VK guid: 32 hex of the id and the content, the same on every run of the same plan.
    key = hashlib.sha256("\x1f".join((item_id, *content)).encode("utf-8")).hexdigest()[:32]
    try:
        post = Post(text=text, attachments=attachments, publish_at=moment, idempotency_key=key)
    except PydanticValidationError as exc:
        raise _Bad(col("text"), _pydantic_text(exc)) from None
    return PlanItem(
        id=item_id, at=moment, target=target, post=post, row=row.number, text_file=text_file
    )


def _pydantic_text(error: PydanticValidationError) -> str:
    parts = []
    for e in error.errors():
        message = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "too_long":
            message = f"слишком длинно (не больше {e.get('ctx', {}).get('max_length')})"
        elif e["type"] == "too_short":
            message = f"слишком коротко (не меньше {e.get('ctx', {}).get('min_length')})"
        parts.append(message)
    return "; ".join(parts)


def plan_from_rows(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    *,
    base: str | os.PathLike[str] = ".",
    timezone: str = DEFAULT_TIMEZONE,
    source: str = "(таблица)",
    sexagesimal: bool = False,
) -> PlanReport:
    """A plan from rows ``(row number, {column header: value})``: the core of every format.

    ``base`` is the folder that relative file names (text, photos) are read from; ``timezone``
    applies to rows without a «Часовой пояс». Headers are matched with their synonyms
    («Дата публикации», «Кому», «Фотографии» ...); unknown columns become notes.
    """
    default_zone = zone(timezone)
    problems: list[PlanProblem] = []
    notes: list[PlanProblem] = []
    items: list[PlanItem] = []
    seen: dict[str, int] = {}
    unknown: set[str] = set()
    for count, (number, raw) in enumerate(rows):
        if count >= MAX_ITEMS:
            problems.append(
                PlanProblem(number, None, f"в плане больше {MAX_ITEMS} строк: дальше не читается")
            )
            break
        cells: dict[str, object] = {}
        columns: dict[str, str] = {}
        for header, value in raw.items():
            name = header_field(str(header))
            if name is None:
                if _norm(str(header)) not in _KEPT and value not in (None, "") and header:
                    unknown.add(str(header))
                continue
            if name in cells and cells[name] not in (None, ""):
                if value not in (None, ""):
                    problems.append(
                        PlanProblem(number, str(header), f"повторяет столбец «{columns[name]}»")
                    )
                continue
            cells[name], columns[name] = value, str(header)
        if all(v in (None, "") for v in cells.values()):
            continue  # an empty row (or one of notes only)
        try:
            item = _item(_Row(number, cells, columns), Path(base), default_zone, sexagesimal)
        except _Bad as bad:
            problems.append(PlanProblem(number, bad.column, bad.message))
            continue
        if item.id in seen:
            problems.append(
                PlanProblem(
                    number,
                    columns.get("id", "ID"),
                    f"id «{item.id}» уже есть в строке {seen[item.id]}"
                    + ("" if "id" in cells else " (строки совпадают: дубль?)"),
                )
            )
            continue
        seen[item.id] = number
        items.append(item)
    for header in sorted(unknown):
        notes.append(
            PlanProblem(None, header, "столбец не используется (названия — в документации)")
        )
    plan = ContentPlan(items=items, timezone=timezone, source=source)
    return PlanReport(plan, problems, notes)


# -- files -----------------------------------------------------------------------------------


def _fail(source: str, message: str) -> PlanError:
    return PlanError(source, [PlanProblem(None, None, message)])


def _records_table(
    records: Sequence[Sequence[object]], source: str
) -> tuple[list[tuple[int, Mapping[str, object]]], list[PlanProblem]]:
    """Rows under the header row (the first of the first ten rows naming two fields)."""
    texts = [[str(c).strip() if isinstance(c, str) else "" for c in r] for r in records[:10]]
    index = next(
        (i for i, r in enumerate(texts) if sum(header_field(c) is not None for c in r) >= 2),
        None,
    )
    if index is None:
        raise _fail(
            source,
            "не найдена строка заголовков: в одной из первых 10 строк должны быть столбцы "
            "«Дата», «Время», «Кому», «Текст» (или их синонимы)",
        )
    header = [csv_uncell(c) for c in texts[index]]
    fields = [header_field(h) for h in header]
    missing = [_LABELS[f] for f in ("target",) if f not in fields] + (
        [] if {"date", "at"} & set(fields) else ["Дата"]
    )
    if missing:
        raise _fail(source, f"нет столбцов: {', '.join(missing)}")
    if (
        "text" not in fields
        and "file" not in fields
        and "photos" not in fields
        and ("poll" not in fields)
    ):
        raise _fail(source, "нет столбца «Текст» (или «Файл», «Фото», «Опрос»)")
    rows: list[tuple[int, Mapping[str, object]]] = []
    for offset, record in enumerate(records[index + 1 :], start=index + 2):
        cells = {h: (record[i] if i < len(record) else None) for i, h in enumerate(header) if h}
        rows.append((offset, cells))
    return rows, []


def _csv(path: Path) -> list[list[str]]:
    try:
        text = read_text(path, MAX_PLAN_BYTES, "контент-планы")
    except FileProblem as problem:
        raise _fail(str(path), f"{problem}. Сохраните план как CSV или книгу Excel") from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if first.count("\t") > first.count(delimiter):
        delimiter = "\t"
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _fail(str(path), f"не удалось разобрать CSV: {exc}") from None


def _xlsx(path: Path) -> list[tuple[object, ...]]:
    """The first sheet with a header row. Formulas are not evaluated: a cell gives the
    value Excel saved with the file (``data_only``)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    source = str(path)
    try:
        read_bounded(path, MAX_PLAN_BYTES, "контент-планы")
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except FileProblem as problem:
        raise _fail(source, str(problem)) from None
    except zipfile.BadZipFile:
        raise _fail(source, "не удалось открыть как книгу Excel (.xlsx)") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _fail(source, "книга Excel в распакованном виде больше 128 МБ: это не план")
    try:
        book = load_workbook(path, data_only=True, read_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise _fail(source, "не удалось открыть как книгу Excel (.xlsx)") from None
    try:
        first: list[tuple[object, ...]] | None = None
        for name in book.sheetnames:
            sheet = book[name]
            if not hasattr(sheet, "iter_rows"):  # a chart sheet
                continue
            records: list[tuple[object, ...]] = []
            for record in sheet.iter_rows(values_only=True):
                records.append(tuple(record))
                if len(records) > MAX_ITEMS + 20:
                    break
            first = records if first is None else first
            if any(
                sum(isinstance(c, str) and header_field(c) is not None for c in r) >= 2
                for r in records[:10]
            ):
                return records
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _fail(source, f"не удалось прочитать книгу Excel (.xlsx): {exc}") from None
    finally:
        book.close()
    return first or []


_MAX_DEPTH = 20


class _RefusedYAML(yaml.MarkedYAMLError):
    pass


class _Loader(yaml.SafeLoader):
    """The safe loader without anchors and aliases (a plan needs none; nested aliases
    expand to gigabytes) and with bounded nesting."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _RefusedYAML(
                problem="якоря и ссылки YAML (&имя, *имя) в плане не поддерживаются",
                problem_mark=event.start_mark,
            )
        if self._depth >= _MAX_DEPTH:
            raise _RefusedYAML(
                problem=f"вложенность глубже {_MAX_DEPTH} уровней: это не план",
                problem_mark=event.start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _yaml(path: Path) -> tuple[list[tuple[int, Mapping[str, object]]], str | None]:
    """``(rows, the plan's own timezone)``; a row's number is the item's number from 1."""
    source = str(path)
    try:
        text = read_text(path, MAX_PLAN_BYTES, "контент-планы")
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except FileProblem as problem:
        raise _fail(source, str(problem)) from None
    except yaml.YAMLError as exc:
        raise _fail(source, f"ошибка YAML: {exc}") from None
    own_zone: str | None = None
    if isinstance(data, Mapping):
        items_key = next(
            (k for k in data if _norm(str(k)) in ("items", "публикации", "посты", "план")), None
        )
        zone_key = next((k for k in data if header_field(str(k)) == "timezone"), None)
        if zone_key is not None:
            own_zone = str(data[zone_key])
        data = data.get(items_key) if items_key is not None else None
    if not isinstance(data, list):
        raise _fail(source, "ожидается список публикаций (или ключ «items:» со списком публикаций)")
    rows: list[tuple[int, Mapping[str, object]]] = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, Mapping):
            rows.append((number, {"Текст": entry}))  # reported: no date, no target
            continue
        rows.append((number, {str(k): v for k, v in entry.items()}))
    return rows, own_zone


def load_plan_report(path: str | os.PathLike[str], *, timezone: str | None = None) -> PlanReport:
    """Read a content plan from ``.xlsx``, ``.csv`` (UTF-8 with or without BOM, Windows-1251;
    «;», «,» or TAB) or ``.yaml``/``.yml``: the items of the good rows and a problem for
    each bad one. Relative file names in it are read from the plan's folder.

    ``timezone`` is for rows without a «Часовой пояс» column (default: the YAML plan's own
    ``timezone:``, else Europe/Moscow). A file that cannot be read at all raises
    :class:`PlanError`; so does an unknown ``timezone``.
    """
    file = Path(path)
    source = str(file)
    suffix = file.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            rows, own_zone = _yaml(file)
            problems: list[PlanProblem] = []
            sexagesimal = True
        elif suffix in (".csv", ".txt"):
            rows, problems = _records_table(_csv(file), source)
            own_zone, sexagesimal = None, False
        elif suffix in (".xlsx", ".xlsm"):
            rows, problems = _records_table(_xlsx(file), source)
            own_zone, sexagesimal = None, False
        elif suffix == ".xls":
            raise _fail(source, "старый формат Excel (.xls) не читается: сохраните как .xlsx")
        else:
            raise _fail(source, "неизвестный формат: нужен файл .xlsx, .csv, .yaml или .yml")
    except OSError as exc:
        raise _fail(source, os_error_text(exc, source)) from None
    chosen = timezone or own_zone or DEFAULT_TIMEZONE
    try:
        zone(chosen)
    except ValueError as exc:
        raise _fail(source, str(exc)) from None
    report = plan_from_rows(
        rows, base=file.parent, timezone=chosen, source=source, sexagesimal=sexagesimal
    )
    report.problems[:0] = problems
    return report


def load_plan(path: str | os.PathLike[str], *, timezone: str | None = None) -> ContentPlan:
    """:func:`load_plan_report`, but any bad row is an error (:class:`PlanError` lists them
    all, each with its row and column)."""
    report = load_plan_report(path, timezone=timezone)
    if report.problems:
        raise PlanError(str(path), report.problems)
    return report.plan
