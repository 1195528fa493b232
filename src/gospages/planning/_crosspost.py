"""One post to many pages: checked everywhere first, then sent concurrently.

:func:`cross_post` opens every target page, checks the post (or its variant for the
platform) against each page's limits and keys, and sends nothing if any target would
refuse it. Then it publishes to all pages at once: each token's rate limiter (shared by
the pages on that token, :func:`gospages._transport.limiter_for`) spaces the requests, so
no global lock is needed and a hundred pages on different keys take about as long as the
slowest of them. One page's failure is recorded with that page and never stops the others.

:class:`Cascade` keeps one regional post republished to the pages of a selection as one
item (who has it, with links; who has not yet; who failed), as JSON; :func:`cascade`
publishes where it is still missing, through the same keys on every run.

With a journal (:func:`journal_send`, ``cascade(..., journal=...)``) every intention is
written before it is sent and its outcome after (:func:`~gospages.planning.publish_once`),
and a cascade's statuses are read from the journal's entries of its item.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .._clock import Clock, RealClock
from .._errors import GospagesError
from .._models import Platform, Post, PublishedPost, PublishStatus
from .._page import OfficialPage, post_operations
from .._platforms import describe
from ..registry import Organization, PageRef, Registry
from ._journal import EntryState, Journal, JournalEntry
from ._runner import publish_once
from ._selection import Selection

__all__ = [
    "Cascade",
    "CascadeTarget",
    "CrossPostResult",
    "PageOutcome",
    "Send",
    "TargetStatus",
    "cascade",
    "cross_post",
    "journal_send",
    "target_key",
]

Send = Callable[[str, OfficialPage, Post], Awaitable[PublishedPost]]
"""``send(key, page, post) -> receipt``: how one target is published. ``key`` is stable
for the target (:func:`target_key`): a journal records the intention under it."""

Variant = Callable[[Organization, PageRef, Post], "Post | None"]
Variants = Mapping[Platform, Post] | Variant
"""Per-platform posts (a mapping ``{platform: shorter post}``) or a callable
``(organisation, page, post) -> post`` (``None``: the post as it is)."""

Progress = Callable[[int, int, str], None]
"""``progress(done, total, what)``: called as each page is finished."""


def target_key(item: str, ref: PageRef) -> str:
    """The stable key of publishing ``item`` to ``ref``: ``item:platform:page``.

    Two spellings of one page (``club123``, ``123``) give the same key."""
    return f"{item}:{ref.platform.value}:{describe(ref.platform).page_key(ref.page)}"


def _idempotency(key: str) -> str:
    """The post's idempotency key for one target (VK ``guid``): the same on every run."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class PageOutcome:
    """What became of one target page."""

    org: Organization
    ref: PageRef
    key: str
    post: Post
    """The post sent there (the platform's variant, with this target's idempotency key)."""
    receipt: PublishedPost | None = None
    error: str | None = None
    """Why the publication failed (Russian, the error's own words), or ``None``."""
    problems: tuple[str, ...] = ()
    """What the check before sending found (nothing was sent anywhere then)."""
    seconds: float = 0.0
    """How long this page's publication took (on the run's clock)."""

    @property
    def ok(self) -> bool:
        """Published or scheduled, with a known outcome."""
        return self.receipt is not None and self.receipt.status is not PublishStatus.NEEDS_CHECK

    @property
    def failed(self) -> bool:
        """Refused by the check, or failed when sent."""
        return self.error is not None or bool(self.problems)

    @property
    def needs_check(self) -> bool:
        """The answer was lost and reading back could not tell: look at the page."""
        return self.receipt is not None and self.receipt.status is PublishStatus.NEEDS_CHECK

    @property
    def status(self) -> str:
        """One word for a report line (Russian)."""
        if self.problems:
            return "не прошла проверку"
        if self.error is not None:
            return "ошибка"
        if self.receipt is None:
            return "не отправлено"
        return self.receipt.status.label


