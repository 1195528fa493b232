"""Policies: the numbers a region sets on top of the law, as data (TOML), composable."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._errors import ValidationError as GospagesValidationError
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
    posts_per_week: float = 0
    """Minimum posts a week (0: no norm)."""
    by_category: dict[str, float] = Field(default_factory=dict)
    """Norms per page category («флагманский» ...), over ``posts_per_week``."""
    by_kind: dict[str, float] = Field(default_factory=dict)
    """Norms per organisation kind (``state_body`` ...), over ``posts_per_week``."""
    silent_days: int = 30
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
    hours: float = 24


ModerationAction = Literal["keep", "delete", "ban", "review"]


def _default_actions() -> dict[str, ModerationAction]:
    # Seeds 003 item 8 and 004 item 2.5: spam, insults, aggression and obscene language are
    # removed; personal data and possibly prohibited content go to a person.
    return {
        "obscene": "delete",
        "insult": "delete",
        "spam": "ban",
        "personal_data": "review",
        "prohibited": "review",
    }


class Moderation(_Section):
    actions: dict[str, ModerationAction] = Field(default_factory=_default_actions)
    """What to do with a comment carrying each label (the strictest label wins)."""
    ban_ladder_days: list[int] = Field(default_factory=lambda: [1, 3, 7, 30, 0])
    """Escalating bans for repeat offenders, in days; 0 is for good (POL-MOD)."""
    window_days: int = 14
    """How old a post may be for its new comments to be read by the inbox."""
    question_template: str | None = None
    """If set, questions get this answer from the page (an acknowledgement: «Спасибо,
    ответим в течение дня»). Never sent on Telegram (41-ФЗ)."""


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


def _read(source: str, seen: tuple[str, ...]) -> dict[str, Any]:
    if source in seen:
        chain = " → ".join((*seen, source))
        raise GospagesValidationError(f"Политики ссылаются друг на друга по кругу: {chain}")
    path = Path(source)
    try:
        if path.suffix == ".toml":
            text = path.read_text(encoding="utf-8")
            origin = str(path)
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
            f"Не удалось прочитать политику {source}: {exc.strerror}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise GospagesValidationError(f"Политика {origin}: ошибка TOML: {exc}") from None
    merged: dict[str, Any] = {}
    for parent in data.get("extends", []):
        merged = _merge(merged, _read(str(parent), (*seen, source)))
    return _merge(merged, data)


def load_policy(source: str | Path = "federal", **overrides: Any) -> Policy:
    """A policy from a preset name (:data:`PRESETS`) or a TOML file, with its parents.

    ``overrides`` replace top-level sections or values (``frequency={"posts_per_week": 3}``).
    Errors name the file and the field, in Russian.
    """
    data = _merge(_read(str(source), ()), overrides)
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise GospagesValidationError(f"Политика {source}: {problems}") from None
