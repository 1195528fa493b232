"""Policies: the numbers a region sets on top of the law, as data (TOML), composable."""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Mapping
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .._errors import ValidationError as GospagesValidationError
from .._files import FileProblem, os_error_text, read_text
from .._models import Platform
from .._platforms import official_platforms
from ..registry import Organization
from ._model import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["PRESETS", "Policy", "load_policy"]

PRESETS = ("federal", "tomsk", "yakutia", "bashkortostan", "spb", "novosibirsk")
"""The policies shipped with gospages (``gospages/requirements/policies/*.toml``)."""

ProfileField = Literal["name", "description", "phone", "email", "address", "site"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Frequency(_Section):
    posts_per_week: NonNegativeFloat = 0
    """Minimum posts a week (0: no norm)."""
    by_category: dict[str, NonNegativeFloat] = Field(default_factory=dict)
    """Norms per page category («флагманский» ...), over ``posts_per_week``."""
    by_kind: dict[OrgKindName, NonNegativeFloat] = Field(default_factory=dict)
    """Norms per organisation kind (``state_body`` ...), over ``posts_per_week``."""
    silent_days: NonNegativeInt = 30
    """A page with no post for this many days is silent."""


def _basic_contacts() -> list[ProfileField]:
    return ["name", "phone", "email"]


class Profile(_Section):
    required: list[ProfileField] = Field(default_factory=_basic_contacts)
    avatar: bool = True
    cover: bool = False
    comments_open: bool = False
    """Whether comments must be open (St Petersburg asks it of heads' pages)."""


class Reply(_Section):
    hours: NonNegativeFloat = 24


ModerationAction = Literal["keep", "delete", "ban", "review"]
ModerationLabel = Literal["obscene", "insult", "spam", "personal_data", "prohibited"]
"""The classifier's labels (``gospages.moderation.Label``)."""
OrgKindName = Literal["state_body", "local_government", "subordinate"]
"""``gospages.registry.OrgKind`` values."""


def _label(value: str) -> str:
    labels = get_args(ModerationLabel)
    if value not in labels:
        raise PydanticCustomError(
            "literal_error", "Input should be {expected}", {"expected": ", ".join(labels)}
        )
    return value


_LabelKey = Annotated[str, AfterValidator(_label)]


def _default_actions() -> dict[str, ModerationAction]:
    # The Ishtan settlement procedure (No. 13, 2023) item 8 and the Neryungri district
    # procedure (No. 702, 2020) item 2.5: spam, insults, aggression and obscene language are
    # removed; personal data and possibly prohibited content go to a person.
    return {
        "obscene": "delete",
        "insult": "delete",
        "spam": "ban",
        "personal_data": "review",
        "prohibited": "review",
    }


class Moderation(_Section):
    actions: dict[_LabelKey, ModerationAction] = Field(default_factory=_default_actions)
    """What to do with a comment carrying each label (the strictest label wins). A policy
    states only the labels it changes; the others keep their defaults."""
    ban_ladder_days: list[NonNegativeInt] = Field(default_factory=lambda: [1, 3, 7, 30, 0])
    """Escalating bans for repeat offenders, in days; 0 is for good (POL-MOD)."""
    window_days: NonNegativeInt = 14
    """How old a post may be for its new comments to be read by the inbox."""
    question_template: str | None = None
    """If set, questions get this answer from the page (an acknowledgement: «Спасибо,
    ответим в течение дня»). Never sent on Telegram (41-ФЗ)."""

    @field_validator("actions", mode="before")
    @classmethod
    def _over_defaults(cls, value: Any) -> Any:
        # A partial table changes the labels it names; it does not drop the others.
        return {**_default_actions(), **value} if isinstance(value, Mapping) else value


_HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})")


