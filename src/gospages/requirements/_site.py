"""FZ8-13-LIST: does the official site list the official pages?"""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx

from .._platforms import describe
from ..registry import Organization, PageRef
from ._contacts import classify_site
from ._model import Finding, RuleStatus, Severity
from ._policy import Policy
from ._rules import apply_rule_severity

__all__ = ["fetch_site", "site_list_findings", "site_lists_pages"]

_MAX_BYTES = 3 * 1024 * 1024
_SOURCE = "8-ФЗ ст. 13 ч. 1 (формулировка не найдена); порядки поселений (seed 003 п. 2)"


def _patterns(ref: PageRef) -> list[str]:
    return describe(ref.platform).site_link_patterns(ref.page)


def site_lists_pages(html: str, refs: Iterable[PageRef]) -> list[PageRef]:
    """The pages among ``refs`` that the site's HTML does not link to."""
    text = html.replace("&#47;", "/")
    missing = []
    for ref in refs:
        patterns = _patterns(ref)
        if ref.url:
            bare = ref.url.split("://")[-1].removeprefix("www.").rstrip("/")
            patterns.append(re.escape(bare) + r"(?![\w-])")
        found = any(re.search(p, text, re.I) for p in patterns)
        if not found:
            missing.append(ref)
    return missing


async def fetch_site(client: httpx.AsyncClient, url: str) -> str | None:
    """The site's front page as text, or ``None`` when it cannot be read."""
    target = url if "://" in url else f"https://{url}"
    try:
        response = await client.get(target, follow_redirects=True, timeout=20)
    except (httpx.HTTPError, httpx.InvalidURL):
        return None
    if response.status_code >= 400:
        return None
    return response.text[:_MAX_BYTES]


def site_list_findings(
    org: Organization, site: str, html: str | None, refs: list[PageRef], policy: Policy
) -> list[Finding]:
    """Findings of FZ8-13-LIST for one organisation."""
    info = classify_site(site)
    severity = apply_rule_severity(
        RuleStatus.B, policy.severity.get("FZ8-13-LIST", Severity.WARNING)
    )
    if html is None:
        return [
            Finding(
                rule_id="FZ8-13-LIST",
                severity=Severity.INFO,
                status=RuleStatus.B,
                source=_SOURCE,
                message="Официальный сайт не удалось открыть, список страниц не проверен",
                evidence=info.host,
                org_id=org.id,
            )
        ]
    missing = site_lists_pages(html, refs)
    if not missing:
        return []
    names = ", ".join(f"{r.platform.label} ({r.page})" for r in missing)
    return [
        Finding(
            rule_id="FZ8-13-LIST",
            severity=severity,
            status=RuleStatus.B,
            source=_SOURCE,
            message="На официальном сайте нет ссылок на официальные страницы",
            evidence=f"{info.host}: нет ссылок на {names}",
            fix="Разместите на сайте список официальных страниц со ссылками "
            "(gospages.reports.pages_list_html).",
            org_id=org.id,
            data={"missing": [f"{r.platform.value}:{r.page}" for r in missing]},
        )
    ]
