"""Checking a content plan before its week starts (``gospages plan check``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .._models import Platform
from .._russian import number
from ..registry import Organization, PageRef, Registry
from ..requirements import RULES, Policy, Severity, check_post, load_policy
from ._holidays import holiday_calendar
from ._plan import ContentPlan, PlanItem
from ._selection import Selection

__all__ = [
    "ItemProblem",
    "PlanCheck",
    "Resolver",
    "Shortfall",
    "check_plan",
    "next_week",
    "selection_resolver",
    "shortfall_text",
]

Resolver = Callable[[str], list[tuple[Organization, PageRef]]]
"""Turns an item's target text into the pages it names (a selection of the registry)."""


@dataclass(frozen=True)
class Shortfall:
    """A page that the plan leaves under its policy's posts per week (POL-FREQ)."""

    org: Organization
    page: PageRef
    planned: int
    norm: float
    severity: Severity


@dataclass(frozen=True)
class ItemProblem:
    """What is wrong with one planned post."""

    item: PlanItem
    rule_id: str
    severity: Severity
    message: str


@dataclass
class PlanCheck:
    """The result of :func:`check_plan` for one week."""

    week: date
    """The first day of the seven checked."""
    items: list[PlanItem]
    """The plan's items of that week."""
    shortfalls: list[Shortfall] = field(default_factory=list)
    problems: list[ItemProblem] = field(default_factory=list)
    targets: dict[str, list[tuple[Organization, PageRef]]] = field(default_factory=dict)
    """The pages each item of the week goes to, by item id (empty without a registry)."""
    notes: list[str] = field(default_factory=list)
    """What the check could not know (a holiday calendar without transfers ...)."""

    @property
    def ok(self) -> bool:
        return not self.shortfalls and not self.problems


def next_week(today: date) -> date:
    """The Monday after ``today`` (the week a plan is checked for by default)."""
    return today + timedelta(days=7 - today.weekday())


def selection_resolver(registry: Registry) -> Resolver:
    """Targets as :class:`~gospages.planning.Selection` texts over ``registry``
    (``Selection.parse(text).pages(registry)``)."""

    def resolve(text: str) -> list[tuple[Organization, PageRef]]:
        return Selection.parse(text).pages(registry)

    return resolve


def check_plan(
    plan: ContentPlan,
    *,
    policy: Policy | None = None,
    registry: Registry | None = None,
    resolve: Resolver | None = None,
    week: date | None = None,
    now: datetime | None = None,
) -> PlanCheck:
    """What to fix in ``plan`` before the week from ``week`` (default: next Monday).

    * with a ``registry``: each item's pages (``resolve``, default
      :func:`selection_resolver`), and every page of the registry the week's plan leaves
      under its policy's posts per week (``Policy.posts_per_week_for``: by page category,
      then organisation kind — the numbers POL-FREQ audits);
    * each post of the week through :func:`gospages.requirements.check_post` and the
      limits of the platforms it goes to (all platforms without a registry);
    * posts planned in the past, on a non-working holiday (policy
      ``publishing.avoid_holidays``) or outside ``publishing.working_hours``.
    """
    policy = policy or load_policy("federal")
    moment = now or datetime.now(timezone.utc)
    plan_zone = ZoneInfo(plan.timezone)
    first = week or next_week(moment.astimezone(plan_zone).date())
    items = plan.week(first)
    result = PlanCheck(week=first, items=items)
    if registry is not None and resolve is None:
        resolve = selection_resolver(registry)

    for item in items:
        platforms: list[Platform] = list(Platform)
        if resolve is None:
            # Without a registry the target's own platforms (``platform=vk,ok``) still say
            # which limits apply; a target naming none goes to every platform.
            try:
                named = Selection.parse(item.target).platforms
            except ValueError as exc:
                result.problems.append(
                    ItemProblem(item, "GP-TARGET", Severity.ERROR, f"«{item.target}»: {exc}")
                )
                continue
            platforms = list(named) or platforms
        else:
            try:
                pages = resolve(item.target)
            except ValueError as exc:
                result.problems.append(
                    ItemProblem(item, "GP-TARGET", Severity.ERROR, f"«{item.target}»: {exc}")
                )
                continue
            result.targets[item.id] = pages
            if not pages:
                result.problems.append(
                    ItemProblem(
                        item, "GP-TARGET", Severity.ERROR, f"«{item.target}»: ни одной страницы"
                    )
                )
                continue
            platforms = sorted({p.platform for _, p in pages}, key=list(Platform).index)
        if item.at <= moment:
            result.problems.append(
                ItemProblem(item, "GP-PAST", Severity.ERROR, "время публикации уже прошло")
            )
        # Scheduling limits are the runner's business (it sends what cannot be scheduled).
        draft = item.post.model_copy(update={"publish_at": None})
        for finding in check_post(draft, policy, platforms=platforms):
            text = finding.message + (f": {finding.evidence}" if finding.evidence else "")
            result.problems.append(ItemProblem(item, finding.rule_id, finding.severity, text))

    _when(result, policy)
    if registry is not None:
        _frequency(result, registry, policy)
    return result


def _when(result: PlanCheck, policy: Policy) -> None:
    hours = policy.publishing.hours
    days: dict[date, str] = {}
    if policy.publishing.avoid_holidays and result.items:
        years = {i.at.year for i in result.items}
        days, complete = holiday_calendar(years)
        days.update({d: "региональный нерабочий день" for d in policy.publishing.extra_holidays})
        if not complete:
            result.notes.append(
                "Праздники: известны только праздники Трудового кодекса (ст. 112); переносы "
                "выходных по постановлению Правительства учтены не будут — установите "
                "gospages[planning] (пакет holidays)."
            )
    for item in result.items:
        local = item.at  # in the item's own zone
        if days and local.date() in days:
            result.problems.append(
                ItemProblem(
                    item,
                    "GP-HOLIDAY",
                    Severity.WARNING,
                    f"{local:%d.%m.%Y} — нерабочий праздничный день ({days[local.date()]})",
                )
            )
        if hours is not None and not (hours[0] <= local.time().replace(tzinfo=None) < hours[1]):
            start, end = (t.strftime("%H:%M") for t in hours)
            end = "24:00" if hours[1] == time(23, 59, 59) else end
            result.problems.append(
                ItemProblem(
                    item,
                    "GP-HOURS",
                    Severity.WARNING,
                    f"{local:%H:%M} — вне рабочего времени публикаций ({start}–{end})",
                )
            )


def _frequency(result: PlanCheck, registry: Registry, policy: Policy) -> None:
    planned: dict[tuple[Platform, str], int] = {}
    for pages in result.targets.values():
        for key in {(p.platform, p.page) for _, p in pages}:
            planned[key] = planned.get(key, 0) + 1
    severity = RULES["POL-FREQ"].severity_in(policy)
    if "POL-FREQ" in policy.disabled:
        return
    for org, page in registry.pages():
        norm = policy.posts_per_week_for(org, page.category)
        count = planned.get((page.platform, page.page), 0)
        if norm > 0 and count + 1e-9 < norm:
            result.shortfalls.append(Shortfall(org, page, count, norm, severity))


def shortfall_text(shortfall: Shortfall) -> str:
    """«запланировано 1 при норме 2 в неделю»."""
    return f"запланировано {shortfall.planned} при норме {number(shortfall.norm)} в неделю"