class Publishing(_Section):
    """When posts may go out (``gospages plan check``); nothing is checked by default."""

    working_hours: str | None = None
    """Publishing hours in the page's time zone, ``"09:00-18:00"`` (``None``: any time)."""
    avoid_holidays: bool = False
    """Flag posts planned on the official non-working holidays of the Russian Federation
    (Labour Code art. 112 with the government's transfers of days off)."""
    extra_holidays: list[date] = Field(default_factory=list)
    """The region's own non-working days (Ысыах in Yakutia, Курбан-байрам in Bashkortostan
    ...), checked with ``avoid_holidays``."""

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            match = _HOURS.fullmatch(value.strip())
            if match is None or not _valid_hours(*(int(g) for g in match.groups())):
                raise PydanticCustomError(
                    "hours_format", "ожидается интервал времени вида «09:00-18:00»"
                )
        return value

    @property
    def hours(self) -> tuple[time, time] | None:
        """``working_hours`` as ``(start, end)``, ``None`` if not set."""
        match = _HOURS.fullmatch((self.working_hours or "").strip())
        if match is None:
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return time(h1, m1), (time(23, 59, 59) if h2 == 24 else time(h2, m2))


def _valid_hours(h1: int, m1: int, h2: int, m2: int) -> bool:
    return (
        h1 < 24
        and m1 < 60
        and m2 < 60
        and (h2 < 24 or (h2, m2) == (24, 0))
        and ((h1, m1) < (h2, m2))
    )


class Platforms(_Section):
    required: list[Platform] = Field(default_factory=official_platforms)
    """Where official pages are required: the platforms of order 2523-р by default."""
    mode: Literal["any", "all"] = "any"


class Policy(_Section):
    """A regional (or federal) policy: norms that the rules read.

    Build one with :func:`load_policy` from a preset name or a TOML file; a policy file
    may ``extends = ["tomsk"]`` and override only what differs.
    """

    name: str
    version: str = ""
    title: str = ""
    extends: list[str] = Field(default_factory=list)
    frequency: Frequency = Field(default_factory=Frequency)
    profile: Profile = Field(default_factory=Profile)
    reply: Reply = Field(default_factory=Reply)
    platforms: Platforms = Field(default_factory=Platforms)
    moderation: Moderation = Field(default_factory=Moderation)
    publishing: Publishing = Field(default_factory=Publishing)
    severity: dict[str, Severity] = Field(default_factory=dict)
    """Severity overrides by rule id (B-status rules are never raised to errors)."""
    disabled: list[str] = Field(default_factory=list)
    """Rule ids not to check."""

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name

    def posts_per_week_for(self, org: Organization | None, category: str | None) -> float:
        """The weekly norm for a page: its category's, else its organisation kind's, else
        the policy's."""
        if category and category in self.frequency.by_category:
            return self.frequency.by_category[category]
        if org is not None and org.kind.value in self.frequency.by_kind:
            return self.frequency.by_kind[org.kind.value]
        return self.frequency.posts_per_week


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


#: The largest policy file gospages reads (the presets are about 1 KB).
MAX_POLICY_BYTES = 1024 * 1024


def _fail(origin: str, message: str) -> GospagesValidationError:
    return GospagesValidationError(f"Политика {origin}: {message}")


def _read_file(path: Path) -> str:
    try:
        return read_text(path, MAX_POLICY_BYTES, "политики")
    except FileProblem as problem:
        raise _fail(str(path), f"{problem}. Сохраните файл в UTF-8.") from None


def _parents(data: Mapping[str, Any], origin: str) -> list[str]:
    """The ``extends`` of one file: a name or path, or a list of them."""
    extends = data.get("extends", [])
    if isinstance(extends, str):
        extends = [extends]
    if not isinstance(extends, list) or not all(isinstance(p, str) for p in extends):
        raise _fail(
            origin,
            "ключ «extends»: ожидается имя предустановки или путь к файлу .toml, "
            'или список их (extends = ["federal"])',
        )
    return list(extends)


def _locate(parent: str, folder: Path | None) -> str:
    """A parent policy: a preset name as is; a relative path from the folder of the file
    that names it (the working directory before 0.x: still found there, with a warning)."""
    path = Path(parent)
    if path.suffix != ".toml" or path.is_absolute() or folder is None:
        return parent
    beside = folder / path
    if not beside.exists() and path.exists():
        warnings.warn(
            f"Политика «{parent}» найдена от рабочего каталога, а не от папки политики "
            f"{folder}: такой путь перестанет работать, укажите его от папки политики",
            DeprecationWarning,
            stacklevel=4,
        )
        return str(path)
    return str(beside)


