"""Sending through the journal: :func:`publish_once`, :func:`reconcile`, :func:`run_due`."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .._clock import Clock
from .._errors import GospagesError
from .._models import Post, PostSummary, PublishStatus
from .._page import OfficialPage
from ..registry import PageRef
from ._journal import (
    EntryState,
    Journal,
    JournalEntry,
    OpenPage,
    _moved,
    clock_now,
    lost_error,
)

__all__ = ["Reconciled", "publish_once", "reconcile", "run_due"]

log = logging.getLogger("gospages.journal")

BASELINE_POSTS = 20
"""How many of the page's newest posts the baseline holds."""
READ_BACK_POSTS = 200
"""How far down the page the read-back goes looking for the baseline."""
READ_BACK_TRIES = 3
"""How often a read-back is tried before the entry stays ``needs_check``."""


class _Unsure(Exception):
    """The read-back could not tell (the page unreadable, or the baseline not reached)."""


# -- one entry ------------------------------------------------------------------------------


async def publish_once(
    journal: Journal,
    key: str,
    page: OfficialPage,
    post: Post,
    *,
    operator: str | None = None,
    clock: Clock | None = None,
) -> JournalEntry:
    """Publish ``post`` on ``page`` once for ``key``, whatever happens and however often
    it is called; the journal's entry (its state and receipt).

    The intention is written before anything is sent, the outcome after. A second call
    with the same ``key`` sends nothing again: a published, scheduled or cancelled entry
    is returned as it is; one another live process is sending is returned as it is; one
    left unfinished (a crash, a lost answer) is first read back (:func:`reconcile`) and
    sent again only when it is certainly absent from the page. The post stored with the
    first call is the one sent (its ``idempotency_key``, VK's ``guid``, is the entry's).
    """
    entry = journal.get(key)
    if entry is None:
        entry = journal.plan(key, _ref(page), post, operator=operator, now=clock_now(clock))
    return await _send(journal, entry, page, clock)


async def _send(
    journal: Journal, entry: JournalEntry, page: OfficialPage, clock: Clock | None
) -> JournalEntry:
    for _ in range(5):
        if entry.state.final:
            return entry
        if entry.state in (EntryState.SENDING, EntryState.NEEDS_CHECK):
            if journal.held_elsewhere(entry):
                return entry
            entry = await _settle(journal, entry, page, clock)
            if entry.state is not EntryState.PLANNED:
                return entry
        try:
            baseline = await _baseline(page)
        except GospagesError as error:
            refused = journal.replace(
                entry,
                _moved(
                    entry,
                    EntryState.FAILED,
                    error=_describe(error),
                    note="Страница не прочиталась перед отправкой: ничего не отправлено.",
                    now=clock_now(clock),
                ),
            )
            if refused is not None:
                return refused
            entry = journal.get(entry.key) or entry
            continue
        claimed = journal.claim(
            entry,
            baseline=baseline,
            attempts=entry.attempts + 1,
            error=None,
            note=None,
            now=clock_now(clock),
        )
        if claimed is None:  # another process moved first: look again
            entry = journal.get(entry.key) or entry
            continue
        return await _deliver(journal, claimed, page, clock)
    return entry


async def _deliver(
    journal: Journal, entry: JournalEntry, page: OfficialPage, clock: Clock | None
) -> JournalEntry:
    """Send a claimed entry and record what came of it."""
    try:
        receipt = await page.publish(entry.post)
    except BaseException as error:
        if lost_error(error):
            outcome = _moved(
                entry,
                EntryState.NEEDS_CHECK,
                error=_describe(error),
                note="Отправка прервана, исход неизвестен: запись будет сверена со страницей.",
                lease_until=None,
                now=clock_now(clock),
            )
        else:
            outcome = _moved(
                entry,
                EntryState.FAILED,
                error=_describe(error),
                note="Площадка отказала: ничего не опубликовано.",
                lease_until=None,
                now=clock_now(clock),
            )
        stored = _record(journal, entry, outcome)
        if not isinstance(error, GospagesError):
            raise  # cancelled, or a bug: recorded as unknown, then passed on
        return stored
    state = {
        PublishStatus.PUBLISHED: EntryState.PUBLISHED,
        PublishStatus.SCHEDULED: EntryState.SCHEDULED,
    }.get(receipt.status, EntryState.NEEDS_CHECK)
    outcome = _moved(
        entry,
        state,
        post_id=receipt.post_id,
        url=receipt.url,
        note=receipt.note,
        lease_until=None,
        now=clock_now(clock),
    )
    return _record(journal, entry, outcome)


