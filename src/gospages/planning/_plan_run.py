"""Running a content plan: every (item, page) into the journal, scheduled by the platform
where it can schedule, left for the runner (:func:`~gospages.planning.run_due`) where it
cannot.

For every item and every page of its selection the key is ``target_key(item.id, ref)``
(the same scheme as :func:`~gospages.planning.cross_post` and the cascade), so running a
plan again sends nothing twice: a key already in the journal is reported as it stands.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum

from .._clock import Clock
from .._models import Operation, Platform, Post
from .._page import OfficialPage
from .._platforms import describe
from ..registry import Organization, PageRef, Registry
from ._crosspost import _capability_problems, target_key
from ._journal import EntryState, Journal, JournalEntry, clock_now
from ._plan import PlanItem
from ._runner import publish_once
from ._selection import Selection, SelectionError

__all__ = ["PlanRun", "PlanRunLine", "RunAction", "run_plan", "schedules"]

MIN_AHEAD = timedelta(minutes=2)
"""An item less than this ahead is not handed to the platform's scheduling (the time
could pass before the request arrives): the runner sends it when it is due."""


class RunAction(str, Enum):
    """What ``plan run`` did with one (item, page)."""

    SCHEDULED = "scheduled"
    """Handed to the platform's own scheduling (the journal's entry: ``scheduled``)."""
    RUNNER = "runner"
    """Recorded ``planned`` with ``due``: the runner (``gospages journal run``) sends it."""
    SENT = "sent"
    """Published at once (an item whose time had passed, with ``send_past``)."""
    KNOWN = "known"
    """Already in the journal: nothing done (the entry's state is shown)."""
    PAST = "past"
    """Its time has passed: not sent (``send_past`` would send it at once)."""
    REFUSED = "refused"
    """Failed the check (or another page of its item did): sent nowhere."""
    FAILED = "failed"
    """The platform refused it: nothing published."""
    NEEDS_CHECK = "needs_check"
    """The answer was lost: ``gospages journal reconcile`` settles it."""

    @property
    def label(self) -> str:
        return {
            "scheduled": "отложено на площадке",
            "runner": "ждёт обработчика",
            "sent": "опубликовано",
            "known": "уже в журнале",
            "past": "время прошло",
            "refused": "не прошла проверку",
            "failed": "ошибка",
            "needs_check": "нужна сверка",
        }[self.value]

    @property
    def ok(self) -> bool:
        return self in (RunAction.SCHEDULED, RunAction.RUNNER, RunAction.SENT, RunAction.KNOWN)


@dataclass(frozen=True)
class PlanRunLine:
    """One (item, page) of a plan run (``org``/``ref`` are ``None`` when the item's
    selection could not be resolved)."""

    item: PlanItem
    org: Organization | None
    ref: PageRef | None
    key: str
    action: RunAction
    post: Post | None = None
    """The post as it is (or would be) sent: ``publish_at`` set when the platform schedules."""
    entry: JournalEntry | None = None
    """The journal's entry afterwards (``None`` in a dry run or when nothing was recorded)."""
    detail: str = ""
    """Why (Russian): the check's problems, the error, the entry's note."""

    @property
    def due(self) -> datetime:
        return self.item.at


@dataclass
class PlanRun:
    """What :func:`run_plan` did, one line per (item, page), in the plan's order."""

    now: datetime
    lines: list[PlanRunLine] = field(default_factory=list)
    dry_run: bool = False

    def count(self, action: RunAction) -> int:
        return sum(1 for line in self.lines if line.action is action)

    @property
    def counts(self) -> Counter[RunAction]:
        return Counter(line.action for line in self.lines)

    @property
    def ok(self) -> bool:
        """Everything scheduled, recorded for the runner, sent, or already in the journal."""
        return all(line.action.ok for line in self.lines)

    @property
    def refused(self) -> list[PlanRunLine]:
        return [line for line in self.lines if line.action is RunAction.REFUSED]


def schedules(page: OfficialPage, at: datetime, now: datetime) -> str | None:
    """Whether ``page`` can hold a post until ``at`` itself: ``None`` if it can, else why
    not (Russian). The platform must schedule (`PostLimits.can_schedule`), within its
    ``schedule_days``, the keys must allow it, and ``at`` must be at least
    :data:`MIN_AHEAD` away."""
    limits = describe(page.platform).limits
    if not limits.can_schedule:
        return f"{page.platform.label} не умеет откладывать публикации"
    if limits.schedule_days is not None and at > now + timedelta(days=limits.schedule_days):
        return f"{page.platform.label} откладывает не дальше чем на {limits.schedule_days} дней"
    caps = page.capabilities()
    if not caps.can(Operation.SCHEDULE):
        return caps.missing.get(Operation.SCHEDULE) or "ключи не позволяют откладывать"
    if at < now + MIN_AHEAD:
        return "до времени публикации меньше двух минут"
    return None


async def run_plan(
    items: Iterable[PlanItem],
    registry: Registry,
    open_page: Callable[[PageRef], OfficialPage],
    journal: Journal,
    *,
    clock: Clock | None = None,
    now: datetime | None = None,
    send_past: bool = False,
    dry_run: bool = False,
    concurrency: int = 8,
    operator: str | None = None,
) -> PlanRun:
    """Hand every (item, page) of ``items`` to the platform or to the journal's runner.

    * an item ahead of ``now``: where the page can schedule it (:func:`schedules`), the
      post goes out now with ``publish_at`` = the item's time through
      :func:`~gospages.planning.publish_once` (entry ``scheduled``); elsewhere (MAX, too
      far ahead, a key without the right) the entry is recorded ``planned`` with
      ``due`` = the item's time, for :func:`~gospages.planning.run_due`;
    * an item whose time has passed is not sent (``past``), unless ``send_past``: then it
      is published at once;
    * a key already in the journal is not touched (``known``): running a plan twice sends
      nothing twice;
    * every page of an item is checked first (limits, what the keys allow): if one would
      refuse, the item is sent nowhere (``refused``), as in ``cross_post``.

    ``dry_run`` only decides and checks: nothing is recorded or sent.
    """
    moment = now or clock_now(clock)
    result = PlanRun(now=moment, dry_run=dry_run)
    lines: list[PlanRunLine] = []
    for item in items:
        try:
            pages = Selection.parse(item.target).pages(registry)
        except SelectionError as error:
            lines.append(
                PlanRunLine(item, None, None, item.id, RunAction.REFUSED, detail=str(error))
            )
            continue
        for org, ref in pages:
            key = target_key(item.id, ref)
            known = journal.get(key)
            if known is not None:
                lines.append(
                    PlanRunLine(
                        item, org, ref, key, RunAction.KNOWN, known.post, known, known.state.label
                    )
                )
            elif item.at <= moment and not send_past:
                lines.append(
                    PlanRunLine(
                        item,
                        org,
                        ref,
                        key,
                        RunAction.PAST,
                        detail="не отправлено (отправить сразу: --now)",
                    )
                )
            else:
                lines.append(PlanRunLine(item, org, ref, key, RunAction.SENT))
    opened: dict[tuple[Platform, str], OfficialPage | Exception] = {}
    try:
        # Decide and check every page that is to be sent to.
        for index, line in enumerate(lines):
            if line.action is not RunAction.SENT or line.ref is None:
                continue
            ref = line.ref
            page = opened.get((ref.platform, ref.page))
            if page is None:
                try:
                    page = open_page(ref)
                except Exception as error:  # missing keys, a page the sandbox lacks...
                    page = error
                opened[ref.platform, ref.page] = page
            if isinstance(page, Exception):
                lines[index] = replace(
                    line, action=RunAction.REFUSED, detail=str(page) or type(page).__name__
                )
                continue
            lines[index] = _decide(line, page, moment)
        # An item with a refused page is sent nowhere.
        refused_items = {
            line.item.id for line in lines if line.action is RunAction.REFUSED and line.ref
        }
        for index, line in enumerate(lines):
            if line.item.id in refused_items and line.action in (
                RunAction.SCHEDULED,
                RunAction.RUNNER,
                RunAction.SENT,
            ):
                lines[index] = replace(
                    line,
                    action=RunAction.REFUSED,
                    detail="не отправлено: другая страница этого пункта не прошла проверку",
                )
        result.lines = lines
        if dry_run:
            return result
        await _execute(lines, opened, journal, clock, moment, concurrency, operator)
        return result
    finally:
        for page in opened.values():
            if not isinstance(page, Exception):
                await page.aclose()


def _decide(line: PlanRunLine, page: OfficialPage, now: datetime) -> PlanRunLine:
    item = line.item
    if item.at <= now:  # send_past: at once
        post = item.post.model_copy(update={"publish_at": None})
        action = RunAction.SENT
        why = ""
    else:
        why_not = schedules(page, item.at, now)
        if why_not is None:
            post = item.post.model_copy(update={"publish_at": item.at})
            action, why = RunAction.SCHEDULED, ""
        else:
            post = item.post.model_copy(update={"publish_at": None})
            action, why = RunAction.RUNNER, why_not
    problems = [*_capability_problems(page, post), *page.problems(post, now=now)]
    if problems:
        return replace(line, action=RunAction.REFUSED, post=post, detail="; ".join(problems))
    return replace(line, action=action, post=post, detail=why)


_OUTCOME = {
    EntryState.SCHEDULED: RunAction.SCHEDULED,
    EntryState.PUBLISHED: RunAction.SENT,
    EntryState.NEEDS_CHECK: RunAction.NEEDS_CHECK,
    EntryState.FAILED: RunAction.FAILED,
}


async def _execute(
    lines: list[PlanRunLine],
    opened: dict[tuple[Platform, str], OfficialPage | Exception],
    journal: Journal,
    clock: Clock | None,
    now: datetime,
    concurrency: int,
    operator: str | None,
) -> None:
    """Record and send the decided lines: pages concurrently, a page's lines in turn."""
    by_page: dict[tuple[Platform, str], list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        if line.ref is None or line.post is None:
            continue
        if line.action is RunAction.RUNNER:
            entry = journal.plan(
                line.key, line.ref, line.post, due=line.item.at, operator=operator, now=now
            )
            lines[index] = replace(line, entry=entry)
        elif line.action in (RunAction.SCHEDULED, RunAction.SENT):
            by_page[line.ref.platform, line.ref.page].append(index)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one_page(where: tuple[Platform, str], indexes: list[int]) -> None:
        page = opened[where]
        assert not isinstance(page, Exception)
        async with gate:
            for index in indexes:
                line = lines[index]
                assert line.post is not None
                entry = await publish_once(
                    journal, line.key, page, line.post, operator=operator, clock=clock
                )
                action = _OUTCOME.get(entry.state, RunAction.KNOWN)
                detail = line.detail if action.ok else (entry.error or entry.note or "")
                lines[index] = replace(line, action=action, entry=entry, detail=detail)

    await asyncio.gather(*(one_page(where, idx) for where, idx in by_page.items()))
