"""Which body owns which official pages: the registry of pages (реестр аккаунтов)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .._models import Platform

__all__ = ["OrgKind", "OrgLevel", "Organization", "PageRef", "Registry"]


class OrgKind(str, Enum):
    """What kind of body an organisation is (8-ФЗ names three)."""

    STATE_BODY = "state_body"
    """Орган государственной власти."""
    LOCAL_GOVERNMENT = "local_government"
    """Орган местного самоуправления (ОМСУ)."""
    SUBORDINATE = "subordinate"
    """Подведомственная организация: школа, библиотека, МКУ..."""

    @property
    def label(self) -> str:
        """The kind as users write it in a registry."""
        return {
            "state_body": "орган власти",
            "local_government": "ОМСУ",
            "subordinate": "подведомственная",
        }[self.value]


class OrgLevel(str, Enum):
    """Where an organisation sits in the hierarchy."""

    REGION = "region"
    DISTRICT = "district"
    """Муниципальный район или округ, городской округ."""
    SETTLEMENT = "settlement"
    """Городское или сельское поселение."""
    INSTITUTION = "institution"
    """A subordinate institution of any level."""

    @property
    def label(self) -> str:
        """The level as users write it in a registry."""
        return {
            "region": "регион",
            "district": "район",
            "settlement": "поселение",
            "institution": "учреждение",
        }[self.value]


def _parent_cycles(parents: Mapping[str, str | None]) -> list[list[str]]:
    """Cycles in ``id -> parent``, each as ``[a, b, ..., a]``, each once, in input order."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in parents:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current in parents and current not in done:
            if current in chain:
                cycles.append([*chain[chain.index(current) :], current])
                break
            chain.append(current)
            current = parents[current]
        done.update(chain)
    return cycles


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageRef(_Strict):
    """One official page of an organisation."""

    platform: Platform
    page: Annotated[str, Field(min_length=1)]
    """How the backend finds it: VK id or screen name, OK group id, Telegram @username."""
    url: str | None = None
    category: str | None = None
    """A regional category, e.g. «флагманский», «активный», «визитка» (St Petersburg)."""
    verified: bool | None = None
    """Whether the page carries the «Госорганизация» mark, as the user recorded it
    (``None``: not recorded). Where the platform's API cannot report the mark (MAX) the
    page's ``verification()`` answers from it."""


class Organization(_Strict):
    """A body that must (or may) run official pages."""

    id: Annotated[str, Field(min_length=1)]
    name: Annotated[str, Field(min_length=1)]
    kind: OrgKind
    level: OrgLevel
    parent: str | None = None
    pages: list[PageRef] = Field(default_factory=list)

    def page_on(self, platform: Platform) -> PageRef | None:
        """The organisation's page on ``platform``, if it has one."""
        return next((p for p in self.pages if p.platform is platform), None)


class Registry(_Strict):
    """Organisations in a hierarchy with their pages.

    Ids are unique and every ``parent`` names an organisation of the registry.
    """

    organizations: list[Organization] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Registry:
        ids: set[str] = set()
        for org in self.organizations:
            if org.id in ids:
                raise ValueError(f"Реестр: организация с id «{org.id}» встречается дважды")
            ids.add(org.id)
        for org in self.organizations:
            if org.parent is not None and org.parent not in ids:
                raise ValueError(
                    f"Реестр: у «{org.name}» ({org.id}) указан родитель «{org.parent}», "
                    "которого нет в реестре"
                )
        cycles = _parent_cycles({o.id: o.parent for o in self.organizations})
        if cycles:
            raise ValueError(f"Реестр: родители образуют цикл: {' → '.join(cycles[0])}")
        return self

    _positions: dict[str, int] = PrivateAttr(default_factory=dict)

    def __len__(self) -> int:
        return len(self.organizations)

    def __eq__(self, other: object) -> bool:
        # The organisations, not the lookup index (`get` builds it on first use).
        if isinstance(other, Registry):
            return self.organizations == other.organizations
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        # A region's registry holds thousands of organisations: not all of them here.
        pages = sum(len(o.pages) for o in self.organizations)
        return f"Registry({len(self.organizations)} организаций, {pages} страниц)"

    def get(self, org_id: str) -> Organization:
        """The organisation ``org_id`` (by an index: a fleet asks thousands of times)."""
        orgs = self.organizations
        at = self._positions.get(org_id)
        if at is None or at >= len(orgs) or orgs[at].id != org_id:
            # The list changed since the index was built (or never was): build it again.
            self._positions = {org.id: i for i, org in enumerate(orgs)}
            at = self._positions.get(org_id)
            if at is None:
                raise KeyError(org_id)
        return orgs[at]

    def children(self, org_id: str | None) -> list[Organization]:
        """Direct subordinates of ``org_id`` (the top level for ``None``)."""
        return [o for o in self.organizations if o.parent == org_id]

    def walk(self) -> Iterator[tuple[int, Organization]]:
        """``(depth, organisation)`` top-down, children after their parent."""

        def visit(parent: str | None, depth: int) -> Iterator[tuple[int, Organization]]:
            for org in self.children(parent):
                yield depth, org
                yield from visit(org.id, depth + 1)

        yield from visit(None, 0)

    def pages(self, platform: Platform | None = None) -> list[tuple[Organization, PageRef]]:
        """Every ``(organisation, page)``, optionally on one platform."""
        return [
            (org, page)
            for org in self.organizations
            for page in org.pages
            if platform is None or page.platform is platform
        ]

    def without_pages(self, *platforms: Platform) -> list[Organization]:
        """Organisations with no page at all, or none on any of ``platforms``."""
        wanted = set(platforms) or set(Platform)
        return [o for o in self.organizations if not any(p.platform in wanted for p in o.pages)]