@dataclass
class CrossPostResult:
    """One outcome per target page, in the order of the targets."""

    item: str
    outcomes: list[PageOutcome] = field(default_factory=list)
    sent: bool = False
    """Whether anything was sent: ``False`` when a target failed the check."""
    seconds: float = 0.0
    """Wall time of the whole run (on the run's clock)."""

    @property
    def ok(self) -> bool:
        """Every page published or scheduled."""
        return self.sent and all(o.ok for o in self.outcomes)

    @property
    def published(self) -> list[PageOutcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[PageOutcome]:
        return [o for o in self.outcomes if o.failed]

    @property
    def needs_check(self) -> list[PageOutcome]:
        return [o for o in self.outcomes if o.needs_check]

    @property
    def refused(self) -> list[PageOutcome]:
        """Targets the check before sending refused (then nothing was sent)."""
        return [o for o in self.outcomes if o.problems]

    @property
    def slowest(self) -> float:
        """The longest single publication of the run."""
        return max((o.seconds for o in self.outcomes), default=0.0)


def _variant(variants: Variants | None, org: Organization, ref: PageRef, post: Post) -> Post:
    if variants is None:
        return post
    chosen = variants(org, ref, post) if callable(variants) else variants.get(ref.platform)
    return post if chosen is None else chosen


def _capability_problems(page: OfficialPage, post: Post) -> list[str]:
    """What the page's keys do not allow for ``post`` (known without a request)."""
    caps = page.capabilities()
    return [
        caps.missing.get(op) or f"ключи не позволяют: {op.value}"
        for op in post_operations(post)
        if not caps.can(op)
    ]


async def _publish(key: str, page: OfficialPage, post: Post) -> PublishedPost:
    return await page.publish(post)


class JournalRefused(GospagesError):
    """A journal entry with no receipt: refused by the platform, cancelled, or being sent
    by another process. ``entry`` is the entry as it stands."""

    def __init__(self, entry: JournalEntry, message: str) -> None:
        super().__init__(message)
        self.entry = entry


def _no_receipt(entry: JournalEntry) -> str:
    if entry.state is EntryState.FAILED:
        return entry.error or entry.note or "площадка отказала"
    if entry.state is EntryState.CANCELLED:
        return "запись отменена в журнале: не отправлено"
    if entry.state is EntryState.SENDING:
        return "запись отправляет другой процесс (журнал): повторно не отправлено"
    return f"в журнале: {entry.state.label}"


def journal_send(
    journal: Journal, *, clock: Clock | None = None, operator: str | None = None
) -> Send:
    """A ``send`` for :func:`cross_post` and :func:`cascade` that goes through ``journal``
    (:func:`~gospages.planning.publish_once` under the target's key): the intention is
    written before sending, the outcome after, and a key already published or scheduled
    is not sent again. A ``needs_check`` entry comes back as a receipt of that status; a
    refused, cancelled or elsewhere-held entry raises `JournalRefused` (the target's
    error)."""

    async def send(key: str, page: OfficialPage, post: Post) -> PublishedPost:
        entry = await publish_once(journal, key, page, post, operator=operator, clock=clock)
        receipt = entry.receipt
        if receipt is None:
            raise JournalRefused(entry, _no_receipt(entry))
        return receipt

    return send


_FROM_JOURNAL = {
    EntryState.PUBLISHED: "published",
    EntryState.SCHEDULED: "scheduled",
    EntryState.NEEDS_CHECK: "needs_check",
    EntryState.SENDING: "needs_check",
    EntryState.FAILED: "failed",
    EntryState.PLANNED: "pending",
    EntryState.CANCELLED: "pending",
}


def _label(org: Organization, ref: PageRef) -> str:
    return f"{org.name} · {ref.platform.label}"


async def cross_post(
    pages: Sequence[tuple[Organization, PageRef]],
    post: Post,
    open_page: Callable[[PageRef], OfficialPage],
    *,
    variants: Variants | None = None,
    send: Send | None = None,
    concurrency: int = 100,
    progress: Progress | None = None,
    item: str | None = None,
    clock: Clock | None = None,
    dry_run: bool = False,
) -> CrossPostResult:
    """Publish ``post`` to every page of ``pages`` (what `Selection.pages` returns).

    Every target is checked first (its variant: ``variants``; the platform's limits,
    `OfficialPage.problems`; what its keys allow, `OfficialPage.capabilities`): if any
    would refuse, nothing is sent and the result lists what failed where. Then the pages
    are published concurrently, at most ``concurrency`` at once, each token's limit
    holding; one outcome per page, in the order of ``pages``.

    Args:
        open_page: opens a page from its registry entry (a `gospages.PageFactory`).
        send: ``send(key, page, post)`` publishes one target (a journal's
            ``publish_once``); by default ``page.publish(post)``.
        item: what the keys are made of (:func:`target_key`); by default the post's
            ``idempotency_key``. Each target gets its own idempotency key derived from
            its key, the same on every run (VK drops a resent duplicate).
        clock: the run's clock, for the timings (the sandbox's virtual clock).
        dry_run: only check: every target's problems, nothing sent (``sent`` is ``False``).
    """
    clock = clock or RealClock()
    item = item or post.idempotency_key
    result = CrossPostResult(item=item)
    send = send or _publish
    opened: list[OfficialPage | None] = []
    targets: list[PageOutcome] = []
    try:
        refused = False
        for org, ref in pages:
            key = target_key(item, ref)
            target = _variant(variants, org, ref, post).model_copy(
                update={"idempotency_key": _idempotency(key)}
            )
            problems: list[str]
            try:
                page = open_page(ref)
            except Exception as error:  # a page that cannot be opened: missing keys...
                opened.append(None)
                problems = [str(error) or type(error).__name__]
            else:
                opened.append(page)
                keys = _capability_problems(page, target)
                # The limits' own wording of a refusal the keys' message already says
                # («… не поддерживаются: …») is not repeated.
                problems = [
                    *keys,
                    *(p for p in page.problems(target) if not any(k.startswith(p) for k in keys)),
                ]
            refused = refused or bool(problems)
            targets.append(PageOutcome(org, ref, key, target, problems=tuple(problems)))
        if refused or dry_run:
            result.outcomes = targets
            return result
        result.sent = True
        limit = asyncio.Semaphore(max(1, concurrency))
        done = 0
        started = clock.monotonic()

        async def one(index: int) -> PageOutcome:
            nonlocal done
            target, opened_page = targets[index], opened[index]
            assert opened_page is not None
            async with limit:
                begun = clock.monotonic()
                try:
                    receipt = await send(target.key, opened_page, target.post)
                except Exception as error:  # one page's failure never hides the others'
                    outcome = PageOutcome(
                        target.org,
                        target.ref,
                        target.key,
                        target.post,
                        error=f"{type(error).__name__}: {error}",
                        seconds=clock.monotonic() - begun,
                    )
                else:
                    outcome = PageOutcome(
                        target.org,
                        target.ref,
                        target.key,
                        target.post,
                        receipt=receipt,
                        seconds=clock.monotonic() - begun,
                    )
            done += 1
            if progress is not None:
                progress(done, len(targets), _label(target.org, target.ref))
            return outcome

        result.outcomes = list(await asyncio.gather(*(one(i) for i in range(len(targets)))))
        result.seconds = clock.monotonic() - started
        return result
    finally:
        for each in opened:
            if each is not None:
                await each.aclose()


# -- the regional cascade -------------------------------------------------------------------


class TargetStatus(str, Enum):
    """Where a cascade stands on one page."""

    PENDING = "pending"
    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    NEEDS_CHECK = "needs_check"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "pending": "ещё не опубликовано",
            "published": "опубликовано",
            "scheduled": "запланировано",
            "needs_check": "проверьте на странице вручную",
            "failed": "ошибка",
        }[self.value]

    @property
    def done(self) -> bool:
        """Nothing more to send there (published, scheduled, or to be looked at by hand)."""
        return self in (TargetStatus.PUBLISHED, TargetStatus.SCHEDULED, TargetStatus.NEEDS_CHECK)


