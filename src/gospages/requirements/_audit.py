"""Auditing a whole registry of pages."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx

from .._errors import ValidationError
from .._platforms import describe
from .._questions import Removal
from ..registry import Organization, PageRef, Registry
from ._capture import traffic_light
from ._fleet import PageOpener, capture_pages
from ._model import (
    AuditReport,
    CompactPages,
    Finding,
    PageAudit,
    PageSnapshot,
    RuleStatus,
    Severity,
)
from ._policy import Policy, load_policy
from ._rules import apply_rule_severity, audit_page

if TYPE_CHECKING:
    from ._site import Resolver

__all__ = [
    "HistoryStore",
    "PageResult",
    "PageResultStore",
    "Progress",
    "audit_registry",
    "missing_pages",
    "run_key",
]

Progress = Callable[[int, int, str], None]
"""``progress(done, total, what)``: called as each page is finished."""


class HistoryStore(Protocol):
    """Where :func:`audit_registry` finds the previous run and keeps this one
    (:class:`gospages.reports.AuditHistory` keeps them in SQLite)."""

    def previous(self, policy: str | None = None) -> dict[str, Any] | None: ...

    def save(self, report: AuditReport) -> None: ...


@dataclass(frozen=True)
class PageResult:
    """One finished page of a run, as a :class:`PageResultStore` keeps it."""

    index: int
    """The page's place in ``registry.pages()``."""
    audit: PageAudit
    """Findings, score and the compact snapshot (:meth:`PageSnapshot.compact`)."""
    site: str | None = None
    """The organisation's own site read off the full profile (for ``check_sites``)."""

    @cached_property
    def audit_json(self) -> str:
        """The audit's JSON without the organisation and registry entry (the registry has
        them): :meth:`CompactPages.encode`; computed once."""
        return CompactPages.encode(self.audit)

    def dump(self) -> str:
        """JSON without the organisation and registry entry (the registry has them)."""
        site = json.dumps(self.site, ensure_ascii=False)
        return f'{{"audit": {self.audit_json}, "site": {site}}}'

    @classmethod
    def load(cls, index: int, text: str, org: Organization, ref: PageRef) -> PageResult:
        """The result :meth:`dump` wrote, tied back to its registry entry."""
        data = json.loads(text)
        audit = data["audit"] | {"org": org, "ref": ref}
        audit["snapshot"] = audit["snapshot"] | {"org": org}
        return cls(index, PageAudit.model_validate(audit), data.get("site"))


@runtime_checkable
class PageResultStore(Protocol):
    """A history that keeps each page of a run as it finishes, so that a run stopped
    half-way can go on (:class:`gospages.reports.AuditHistory`). :func:`audit_registry`
    uses it when ``history`` has these methods, else only ``previous`` and ``save``."""

    def start_run(
        self, key: str, *, policy: str, days: int, created_at: datetime, total: int
    ) -> int: ...

    def unfinished_run(self, key: str) -> tuple[int, datetime, int] | None: ...

    def add_results(self, run: int, results: Sequence[PageResult]) -> None: ...

    def run_results(self, run: int) -> Iterator[tuple[int, str]]: ...

    def finish_run(self, run: int, report: AuditReport) -> None: ...


def run_key(pages: Sequence[tuple[Organization, PageRef]], policy: Policy, days: int) -> str:
    """What makes two runs the same audit: the page list, the policy (its contents, not
    only its name) and the period."""
    digest = hashlib.sha256()
    rows = [[o.id, r.platform.value, r.page, r.url, r.category] for o, r in pages]
    digest.update(json.dumps(rows, ensure_ascii=False).encode())
    digest.update(policy.model_dump_json().encode())
    digest.update(str(days).encode())
    return digest.hexdigest()


_NO_PAGE_SOURCE = "8-ФЗ ст. 10 (в ред. 270-ФЗ); распоряжение № 2523-р"


def missing_pages(registry: Registry, policy: Policy) -> list[Finding]:
    """FZ8-10-OP: organisations with no official page where the policy wants one."""
    if "FZ8-10-OP" in policy.disabled:
        return []
    severity = apply_rule_severity(RuleStatus.S, policy.severity.get("FZ8-10-OP", Severity.ERROR))
    required = set(policy.platforms.required)
    findings = []
    for org in registry.organizations:
        have = {p.platform for p in org.pages}
        lacking = required - have
        if policy.platforms.mode == "any" and have & required:
            continue
        if not lacking:
            continue
        names = ", ".join(p.label for p in sorted(lacking, key=lambda p: p.value))
        message = (
            "У организации нет официальной страницы"
            if not have & required
            else f"У организации нет страницы: {names}"
        )
        findings.append(
            Finding(
                rule_id="FZ8-10-OP",
                severity=severity,
                message=message,
                evidence="в реестре: "
                + (", ".join(p.platform.label for p in org.pages) or "страниц нет"),
                fix=f"Создайте официальную страницу ({names}) и внесите её в реестр.",
                source=_NO_PAGE_SOURCE,
                status=RuleStatus.S,
                org_id=org.id,
            )
        )
    return findings


