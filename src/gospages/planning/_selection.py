"""Selections: which pages of the registry a post goes to, the way people name them.

«все поселения Энского района во ВКонтакте и Одноклассниках» is, in the text form,
``уровень=поселение родитель=ensk площадка=вк,ок`` (or ``level=settlement parent=ensk
platform=vk,ok``); in Python ``Selection(level="поселение", parent="ensk",
platform=["vk", "ok"])``. Filters of different keys must all hold; values of one key are
alternatives.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from .._platforms import Platform, describe
from ..registry import Organization, OrgKind, OrgLevel, PageRef, Registry

__all__ = ["Selection", "SelectionError"]


class SelectionError(ValueError):
    """A selection that cannot be read, or that selects no page (the message is Russian)."""


_E = TypeVar("_E", bound=Enum)
_T = TypeVar("_T")

# key in the text form -> canonical key; Russian names as people write them.
_KEYS: dict[str, str] = {
    "org": "org",
    "id": "org",
    "орг": "org",
    "организация": "org",
    "kind": "kind",
    "вид": "kind",
    "тип": "kind",
    "level": "level",
    "уровень": "level",
    "parent": "parent",
    "родитель": "parent",
    "в": "parent",
    "platform": "platform",
    "площадка": "platform",
    "платформа": "platform",
    "category": "category",
    "категория": "category",
}
_KEY_HELP = (
    "org (организация), kind (вид), level (уровень), parent (родитель), "
    "platform (площадка), category (категория)"
)
_EVERYTHING = frozenset({"все", "всё", "all", "*"})


def _norm(value: str) -> str:
    return value.strip().casefold().replace("ё", "е")


def _names(member: Enum) -> set[str]:
    names = {_norm(member.value), _norm(member.name)}
    label = getattr(member, "label", None)
    if isinstance(label, str):
        names.add(_norm(label))
    if isinstance(member, Platform):
        descriptor = describe(member)
        names |= {_norm(a) for a in descriptor.aliases} | {_norm(descriptor.short)}
    return names


def _lookup(enum: type[_E], value: object) -> _E | None:
    if isinstance(value, enum):
        return value
    wanted = _norm(str(value))
    return next((m for m in enum if wanted in _names(m)), None)


def _allowed(*enums: type[Enum]) -> str:
    return ", ".join(f"{getattr(m, 'label', m.value)} ({m.value})" for enum in enums for m in enum)


def _values(value: str | Enum | Iterable[str | Enum] | None) -> list[str | Enum]:
    if value is None:
        return []
    if isinstance(value, (str, Enum)):
        return [value]
    return list(value)


@dataclass(frozen=True, init=False)
class Selection:
    """Pages of a registry picked by organisation and page.

    Every filter is optional; given ones must all hold, and the values of one filter are
    alternatives. Values are codes or the Russian words of the registry, any case:

    * ``org``: these organisations themselves (ids), with all their pages;
    * ``kind``: the kind of body (``ОМСУ``, ``орган власти``, ``подведомственная``) or,
      as people say «вид: поселение», a level (see ``level``);
    * ``level``: ``регион``, ``район``, ``поселение``, ``учреждение``;
    * ``parent``: organisations under these (ids), at any depth: a district's
      settlements and its institutions, and theirs;
    * ``platform``: ``vk``/``вк``/``ВКонтакте``, ``ok``/``ок``, ``telegram``/``тг``;
    * ``category``: the page's category in the registry («флагманский»...).

    ``Selection()`` with no filter selects every page.
    """

    orgs: tuple[str, ...]
    kinds: tuple[OrgKind, ...]
    levels: tuple[OrgLevel, ...]
    parents: tuple[str, ...]
    platforms: tuple[Platform, ...]
    categories: tuple[str, ...]

    def __init__(
        self,
        *,
        org: str | Iterable[str] | None = None,
        kind: str | OrgKind | OrgLevel | Iterable[str | OrgKind | OrgLevel] | None = None,
        level: str | OrgLevel | Iterable[str | OrgLevel] | None = None,
        parent: str | Iterable[str] | None = None,
        platform: str | Platform | Iterable[str | Platform] | None = None,
        category: str | Iterable[str] | None = None,
    ) -> None:
        kinds: list[OrgKind] = []
        levels: list[OrgLevel] = []
        for value in _values(kind):
            found_kind = _lookup(OrgKind, value) if not isinstance(value, OrgLevel) else None
            found_level = None if found_kind is not None else _lookup(OrgLevel, value)
            if found_kind is None and found_level is None:
                raise SelectionError(
                    f"Выборка: неизвестный вид организации «{value}» (kind). Можно: "
                    f"{_allowed(OrgKind, OrgLevel)}"
                )
            if found_kind is not None:
                kinds.append(found_kind)
            if found_level is not None:
                levels.append(found_level)
        for value in _values(level):
            found = _lookup(OrgLevel, value)
            if found is None:
                raise SelectionError(
                    f"Выборка: неизвестный уровень «{value}» (level). Можно: {_allowed(OrgLevel)}"
                )
            levels.append(found)
        platforms: list[Platform] = []
        for value in _values(platform):
            found_platform = _lookup(Platform, value)
            if found_platform is None:
                raise SelectionError(
                    f"Выборка: неизвестная площадка «{value}» (platform). Можно: "
                    f"{_allowed(Platform)}"
                )
            platforms.append(found_platform)
        setter = object.__setattr__
        setter(self, "orgs", _unique(str(v).strip() for v in _values(org)))
        setter(self, "kinds", _unique(kinds))
        setter(self, "levels", _unique(levels))
        setter(self, "parents", _unique(str(v).strip() for v in _values(parent)))
        setter(self, "platforms", _unique(platforms))
        setter(self, "categories", _unique(str(v).strip() for v in _values(category)))
        for name, values in (("org", self.orgs), ("parent", self.parents)):
            if any(not v for v in values):
                raise SelectionError(f"Выборка: пустое значение {name}")

    # -- the text form -----------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Selection:
        """A selection from its text form: ``key=value[,value...]`` separated by spaces.

        ``kind=поселение parent=ensk platform=vk,ok``; Russian keys work too
        (``вид``, ``уровень``, ``родитель``, ``площадка``, ``категория``,
        ``организация``); a value with spaces goes in quotes. ``все`` selects every page. A
        word without ``=`` is an organisation id (``ensk zarechny platform=vk`` is
        ``org=ensk,zarechny platform=vk``), as people write a plan's «Кому» column.
        Raises :class:`SelectionError` naming the bad key or value and the allowed ones.
        """
        try:
            words = shlex.split(text)
        except ValueError as error:
            raise SelectionError(f"Выборка «{text}»: не закрыты кавычки ({error})") from None
        if not words:
            raise SelectionError(
                "Выборка пуста: укажите, например, «level=поселение parent=ensk "
                "platform=vk,ok» или «все»"
            )
        if len(words) == 1 and _norm(words[0]) in _EVERYTHING:
            return cls()
        given: dict[str, list[str]] = {}
        for word in words:
            key, equals, value = word.partition("=")
            if not equals:
                if _norm(word) in _KEYS:
                    raise SelectionError(
                        f"Выборка: «{word}» — ключ без значения; пишите ключ=значение, "
                        f"например {word}=…"
                    )
                given.setdefault("org", []).extend(v for v in word.split(",") if v)
                continue
            canonical = _KEYS.get(_norm(key))
            if canonical is None:
                raise SelectionError(f"Выборка: неизвестный ключ «{key}». Можно: {_KEY_HELP}")
            parts = [v.strip() for v in value.split(",") if v.strip()]
            if not parts:
                raise SelectionError(f"Выборка: у ключа «{key}» нет значения")
            given.setdefault(canonical, []).extend(parts)
        return cls(**given)

    def __str__(self) -> str:
        """The text form (:meth:`parse` reads it back to an equal selection)."""
        parts: list[tuple[str, list[str]]] = [
            ("org", list(self.orgs)),
            ("kind", [k.value for k in self.kinds]),
            ("level", [lv.value for lv in self.levels]),
            ("parent", list(self.parents)),
            ("platform", [p.value for p in self.platforms]),
            ("category", list(self.categories)),
        ]
        text = " ".join(f"{key}={shlex.quote(','.join(v))}" for key, v in parts if v)
        return text or "все"

    def describe(self) -> str:
        """The selection in Russian words, for messages and confirmations."""
        out: list[str] = []
        if self.orgs:
            out.append("организации " + ", ".join(self.orgs))
        if self.kinds:
            out.append("вид: " + ", ".join(k.label for k in self.kinds))
        if self.levels:
            out.append("уровень: " + ", ".join(lv.label for lv in self.levels))
        if self.parents:
            out.append("подчинённые " + ", ".join(self.parents))
        if self.platforms:
            out.append("площадки: " + ", ".join(p.label for p in self.platforms))
        if self.categories:
            out.append("категория: " + ", ".join(self.categories))
        return "; ".join(out) or "все страницы реестра"

    # -- applying it -------------------------------------------------------------------

    def organizations(self, registry: Registry) -> list[Organization]:
        """The organisations the selection names, in registry order (pages not looked at).

        Raises :class:`SelectionError` when an ``org`` or ``parent`` id is not in the
        registry."""
        known = {o.id for o in registry.organizations}
        for name, ids in (("org", self.orgs), ("parent", self.parents)):
            missing = [i for i in ids if i not in known]
            if missing:
                sample = ", ".join(sorted(known)[:12])
                raise SelectionError(
                    f"Выборка: {name}={missing[0]} — такой организации в реестре нет. "
                    f"Есть, например: {sample}"
                )
        parents = {o.id: o.parent for o in registry.organizations}

        def under(org_id: str) -> bool:
            seen: set[str] = set()
            current = parents.get(org_id)
            while current is not None and current not in seen:
                if current in self.parents:
                    return True
                seen.add(current)
                current = parents.get(current)
            return False

        return [
            org
            for org in registry.organizations
            if (not self.orgs or org.id in self.orgs)
            and (not self.kinds or org.kind in self.kinds)
            and (not self.levels or org.level in self.levels)
            and (not self.parents or under(org.id))
        ]

    def _page_matches(self, page: PageRef) -> bool:
        wanted = {_norm(c) for c in self.categories}
        return (not self.platforms or page.platform in self.platforms) and (
            not wanted or (page.category is not None and _norm(page.category) in wanted)
        )

    def pages(self, registry: Registry) -> list[tuple[Organization, PageRef]]:
        """Every ``(organisation, page)`` of the selection, in registry order.

        An empty result is an error (:class:`SelectionError` saying why), never a silent
        publication to nobody."""
        orgs = self.organizations(registry)
        found = [(org, page) for org in orgs for page in org.pages if self._page_matches(page)]
        if found:
            return found
        if not orgs:
            why = "ни одной организации"
        elif not any(o.pages for o in orgs):
            why = f"организаций {len(orgs)}, но страниц у них нет"
        else:
            why = (
                f"организаций {len(orgs)}, но ни одна их страница не подходит по площадке "
                "или категории"
            )
        raise SelectionError(f"Выборка «{self}» ({self.describe()}): {why}")

    def without_pages(self, registry: Registry) -> list[Organization]:
        """Organisations of the selection that have no page it would pick (whom a post
        cannot reach: worth saying in a report)."""
        return [
            org
            for org in self.organizations(registry)
            if not any(self._page_matches(page) for page in org.pages)
        ]


def _unique(values: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(values))
