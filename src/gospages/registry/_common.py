"""What the table and YAML readers of the registry share: vocabularies, problems, the
page of a row, and the drafts checked across organisations."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from .._errors import GospagesError
from .._models import Platform
from .._platforms import describe, platform_for_host
from ._model import Organization, OrgKind, OrgLevel, PageRef, Registry, _parent_cycles

__all__ = ["RegistryError", "RegistryProblem", "RegistryWarning"]

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
    "verified": "Отметка «Госорганизация»",
}
_ORG_FIELDS = ("id", "name", "kind", "level", "parent")
_PAGE_FIELDS = ("platform", "page", "url", "category", "verified")
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
    "госорганизация": "verified",
    "отметка госорганизация": "verified",
    "verification": "verified",
}

# -- table headers as people write them ------------------------------------------------------

#: Word forms -> the form the header tables below use.
_LEMMAS = {
    **dict.fromkeys(("страницу", "страницы", "странице", "страниц"), "страница"),
    **dict.fromkeys(("аккаунта", "аккаунту", "аккаунты", "аккаунтов"), "аккаунт"),
    **dict.fromkeys(("сообщества", "сообществу", "сообществ"), "сообщество"),
    **dict.fromkeys(("группу", "группы", "группе", "групп"), "группа"),
    **dict.fromkeys(("канала", "каналу", "каналы", "каналов"), "канал"),
    **dict.fromkeys(("ссылки", "ссылку", "ссылок"), "ссылка"),
    **dict.fromkeys(("соцсети", "соцсетей", "соцсетях"), "соцсеть"),
    **dict.fromkeys(("сети", "сетей", "сетях"), "сеть"),
    **dict.fromkeys(("социальной", "социальные", "социальных"), "социальная"),
    **dict.fromkeys(("организации", "организаций"), "организация"),
    **dict.fromkeys(("органа", "органов"), "орган"),
    **dict.fromkeys(("учреждения", "учреждений"), "учреждение"),
    **dict.fromkeys(("родителя", "родительской"), "родитель"),
    **dict.fromkeys(("площадки",), "площадка"),
    **dict.fromkeys(("адреса",), "адрес"),
    **dict.fromkeys(("urls", "links"), "url"),
}
#: Words that change nothing in a header («Ссылка на официальную страницу»).
_FILLERS = {"на", "в", "во", "для", "по", "и", "с", "со", "of", "the", "a", "an", "to", "in"}
_FILLER_STEMS = ("официальн", "official")
_PLATFORM_WORDS = {
    word for p in Platform for alias in (p.value, *describe(p).aliases) for word in alias.split()
} | {"одноклассниках", "вконтакте", "телеграме", "телеграмме", "telegram"}

_HEADERS: dict[str, str] = {
    **dict.fromkeys(
        (
            "id",
            "ид",
            "идентификатор",
            "код организация",
            "id организация",
            "идентификатор организация",
            "org id",
            "organization id",
            "organisation id",
        ),
        "id",
    ),
    **dict.fromkeys(
        (
            "название",
            "наименование",
            "name",
            "организация",
            "орган",
            "учреждение",
            "название организация",
            "наименование организация",
            "полное наименование",
            "полное название",
            "полное наименование организация",
            "полное название организация",
            "наименование орган",
            "наименование учреждение",
            "наименование орган власти",
            "наименование омсу",
            "organization",
            "organisation",
            "organization name",
        ),
        "name",
    ),
    **dict.fromkeys(
        (
            "вид",
            "kind",
            "тип",
            "type",
            "вид организация",
            "тип организация",
            "вид орган",
            "тип орган",
            "вид учреждение",
            "тип учреждение",
        ),
        "kind",
    ),
    **dict.fromkeys(
        (
            "уровень",
            "level",
            "уровень организация",
            "уровень власти",
            "уровень управления",
            "уровень орган",
        ),
        "level",
    ),
    **dict.fromkeys(
        (
            "родитель",
            "parent",
            "parent id",
            "id родитель",
            "код родитель",
            "вышестоящая организация",
            "вышестоящий орган",
            "вышестоящая",
            "вышестоящий",
            "родительская организация",
            "id вышестоящей организация",
        ),
        "parent",
    ),
    **dict.fromkeys(
        (
            "площадка",
            "platform",
            "соцсеть",
            "социальная сеть",
            "соц сеть",
            "сеть",
            "платформа",
            "network",
            "social network",
            "мессенджер",
            "соцсеть мессенджер",
            "социальная сеть мессенджер",
            "название соцсеть",
            "наименование соцсеть",
            "вид соцсеть",
            "тип соцсеть",
            "площадка размещения",
            "название площадка",
        ),
        "platform",
    ),
    **dict.fromkeys(
        ("категория", "category", "категория страница", "категория аккаунт"), "category"
    ),
    **dict.fromkeys(("короткое имя", "screen name", "имя страница", "имя канал"), "page"),
    **dict.fromkeys(
        (
            "отметка госорганизация",
            "госорганизация",
            "отметка",
            "отметка о проверке",
            "верификация",
            "верифицирована",
            "верифицирован",
            "verified",
            "verification",
        ),
        "verified",
    ),
}
_PAGE_NOUNS = {"страница", "аккаунт", "сообщество", "группа", "канал", "page", "account"}
_LINK_WORDS = {"ссылка", "url", "link", "href", "гиперссылка"}
_PAGE_WORDS = _PAGE_NOUNS | {
    "id",
    "идентификатор",
    "имя",
    "короткое",
    "screen",
    "name",
    "соцсеть",
    "социальная",
    "сеть",
    "соц",
}
_URL_WORDS = (
    _PAGE_NOUNS
    | _LINK_WORDS
    | {"адрес", "веб", "интернет", "web", "соцсеть", "социальная", "сеть", "соц"}
)


def _header_words(header: str) -> list[str]:
    words = re.sub(r"[\W_]+", " ", _norm(header)).split()
    words = [_LEMMAS.get(word, word) for word in words]
    return [w for w in words if w not in _FILLERS and not w.startswith(_FILLER_STEMS)]


def _header_field(header: str) -> str | None:
    """The field a table column is for, from its header as people write it: «Ссылка на
    страницу», «Адрес аккаунта», «Соц. сеть», «Наименование организации» (case, «ё»,
    punctuation, word forms and words such as «официальный» do not matter)."""
    words = _header_words(header)
    if not words:
        return None
    found = _ALIASES.get(_norm(header)) or _HEADERS.get(" ".join(words))
    if found is not None:
        return found
    bare = [word for word in words if word not in _PLATFORM_WORDS]  # «Страница ВКонтакте»
    if not bare:
        return None
    found = _HEADERS.get(" ".join(bare))
    if found is not None:
        return found
    tokens = set(bare)
    if tokens <= _URL_WORDS and (
        tokens & _LINK_WORDS or ("адрес" in tokens and tokens & _PAGE_NOUNS)
    ):
        return "url"
    if tokens <= _PAGE_WORDS and tokens & _PAGE_NOUNS:
        return "page"
    return None


# -- cells -----------------------------------------------------------------------------------

#: Cell texts that mean «nothing here».
_BLANKS = {
    "-",
    "--",
    "—",
    "–",
    "нет",
    "отсутствует",
    "отсутствуют",
    "н/д",
    "нет данных",
    "не создана",
    "не создан",
    "не создано",
    "не заведена",
    "не имеется",
    "x",
    "х",
}
#: Fields where Excel's numbers matter (ids and group ids).
_NUMBER_FIELDS = ("id", "parent", "page", "url")
_SCIENTIFIC = re.compile(r"[+-]?(\d+)(?:[.,](\d*))?[eе]\+?(\d+)", re.IGNORECASE)
_AS_TEXT = (
    "Отформатируйте этот столбец как текст (Формат ячеек → Текстовый), введите значения "
    "заново (id группы или адрес вида https://ok.ru/group/53038939046008) и сохраните файл"
)


def _is_blank(text: str) -> bool:
    return not text or _norm(text) in _BLANKS


#: The «Госорганизация» mark as people write it in a cell.
_YES = {"да", "есть", "yes", "true", "1", "+", "подтверждена", "подтвержден", "✓", "✔"}
_NO = {"нет", "no", "false", "0", "не подтверждена", "не подтвержден", "отсутствует"}


def _parse_verified(text: str) -> bool | None:
    """``да``/``нет`` (and their spellings) as the mark; blank as ``None``."""
    word = _norm(text)
    if not word:
        return None
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise _Bad(f"«{text}» — ожидается «да», «нет» или пусто (не известно)")


def _number_text(value: int | float, name: str) -> str:
    """An Excel number as text: ``53038939046008.0`` -> ``53038939046008``; an id Excel
    has rounded is an error that says so."""
    if isinstance(value, float) and not value.is_integer():
        return repr(value) if value == value and abs(value) != float("inf") else str(value)
    digits = str(int(value))
    length = len(digits.lstrip("-"))
    if isinstance(value, float) and length > 15:
        raise _Bad(
            f"число {digits} хранится в Excel как число, а Excel хранит только 15 значащих "
            f"цифр: цифры после 15-й потеряны (стали нулями). {_AS_TEXT}"
        )
    significant = len(digits.lstrip("-").rstrip("0"))
    if name == "page" and length >= 12 and significant <= 6:
        shown = f"{digits[0]},{digits[1:significant] or '0'}E+{length - 1}"
        raise _Bad(
            f"«{digits}» похоже на id группы, округлённый Excel: из {length} цифр значащих "
            f"только {significant}. Так бывает, когда Excel показывает длинное число как "
            f"«{shown}» и сохраняет его в таком виде (например, при сохранении в CSV и "
            f"открытии снова). Настоящий id потерян. {_AS_TEXT}"
        )
    return digits


def _scientific_text(text: str) -> str:
    """``5,3038939046008E+13`` -> ``53038939046008``; a number that lost digits is an error."""
    match = _SCIENTIFIC.fullmatch(text)
    if match is None:
        return text
    try:
        value = Decimal(text.replace(",", ".").replace("е", "e").replace("Е", "E"))
    except InvalidOperation:
        return text
    if value != value.to_integral_value():
        return text
    digits = str(int(value))
    spelled = len(match[1].lstrip("0") + (match[2] or ""))
    if spelled >= len(digits.lstrip("-")):  # every digit written out: nothing lost
        return digits
    raise _Bad(
        f"«{text}» — так Excel показывает длинное число (экспоненциальная запись), и так же "
        f"он записал его в файл: записано цифр — {spelled} из {len(digits.lstrip('-'))}, "
        f"id потерян. Откройте исходную "
        f"книгу Excel: {_AS_TEXT[0].lower()}{_AS_TEXT[1:]}; или сохраните реестр как .xlsx"
    )


def _cell_text(raw: object, name: str) -> str:
    """One table cell as the text of field ``name``: blanks («—», «нет») are ``""``, Excel
    numbers are read from their stored value."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "да" if raw else "нет"
    if isinstance(raw, (int, float)):
        return _number_text(raw, name)
    text = str(raw).strip()
    if name == "verified" and _norm(text) in _NO:
        return text  # «нет» is an answer here, not a blank cell
    if _is_blank(text):
        return ""
    if name in _NUMBER_FIELDS:
        return _scientific_text(text)
    return text


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

    def __init__(
        self,
        source: str,
        problems: Sequence[RegistryProblem],
        warnings: Sequence[RegistryProblem] = (),
    ) -> None:
        self.source = source
        self.problems = sorted(problems, key=lambda p: p.row or 0)
        #: What was not used (columns gospages does not know): often the cause of an error.
        self.warnings = list(warnings)
        lines = [f"Реестр {source}: {_count(len(self.problems))}"]
        lines += [f"  {problem}" for problem in self.problems]
        if self.warnings:
            lines.append(f"Предупреждения ({len(self.warnings)}):")
            lines += [f"  {warning}" for warning in self.warnings]
        super().__init__("\n".join(lines))


class RegistryWarning(UserWarning):
    """A registry file was read, but not all of it was used (a column gospages does not
    know): :func:`load_registry` warns with it, :func:`load_registry_report` returns it.

    Attributes:
        source: the file.
        problem: where (row and column) and what, in Russian.
    """

    def __init__(self, source: str, problem: RegistryProblem) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"Реестр {source}: {problem}")


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
    platform_raw, page_raw, url_raw, category, verified_raw = (
        cells.get(name) for name in _PAGE_FIELDS
    )
    if not (platform_raw or page_raw or url_raw):
        if category:
            problems.append(at("category").problem("категория указана, а страницы нет"))
        if verified_raw:
            problems.append(at("verified").problem("отметка указана, а страницы нет"))
        return None
    before = len(problems)
    verified: bool | None = None
    try:
        verified = _parse_verified(verified_raw or "")
    except _Bad as bad:
        problems.append(at("verified").problem(str(bad)))
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
    return PageRef(platform=platform, page=page, url=url, category=category, verified=verified)


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
    source: str,
    drafts: Sequence[_OrgDraft],
    problems: list[RegistryProblem],
    warnings: Sequence[RegistryProblem] = (),
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
        raise RegistryError(source, problems, warnings)
    return Registry(organizations=organizations)
