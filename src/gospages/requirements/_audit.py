"""Auditing a whole registry of pages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from .._errors import ValidationError
from .._platforms import describe
from .._questions import Removal
from ..registry import Organization, PageRef, Registry
from ._capture import traffic_light
from ._fleet import PageOpener, capture_pages
from ._model import AuditReport, Finding, PageAudit, PageSnapshot, RuleStatus, Severity
from ._policy import Policy, load_policy
from ._rules import apply_rule_severity, audit_page

if TYPE_CHECKING:
    from ._site import Resolver

__all__ = ["HistoryStore", "Progress", "audit_registry", "missing_pages"]

Progress = Callable[[int, int, str], None]
"""``progress(done, total, what)``: called as each page is finished."""


class HistoryStore(Protocol):
    """Where :func:`audit_registry` finds the previous run and keeps this one
    (:class:`gospages.reports.AuditHistory` keeps them in SQLite)."""

    def previous(self, policy: str | None = None) -> dict[str, Any] | None: ...

    def save(self, report: AuditReport) -> None: ...


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
        org=org, ref=ref, snapshot=snapshot, findings=audit_page(snapshot, policy), score=score
    )


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
    """
    if isinstance(policy, str):
        policy = load_policy(policy)
    if days < 1:
        raise ValidationError(f"Период проверки — не меньше одного дня, а не {days}")
    now = now or datetime.now(timezone.utc)
    pages = registry.pages()
    audits: list[PageAudit | None] = [None] * len(pages)
    done = 0
    async for index, snapshot in capture_pages(
        pages, open_page, days=days, now=now, removed=removed, concurrency=concurrency
    ):
        org, ref = pages[index]
        audits[index] = _page_audit(org, ref, snapshot, policy)
        done += 1
        if progress is not None:
            progress(done, len(pages), f"{org.name} · {ref.platform.label}")
    finished = [a for a in audits if a is not None]
    org_findings = missing_pages(registry, policy)
    if check_sites and "FZ8-13-LIST" not in policy.disabled:
        org_findings += await _check_sites(registry, finished, site_client, policy, site_resolver)
    report = AuditReport(
        policy=policy.label,
        created_at=now,
        days=days,
        pages=finished,
        organizations=list(registry.organizations),
        findings=org_findings,
        previous=history.previous(policy.label) if history is not None else None,
    )
    if history is not None:
        history.save(report)
    return report


async def _check_sites(
    registry: Registry,
    audits: list[PageAudit],
    client: httpx.AsyncClient | None,
    policy: Policy,
    resolve: Resolver | None = None,
) -> list[Finding]:
    from ._contacts import profile_contacts
    from ._site import fetch_site, site_list_findings

    sites: dict[str, str] = {}
    for audit in audits:
        profile = audit.snapshot.profile
        if audit.org is None or profile is None or audit.org.id in sites:
            continue
        own = profile_contacts(profile).own_site
        if own is not None:
            sites[audit.org.id] = own.url
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