class CascadeTarget(BaseModel):
    """One page of a cascade."""

    model_config = ConfigDict(extra="forbid")

    org_id: str
    org_name: str
    platform: Platform
    page: str
    status: TargetStatus = TargetStatus.PENDING
    url: str | None = None
    post_id: str | None = None
    error: str | None = None
    """The last failure or check problem (Russian)."""
    at: datetime | None = None
    """When the status last changed."""
    attempts: int = 0


class Cascade(BaseModel):
    """A regional post carried down to the pages of a selection, as one item.

    Serializable (:meth:`save`, :meth:`load`, ``model_dump_json``): run :func:`cascade`
    again with it and only the pages still missing the post get it.
    """

    model_config = ConfigDict(extra="forbid")

    item: str
    """The item's id: the pages' keys are made of it (:func:`target_key`)."""
    selection: str
    """The selection in its text form (`Selection.parse` reads it)."""
    source: str | None = None
    """The link to the regional post itself."""
    title: str = ""
    """The start of the post's text, for lists of cascades."""
    targets: dict[str, CascadeTarget] = Field(default_factory=dict)
    """By :func:`target_key`."""
    without_pages: list[str] = Field(default_factory=list)
    """Organisations of the selection with no page it would pick: a post cannot reach them."""

    def _with(self, status: TargetStatus) -> list[CascadeTarget]:
        return [t for t in self.targets.values() if t.status is status]

    @property
    def published(self) -> list[CascadeTarget]:
        """Pages that have the post (or will, at the scheduled time)."""
        return [
            t
            for t in self.targets.values()
            if t.status in (TargetStatus.PUBLISHED, TargetStatus.SCHEDULED)
        ]

    @property
    def pending(self) -> list[CascadeTarget]:
        """Pages that do not have it yet (never tried, or failed: the next run sends)."""
        return [t for t in self.targets.values() if not t.status.done]

    @property
    def failed(self) -> list[CascadeTarget]:
        return self._with(TargetStatus.FAILED)

    @property
    def needs_check(self) -> list[CascadeTarget]:
        return self._with(TargetStatus.NEEDS_CHECK)

    @property
    def complete(self) -> bool:
        return not self.pending and not self.needs_check

    def summary(self) -> str:
        """«опубликовано 5 из 7, ошибок 1, ещё не опубликовано 1» (Russian)."""
        total = len(self.targets)
        parts = [f"опубликовано {len(self.published)} из {total}"]
        if self.failed:
            parts.append(f"ошибок {len(self.failed)}")
        waiting = len(self._with(TargetStatus.PENDING))
        if waiting:
            parts.append(f"ещё не опубликовано {waiting}")
        if self.needs_check:
            parts.append(f"проверить вручную {len(self.needs_check)}")
        if self.without_pages:
            parts.append(f"организаций без страницы {len(self.without_pages)}")
        return ", ".join(parts)

    def sync(self, journal: Journal) -> None:
        """Take every target's status, link and error from ``journal``'s entry of its key
        (after a reconcile, a ``needs_check`` page may be published or absent again);
        targets with no entry are left as they are."""
        for key, target in self.targets.items():
            entry = journal.get(key)
            if entry is None:
                continue
            target.status = TargetStatus(_FROM_JOURNAL[entry.state])
            target.url = entry.url
            target.post_id = entry.post_id
            target.at = entry.updated
            target.attempts = max(target.attempts, entry.attempts)
            if target.status is TargetStatus.FAILED:
                target.error = entry.error or entry.note
            elif target.status is TargetStatus.NEEDS_CHECK:
                target.error = entry.note
            else:
                target.error = None

    def save(self, path: str | Path) -> None:
        """Write the state as JSON (UTF-8), replacing the file at once."""
        target = Path(path)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        temporary.replace(target)

    @classmethod
    def load(cls, path: str | Path) -> Cascade:
        """Read the state :meth:`save` wrote."""
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))