def _record(journal: Journal, claimed: JournalEntry, outcome: JournalEntry) -> JournalEntry:
    stored = journal.replace(claimed, outcome)
    if stored is None:
        # The lease was taken over meanwhile: the other process reads the page back.
        log.warning(
            "Журнал %s: запись %s перехвачена другим процессом; исход не записан",
            journal.where,
            claimed.key,
        )
        return journal.get(claimed.key) or outcome
    return stored


async def _baseline(page: OfficialPage) -> list[str]:
    ids: list[str] = []
    stream = page.posts()
    try:
        async for summary in stream:
            ids.append(summary.id)
            if len(ids) >= BASELINE_POSTS:
                break
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return ids


# -- reading back ---------------------------------------------------------------------------


async def _settle(
    journal: Journal, entry: JournalEntry, page: OfficialPage, clock: Clock | None
) -> JournalEntry:
    """Read an unfinished entry back: ``published`` when found, ``planned`` when certainly
    absent, else ``needs_check`` (the entry as stored, or as another process left it)."""
    claimed = journal.claim(entry, state=entry.state, now=clock_now(clock))
    if claimed is None:
        return journal.get(entry.key) or entry
    now = clock_now(clock)
    publish_at = claimed.post.publish_at
    if claimed.baseline is None:
        # Claimed but the baseline never written: nothing was sent.
        return _record(journal, claimed, _moved(claimed, EntryState.PLANNED, lease_until=None))
    if publish_at is not None and publish_at > now:
        outcome = _moved(
            claimed,
            EntryState.NEEDS_CHECK,
            lease_until=None,
            note=(
                "Отложенная запись ещё не вышла; её сверят после "
                f"{publish_at.isoformat(timespec='minutes')}."
            ),
            now=now,
        )
        return _record(journal, claimed, outcome)
    taken = {
        e.post_id
        for e in journal.entries(platform=claimed.platform, page=claimed.page)
        if e.post_id and e.key != claimed.key
    }
    error: BaseException | None = None
    for _ in range(READ_BACK_TRIES):
        try:
            found = await _look_for(page, claimed, taken)
        except (_Unsure, GospagesError) as exc:
            error = exc
            continue
        if found is not None:
            outcome = _moved(
                claimed,
                EntryState.PUBLISHED,
                post_id=found.id,
                url=found.url,
                error=None,
                lease_until=None,
                note="Запись найдена на странице при сверке.",
                now=now,
            )
        else:
            outcome = _moved(
                claimed,
                EntryState.PLANNED,
                lease_until=None,
                note="При сверке записи на странице нет: она будет отправлена снова.",
                now=now,
            )
        return _record(journal, claimed, outcome)
    outcome = _moved(
        claimed,
        EntryState.NEEDS_CHECK,
        lease_until=None,
        error=_describe(error) if error else None,
        note="Сверка не удалась: страница не прочиталась. Повторите gospages journal reconcile.",
        now=now,
    )
    return _record(journal, claimed, outcome)


async def _look_for(page: OfficialPage, entry: JournalEntry, taken: set[str]) -> PostSummary | None:
    """The entry's post among the page's posts above the baseline; ``None`` when the page
    was read down to the baseline (or to its end) without it; `_Unsure` otherwise."""
    # Complete only once every baseline post was seen (or the page ended): platforms do
    # not always list posts strictly newest first (equal dates, a pinned post).
    unseen = set(entry.baseline or ())
    seen = 0
    stream = page.posts()
    try:
        async for summary in stream:
            if summary.id in unseen:
                unseen.discard(summary.id)
                if not unseen:
                    return None
                continue
            if summary.id not in taken and _same(summary.text, entry.post.text):
                return summary
            seen += 1
            if seen >= READ_BACK_POSTS:
                raise _Unsure
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return None


def _same(found: str, sent: str) -> bool:
    a, b = " ".join(found.split()), " ".join(sent.split())
    if a == b:
        return True
    # A long text the platform split into messages: the first one is its start.
    return len(a) >= 200 and b.startswith(a)