def _page_audit(
    org: Organization, ref: PageRef, snapshot: PageSnapshot, policy: Policy
) -> PageAudit:
    score = traffic_light(snapshot) if snapshot.error is None else None
    return PageAudit(
        org=org,
        ref=ref,
        snapshot=snapshot.compact(),
        findings=audit_page(snapshot, policy),
        score=score,
    )


def _own_site(snapshot: PageSnapshot) -> str | None:
    from ._contacts import profile_contacts

    if snapshot.profile is None:
        return None
    own = profile_contacts(snapshot.profile).own_site
    return own.url if own is not None else None


YOUNG_OBJECTS = 20_000
"""The young-generation threshold of Python's cycle collector while a run reads pages
(the default is 700); see :func:`_relax_collector`."""
_relaxed_runs = 0
_saved_threshold: tuple[int, ...] = ()
_collector_lock = threading.Lock()  # runs may go on in several threads (several loops)


def _relax_collector() -> None:
    """Let the cycle collector run less often while pages are read (until
    :func:`_restore_collector`).

    Thousands of pages in flight keep a few hundred thousand objects alive; at the default
    threshold every 700 allocations start a collection, and the objects that outlive a
    few of them trigger full collections that walk them all: a fifth of a 10,000-page
    run's CPU. With a larger young generation most of a page's objects die before they
    are collected. Nothing else changes (garbage with cycles waits a little longer); the
    previous threshold is back when the last run in the process ends.
    """
    global _relaxed_runs, _saved_threshold
    with _collector_lock:
        if _relaxed_runs == 0:
            _saved_threshold = gc.get_threshold()
            if 0 < _saved_threshold[0] < YOUNG_OBJECTS:  # 0: collection is off, leave it
                gc.set_threshold(YOUNG_OBJECTS, *_saved_threshold[1:])
        _relaxed_runs += 1


def _restore_collector() -> None:
    global _relaxed_runs
    with _collector_lock:
        _relaxed_runs -= 1
        # (unless someone set a threshold of their own meanwhile)
        if _relaxed_runs == 0 and gc.get_threshold()[0] == YOUNG_OBJECTS != _saved_threshold[0]:
            gc.set_threshold(*_saved_threshold)


RESULTS_PER_WRITE = 8
"""Finished pages written to a :class:`PageResultStore` in one transaction."""