def _now(clock: Clock) -> datetime:
    return datetime.fromtimestamp(clock.time(), timezone.utc)


async def cascade(
    post: Post,
    selection: Selection | str,
    registry: Registry,
    open_page: Callable[[PageRef], OfficialPage],
    *,
    item: str | None = None,
    source: str | None = None,
    state: Cascade | None = None,
    variants: Variants | None = None,
    send: Send | None = None,
    journal: Journal | None = None,
    concurrency: int = 100,
    progress: Progress | None = None,
    clock: Clock | None = None,
) -> Cascade:
    """Carry ``post`` down to the pages of ``selection``; the updated :class:`Cascade`.

    With ``state`` (an earlier run's, e.g. `Cascade.load`) only the pages that do not
    have the post yet are published, through the same keys; pages new in the selection
    are added. ``needs_check`` pages are not sent again: look at them first (a journal
    settles them later). Pages are checked before anything is sent, as in
    :func:`cross_post`; a refused check leaves the pages pending with the reason.

    With ``journal`` every page goes through it (:func:`journal_send`, unless ``send``
    is given) and the statuses are the journal's: read before deciding what is missing
    (what a reconcile settled counts) and after the run (:meth:`Cascade.sync`).
    """
    if journal is not None and send is None:
        send = journal_send(journal, clock=clock)
    clock = clock or RealClock()
    chosen = selection if isinstance(selection, Selection) else Selection.parse(selection)
    if state is None:
        state = Cascade(
            item=item or post.idempotency_key,
            selection=str(chosen),
            source=source,
            title=post.text.strip().split("\n", 1)[0][:80],
        )
    elif source is not None:
        state.source = source
    pages = chosen.pages(registry)
    state.without_pages = [o.name for o in chosen.without_pages(registry)]
    missing: list[tuple[Organization, PageRef]] = []
    for org, ref in pages:
        key = target_key(state.item, ref)
        target = state.targets.get(key)
        if target is None:
            target = CascadeTarget(
                org_id=org.id, org_name=org.name, platform=ref.platform, page=ref.page
            )
            state.targets[key] = target
    if journal is not None:
        state.sync(journal)
    for org, ref in pages:
        if not state.targets[target_key(state.item, ref)].status.done:
            missing.append((org, ref))
    if not missing:
        return state
    result = await cross_post(
        missing,
        post,
        open_page,
        variants=variants,
        send=send,
        concurrency=concurrency,
        progress=progress,
        item=state.item,
        clock=clock,
    )
    moment = _now(clock)
    for outcome in result.outcomes:
        target = state.targets[outcome.key]
        if outcome.problems:
            target.error = "; ".join(outcome.problems)
            continue
        if not result.sent:
            continue
        target.attempts += 1
        target.at = moment
        if outcome.receipt is not None:
            target.status = {
                PublishStatus.PUBLISHED: TargetStatus.PUBLISHED,
                PublishStatus.SCHEDULED: TargetStatus.SCHEDULED,
                PublishStatus.NEEDS_CHECK: TargetStatus.NEEDS_CHECK,
            }[outcome.receipt.status]
            target.url = outcome.receipt.url
            target.post_id = outcome.receipt.post_id
            unsure = target.status is TargetStatus.NEEDS_CHECK
            target.error = outcome.receipt.note if unsure else None
        else:
            target.status = TargetStatus.FAILED
            target.error = outcome.error
    if journal is not None:
        state.sync(journal)
    return state