# -- many entries ---------------------------------------------------------------------------


@dataclass
class Reconciled:
    """What one :func:`reconcile` pass did."""

    found: list[JournalEntry] = field(default_factory=list)
    """Found on their pages: now ``published``."""
    absent: list[JournalEntry] = field(default_factory=list)
    """Certainly absent: ``planned`` again (or sent, with ``resend``)."""
    unknown: list[JournalEntry] = field(default_factory=list)
    """Still ``needs_check``: the page could not be read (or a post is not out yet)."""
    held: list[JournalEntry] = field(default_factory=list)
    """Being sent by another live process: left alone."""
    sent: list[JournalEntry] = field(default_factory=list)
    """With ``resend``: the absent ones as sent again."""

    @property
    def total(self) -> int:
        return len(self.found) + len(self.absent) + len(self.unknown) + len(self.held)


def unfinished(journal: Journal) -> list[JournalEntry]:
    """Entries whose outcome is not known: ``sending`` and ``needs_check``."""
    return journal.entries(states=(EntryState.SENDING, EntryState.NEEDS_CHECK))


async def reconcile(
    journal: Journal,
    open_page: OpenPage,
    *,
    resend: bool = False,
    clock: Clock | None = None,
    concurrency: int = 8,
) -> Reconciled:
    """Settle the unfinished entries (``sending`` left by a dead process, ``needs_check``)
    by reading their pages back; with ``resend``, send again those certainly absent.

    ``open_page`` opens a page from its `~gospages.registry.PageRef` (``PageFactory.open``);
    the pages opened here are closed here.
    """
    result = Reconciled()

    async def one_page(entries: list[JournalEntry]) -> None:
        async with open_page(entries[0].ref) as page:
            for entry in entries:
                if journal.held_elsewhere(entry):
                    result.held.append(entry)
                    continue
                settled = await _settle(journal, entry, page, clock)
                if settled.state is EntryState.PUBLISHED:
                    result.found.append(settled)
                elif settled.state is EntryState.PLANNED:
                    result.absent.append(settled)
                    if resend:
                        result.sent.append(await _send(journal, settled, page, clock))
                elif settled.state in (EntryState.SENDING, EntryState.NEEDS_CHECK):
                    result.unknown.append(settled)

    await _by_page(unfinished(journal), one_page, concurrency)
    return result


async def run_due(
    journal: Journal,
    open_page: OpenPage,
    now: datetime | None = None,
    *,
    clock: Clock | None = None,
    concurrency: int = 8,
    max_attempts: int = 3,
) -> list[JournalEntry]:
    """Send the ``planned`` entries whose time has come (``due`` at or before ``now``, or
    no ``due``), after settling the unfinished ones (:func:`reconcile`); the entries as
    they stand afterwards. ``failed`` entries (refused: nothing was published) are tried
    again until they have been tried ``max_attempts`` times. A plain function: a cron job
    or a systemd timer runs it."""
    moment = now or clock_now(clock)
    await reconcile(journal, open_page, clock=clock, concurrency=concurrency)
    due = [
        e
        for e in journal.entries(states=(EntryState.PLANNED, EntryState.FAILED))
        if (e.due is None or e.due <= moment)
        and (e.state is EntryState.PLANNED or e.attempts < max_attempts)
    ]
    done: list[JournalEntry] = []

    async def one_page(entries: list[JournalEntry]) -> None:
        async with open_page(entries[0].ref) as page:
            for entry in entries:
                done.append(await _send(journal, entry, page, clock))

    await _by_page(due, one_page, concurrency)
    return done


async def _by_page(
    entries: Iterable[JournalEntry],
    work: Callable[[list[JournalEntry]], Awaitable[None]],
    concurrency: int,
) -> None:
    """``work`` on each page's entries: pages concurrently, a page's entries in turn."""
    groups: dict[tuple[str, str], list[JournalEntry]] = defaultdict(list)
    for entry in entries:
        groups[entry.platform.value, entry.page].append(entry)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def guarded(group: list[JournalEntry]) -> None:
        async with gate:
            await work(group)

    await asyncio.gather(*(guarded(g) for g in groups.values()))


def _ref(page: OfficialPage) -> PageRef:
    return PageRef(platform=page.platform, page=page.page_id)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]