async def audit_registry(
    registry: Registry,
    open_page: PageOpener,
    policy: Policy | str = "federal",
    *,
    days: int = 28,
    concurrency: int = 8,
    progress: Progress | None = None,
    history: HistoryStore | None = None,
    now: datetime | None = None,
    check_sites: bool = False,
    site_client: httpx.AsyncClient | None = None,
    site_resolver: Resolver | None = None,
    removed: Removal | None = None,
    resume: bool = False,
) -> AuditReport:
    """Capture every page of ``registry``, run the rules, and report.

    ``open_page(ref)`` builds the :class:`~gospages.OfficialPage` for a registry entry
    (:class:`gospages.PageFactory` with your keys; :meth:`gospages.testing.Scenario.opener`
    on the sandbox). Pages
    are read ``concurrency`` at a time; each token's rate limit is kept by the transport,
    so pages sharing a key wait for each other. A page that fails (revoked key, deleted
    page) becomes a finding of that page, not a crash. With ``history``, the previous
    run's summary is attached for trends and this run is stored. With ``check_sites``
    the official site of each organisation (from its pages' profiles) is opened once and
    checked for links to its pages (FZ8-13-LIST); ``site_client`` lets tests serve sites.
    Sites are addresses written by strangers: only http(s) to public addresses is opened
    (``site_resolver`` gives a host's addresses, for tests without DNS), redirects are
    checked hop by hop, and a front page is read up to 3 MB within 20 s.

    ``removed(text)`` says which comments moderation would remove, so that an insult
    ending in «?» is not counted as a question to answer; pass
    ``gospages.moderation.would_remove(policy)`` (the CLI does). Without it every
    question counts, insulting ones included.

    Memory stays flat: each page's full snapshot goes to the rules as it arrives and
    is dropped; the report keeps its compact form (:meth:`PageSnapshot.compact`),
    compressed: ``report.pages`` is a :class:`CompactPages`, decoded as read. A
    ``history`` that keeps per-page results (:class:`PageResultStore`, such as
    :class:`gospages.reports.AuditHistory`) gets each page as it finishes; with
    ``resume=True`` an unfinished run of the same pages, policy and ``days`` goes on
    where it stopped: its finished pages are not read again, and the run keeps its
    original ``now`` (so the period is the same for every page).
    """
    if isinstance(policy, str):
        policy = load_policy(policy)
    if days < 1:
        raise ValidationError(f"Период проверки — не меньше одного дня, а не {days}")
    pages = registry.pages()
    store = history if isinstance(history, PageResultStore) else None
    if resume and store is None:
        raise ValidationError(
            "Продолжить проверку можно только с журналом проверок, который хранит "
            "страницы (history=AuditHistory(...))"
        )
    kept: list[bytes | None] = [None] * len(pages)  # each page's compressed audit
    sites: dict[int, str] = {}
    run: int | None = None
    key = run_key(pages, policy, days)
    if resume and store is not None:
        found = store.unfinished_run(key)
        if found is not None:
            run, now, _ = found
            for index, text in store.run_results(run):
                if 0 <= index < len(pages) and kept[index] is None:
                    data = json.loads(text)
                    audit_json = json.dumps(data["audit"], ensure_ascii=False)
                    kept[index] = CompactPages.compress(audit_json)
                    if isinstance(site := data.get("site"), str):
                        sites[index] = site
    now = now or datetime.now(timezone.utc)
    if store is not None and run is None:
        run = store.start_run(key, policy=policy.label, days=days, created_at=now, total=len(pages))
    todo = [i for i, blob in enumerate(kept) if blob is None]
    done = len(pages) - len(todo)
    if progress is not None and done:
        progress(done, len(pages), f"уже проверены: {done}")
    pending: list[PageResult] = []
    _relax_collector()
    try:
        async for position, snapshot in capture_pages(
            [pages[i] for i in todo],
            open_page,
            days=days,
            now=now,
            removed=removed,
            concurrency=concurrency,
        ):
            index = todo[position]
            org, ref = pages[index]
            site = _own_site(snapshot) if check_sites else None
            result = PageResult(index, _page_audit(org, ref, snapshot, policy), site)
            del snapshot  # the full snapshot is not kept past the rules
            kept[index] = CompactPages.compress(result.audit_json)
            if site is not None:
                sites[index] = site
            if store is not None and run is not None:
                pending.append(result)
                if len(pending) >= RESULTS_PER_WRITE:
                    store.add_results(run, pending)
                    pending = []
            done += 1
            if progress is not None:
                progress(done, len(pages), f"{org.name} · {ref.platform.label}")
    finally:
        _restore_collector()
        if store is not None and run is not None and pending:
            store.add_results(run, pending)  # what finished before a stop is kept
    finished = CompactPages.of(
        [(blob, *pages[i]) for i, blob in enumerate(kept) if blob is not None]
    )
    org_findings = missing_pages(registry, policy)
    if check_sites and "FZ8-13-LIST" not in policy.disabled:
        org_sites: dict[str, str] = {}
        for index, url in sorted(sites.items()):
            org_sites.setdefault(pages[index][0].id, url)
        org_findings += await _check_sites(registry, org_sites, site_client, policy, site_resolver)
    report = AuditReport(
        policy=policy.label,
        created_at=now,
        days=days,
        pages=finished,
        organizations=list(registry.organizations),
        findings=org_findings,
        previous=history.previous(policy.label) if history is not None else None,
    )
    if store is not None and run is not None:
        store.finish_run(run, report)
    elif history is not None:
        history.save(report)
    return report


async def _check_sites(
    registry: Registry,
    sites: dict[str, str],
    client: httpx.AsyncClient | None,
    policy: Policy,
    resolve: Resolver | None = None,
) -> list[Finding]:
    """FZ8-13-LIST for each organisation's own site (``{org id: address}``)."""
    from ._site import fetch_site, site_list_findings

    owned = client is None
    client = client or httpx.AsyncClient(headers={"User-Agent": "gospages site check"})
    try:
        pages_html = await asyncio.gather(
            *(fetch_site(client, url, resolve=resolve) for url in sites.values())
        )
    finally:
        if owned:
            await client.aclose()
    findings: list[Finding] = []
    for (org_id, url), html in zip(sites.items(), pages_html, strict=True):
        org = registry.get(org_id)
        official = [p for p in org.pages if describe(p.platform).official]  # R2523-TG
        findings += site_list_findings(org, url, html, official, policy)
    return findings