def _read(source: str, seen: tuple[str, ...]) -> dict[str, Any]:
    path = Path(source)
    key = str(path.resolve()) if path.suffix == ".toml" else source
    if key in seen:
        chain = " → ".join((*seen, key))
        raise GospagesValidationError(f"Политики ссылаются друг на друга по кругу: {chain}")
    folder: Path | None = None
    try:
        if path.suffix == ".toml":
            text = _read_file(path)
            origin, folder = str(path), path.parent
        elif source in PRESETS:
            text = (resources.files(__package__) / "policies" / f"{source}.toml").read_text(
                encoding="utf-8"
            )
            origin = f"предустановка {source}"
        else:
            raise GospagesValidationError(
                f"Неизвестная политика «{source}»: укажите файл .toml или одну из "
                f"предустановок: {', '.join(PRESETS)}"
            )
        data = tomllib.loads(text)
    except OSError as exc:
        raise GospagesValidationError(
            f"Не удалось прочитать политику: {os_error_text(exc, source)}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise GospagesValidationError(f"Политика {origin}: ошибка TOML: {exc}") from None
    parents = _parents(data, origin)
    _validate({"name": "?", **data, "extends": parents}, origin)  # this file's own mistakes
    merged: dict[str, Any] = {}
    for parent in parents:
        merged = _merge(merged, _read(_locate(parent, folder), (*seen, key)))
    return _merge(merged, {**data, "extends": parents})


_PROBLEMS: dict[str, str] = {
    "extra_forbidden": "неизвестный ключ",
    "missing": "обязательный ключ не указан",
    "float_parsing": "ожидается число",
    "float_type": "ожидается число",
    "int_parsing": "ожидается целое число",
    "int_type": "ожидается целое число",
    "int_from_float": "ожидается целое число",
    "string_type": "ожидается строка",
    "list_type": "ожидается список",
    "dict_type": "ожидается таблица",
    "model_type": "ожидается таблица",
    "model_attributes_type": "ожидается таблица",
    "bool_type": "ожидается true или false",
    "bool_parsing": "ожидается true или false",
    "hours_format": "ожидается интервал времени вида «09:00-18:00»",
    "date_type": "ожидается дата (2026-12-31)",
    "date_from_datetime_parsing": "ожидается дата (2026-12-31)",
    "date_parsing": "ожидается дата (2026-12-31)",
}


def _allowed(loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed where an unknown key ``loc`` was found."""
    model: Any = Policy
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        model = getattr(field, "annotation", None)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
    return list(model.model_fields)


def _russian(error: Mapping[str, Any]) -> str:
    """One pydantic error in Russian, naming the key."""
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    is_key = bool(loc) and loc[-1] == "[key]"
    where = ".".join(str(p) for p in (loc[:-2] if is_key else loc))
    if kind == "extra_forbidden":
        allowed = _allowed(loc)
        text = "неизвестный ключ" + (f"; допустимо: {', '.join(allowed)}" if allowed else "")
    elif kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        value = error.get("input")
        text = f"«{value}» — недопустимое значение; допустимо: {expected}"
        if is_key:
            text = f"неизвестный ключ «{value}»; допустимо: {expected}"
    elif kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        text = f"{error.get('input')}: число должно быть не меньше {bound:g}"
    else:
        text = _PROBLEMS.get(kind, f"недопустимое значение ({error['msg']})")
    return f"ключ «{where}»: {text}" if where else text


def _validate(data: Mapping[str, Any], origin: str) -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_russian(e) for e in exc.errors())
        raise _fail(origin, problems) from None


def load_policy(source: str | Path = "federal", **overrides: Any) -> Policy:
    """A policy from a preset name (:data:`PRESETS`) or a TOML file, with its parents.

    A relative ``extends`` path is found from the folder of the file that names it. A
    table states only what it changes (``[moderation.actions]`` with one label keeps the
    other labels' defaults). ``overrides`` replace top-level sections or values
    (``frequency={"posts_per_week": 3}``). Unknown keys, negative numbers and values of
    the wrong type are errors; errors name the file and the key, in Russian. Files over
    1 MB are refused; UTF-8 and Windows-1251 are read.
    """
    data = _merge(_read(str(source), ()), overrides)
    return _validate(data, str(source))
