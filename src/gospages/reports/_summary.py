"""What every report shows, computed once: rows per page, totals per network, trends.

HTML, XLSX and Markdown all read these helpers, so a number is the same in every report.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit

from .._escape import shown_text
from .._models import Platform, VerificationState
from .._platforms import describe
from .._russian import integer, number, plural
from ..registry import Organization
from ..requirements import AuditReport, Finding, PageAudit, Severity, TrafficLightScore

#: ``TrafficLightScore.parts`` keys the reports read, with their labels (legal-rules.md,
#: «светофор»). How many points each can give comes with the score (``possible``).
SCORE_PARTS: dict[str, str] = {
    "gospubliki": "Подключение к «Госпабликам»",
    "mark": "Госметка",
    "design": "Оформление",
    "widgets": "Виджеты",
    "activity": "Активность",
    "reach_week": "Охват за неделю",
    "reach_post": "Средний охват публикации",
}
#: The finding that carries the publication norm (publications a week) in ``data["norm"]``.
NORM_RULE = "POL-FREQ"
#: Version of the :func:`summarize` dict.
SUMMARY_VERSION = 1
UNKNOWN = "нет данных"

_COLOR_LABELS = {"green": "зелёный", "yellow": "жёлтый", "red": "красный", "none": "нет оценки"}
_MARK_LABELS = {
    VerificationState.CONFIRMED: "есть",
    VerificationState.NOT_CONFIRMED: "нет",
    VerificationState.UNKNOWN: UNKNOWN,
}


# -- Formatting ---------------------------------------------------------------------------


def fmt_int(value: int | float | None) -> str:
    """``2421`` → ``"2 421"`` (a non-breaking space between thousands); ``None`` → нет данных."""
    if value is None:
        return UNKNOWN
    return integer(value)


def fmt_num(value: float, digits: int = 1) -> str:
    """``1.5`` → ``"1,5"``; whole numbers without a fraction (:func:`gospages._russian.number`)."""
    return number(value, digits)


def fmt_delta(value: float | None) -> str:
    """``+12``, ``−3``, ``0``; empty when unknown."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + fmt_num(abs(value))


def fmt_date(value: datetime | None, tz: tzinfo | None = None) -> str:
    if value is None:
        return "—"
    return (value.astimezone(tz) if tz is not None else value).strftime("%d.%m.%Y")


def pages_word(n: int) -> str:
    """«страница», «страницы» or «страниц» for ``n``."""
    return plural(n, "страница", "страницы", "страниц")


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, else ``None`` (no ``javascript:`` links)."""
    if not url:
        return None
    url = url.strip()
    if any(c.isspace() for c in url) or shown_text(url) != url:
        return None  # control or bidi characters, or too long to show
    parts = urlsplit(url)
    return url if parts.scheme in {"http", "https"} and parts.netloc else None


def page_url(platform: Platform, page: str, url: str | None = None) -> str | None:
    """The page's public address: ``url`` when it is http(s), else made from the id."""
    if safe := safe_url(url):
        return safe
    page = page.strip().lstrip("@")
    if not page or "/" in page:
        return None
    return describe(platform).page_url(page)


def page_key(platform: Platform, page: str) -> str:
    """The key of a page in :func:`summarize` (``"vk:club200001"``)."""
    return f"{platform.value}:{page}"


# -- Rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRow:
    """One audited page as every report shows it (what the reports read of its
    :class:`PageAudit`, not the audit itself: rendering ten thousand pages does not keep
    every page's snapshot)."""

    key: str
    platform: Platform
    page: str
    url: str | None
    name: str
    """The page's own name (profile), else its id."""
    org: Organization | None
    subscribers: int | None
    posts: int
    """Publications within the period."""
    weekly: tuple[int, ...]
    """Publications per week of the period, oldest first."""
    last_post: datetime | None
    mark: VerificationState
    views_per_post: float | None
    """Mean views of the last 7 days' posts (``None``: no post or no views)."""
    norm: float | None
    """Publications per week the policy asks of this page, from its findings."""
    score: TrafficLightScore | None
    findings: list[Finding]
    """The page's findings (empty in a view made with ``findings=False``)."""
    error: str | None
    """Why the page could not be read (``snapshot.error``)."""
    errors: int = 0
    """Findings of severity ``error`` (counted even when ``findings`` is not kept)."""
    warnings: int = 0
    infos: int = 0

    @property
    def address(self) -> str:
        """The address without the scheme, for link text (``vk.com/club1``)."""
        if self.url is None:
            return self.page
        return self.url.split("://", 1)[-1].removeprefix("www.").rstrip("/")

    @property
    def org_name(self) -> str:
        return self.org.name if self.org is not None else self.name

    @property
    def scored(self) -> bool:
        """Whether the page gets the Минцифры traffic light: official pages only (VK, OK)."""
        return describe(self.platform).official

    @property
    def color(self) -> str:
        """``green``, ``yellow``, ``red``, or ``none`` without a score."""
        return self.score.color if self.score is not None else "none"

    @property
    def mark_label(self) -> str:
        return _MARK_LABELS[self.mark]


def _norm(findings: Iterable[Finding]) -> float | None:
    for finding in findings:
        value = finding.data.get("norm") if finding.rule_id == NORM_RULE else None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
    return None


def weeks_of(report: AuditReport) -> int:
    return max(1, math.ceil(report.days / 7))


def week_starts(report: AuditReport) -> list[datetime]:
    """The first moment of each week of the period (the oldest one may be shorter)."""
    n = weeks_of(report)
    return [report.created_at - timedelta(days=7 * (n - i)) for i in range(n)]


def page_row(audit: PageAudit, weeks: int, *, findings: bool = True) -> PageRow:
    """What the reports show of ``audit``; ``findings=False``: its findings counted, not kept."""
    snap = audit.snapshot
    severities = Counter(f.severity for f in audit.findings)
    end = snap.captured_at
    start = snap.since
    posts = [p for p in snap.posts if start <= p.date <= end]
    weekly = [0] * weeks
    for post in posts:
        index = weeks - 1 - int((end - post.date) / timedelta(days=7))
        weekly[max(index, 0)] += 1
    week_ago = end - timedelta(days=7)
    views = [p.views for p in posts if p.date >= week_ago and p.views is not None]
    profile = snap.profile
    ref = audit.ref
    verification = snap.verification
    return PageRow(
        key=page_key(snap.platform, snap.page),
        platform=snap.platform,
        page=snap.page,
        url=page_url(
            snap.platform,
            snap.page,
            snap.url or (ref.url if ref else None) or (profile.url if profile else None),
        ),
        name=profile.name if profile is not None else snap.page,
        org=audit.org or snap.org,
        subscribers=profile.members_count if profile is not None else None,
        posts=len(posts),
        weekly=tuple(weekly),
        last_post=max((p.date for p in posts), default=None),
        mark=verification.state if verification is not None else VerificationState.UNKNOWN,
        views_per_post=sum(views) / len(views) if views else None,
        norm=_norm(audit.findings),
        score=audit.score,
        findings=audit.findings if findings else [],
        error=snap.error,
        errors=severities[Severity.ERROR],
        warnings=severities[Severity.WARNING],
        infos=severities[Severity.INFO],
    )


def ordered_orgs(orgs: Sequence[Organization]) -> list[tuple[int, Organization]]:
    """``(depth, organisation)`` top-down like ``Registry.walk``, tolerant of missing parents.

    An organisation whose parent is not in ``orgs`` starts a tree of its own.
    """
    ids = {o.id for o in orgs}
    children: dict[str | None, list[Organization]] = {}
    for org in orgs:
        children.setdefault(org.parent if org.parent in ids else None, []).append(org)
    out: list[tuple[int, Organization]] = []
    seen: set[str] = set()

    def visit(parent: str | None, depth: int) -> None:
        for org in children.get(parent, []):
            if org.id not in seen:
                seen.add(org.id)
                out.append((depth, org))
                visit(org.id, depth + 1)

    visit(None, 0)
    # A cycle of parents (not possible in a Registry) would leave organisations out.
    out.extend((0, o) for o in orgs if o.id not in seen)
    return out


@dataclass(frozen=True)
class OrgBlock:
    """An organisation in hierarchy order with its pages and its own findings."""

    depth: int
    org: Organization | None
    """``None``: pages whose organisation the report does not know."""
    rows: list[PageRow]
    findings: list[Finding]


@dataclass(frozen=True)
class NetworkTotals:
    """One network's line of the summary (the shape of a district's yearly report)."""

    platform: Platform
    pages: int
    subscribers: int
    subscribers_unknown: int
    """Pages whose subscriber count is not known (not in ``subscribers``)."""
    posts: int
    confirmed: int
    """Pages with the «Госорганизация» mark."""
    previous_subscribers: int | None = None
    previous_posts: int | None = None

    @property
    def label(self) -> str:
        return self.platform.label

    @property
    def subscribers_delta(self) -> int | None:
        if self.previous_subscribers is None:
            return None
        return self.subscribers - self.previous_subscribers

    @property
    def posts_delta(self) -> int | None:
        return None if self.previous_posts is None else self.posts - self.previous_posts


def network_totals(
    rows: Sequence[PageRow], previous: dict[str, Any] | None = None
) -> list[NetworkTotals]:
    """Pages, subscribers and publications per network, in the order of :class:`Platform`."""
    before = (previous or {}).get("networks") or {}
    out = []
    for platform in Platform:
        mine = [r for r in rows if r.platform is platform]
        if not mine:
            continue
        prev = before.get(platform.value) or {}
        out.append(
            NetworkTotals(
                platform=platform,
                pages=len(mine),
                subscribers=sum(r.subscribers or 0 for r in mine),
                subscribers_unknown=sum(1 for r in mine if r.subscribers is None),
                posts=sum(r.posts for r in mine),
                confirmed=sum(1 for r in mine if r.mark is VerificationState.CONFIRMED),
                previous_subscribers=_int_or_none(prev.get("subscribers")),
                previous_posts=_int_or_none(prev.get("posts")),
            )
        )
    return out


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Trend:
    """A page now and in the previous run."""

    row: PageRow
    subscribers_before: int | None
    posts_before: int | None
    score_before: float | None

    @property
    def subscribers_delta(self) -> int | None:
        if self.subscribers_before is None or self.row.subscribers is None:
            return None
        return self.row.subscribers - self.subscribers_before

    @property
    def posts_delta(self) -> int | None:
        return None if self.posts_before is None else self.row.posts - self.posts_before

    @property
    def score_delta(self) -> float | None:
        if self.score_before is None or self.row.score is None:
            return None
        return round(self.row.score.total - self.score_before, 1)


@dataclass(frozen=True)
class ReportView:
    """Everything a report shows, derived from an :class:`AuditReport`."""

    report: AuditReport
    rows: list[PageRow]
    networks: list[NetworkTotals]
    blocks: list[OrgBlock]
    without_pages: list[tuple[Organization, list[Finding]]]
    week_starts: list[datetime]
    norm: float | None
    """The policy's usual publication norm (the most common one in the findings)."""
    counts: dict[Severity, int]
    trends: list[Trend]
    previous_created_at: datetime | None

    @property
    def tz(self) -> tzinfo | None:
        return self.report.created_at.tzinfo

    @property
    def period_start(self) -> datetime:
        return self.report.created_at - timedelta(days=self.report.days)

    def date(self, value: datetime | None) -> str:
        return fmt_date(value, self.tz)

    def week_labels(self) -> list[str]:
        """``"12.06–18.06"`` for each week of the period."""
        end = self.report.created_at
        return [
            f"{self.date(max(s, self.period_start))[:5]}–"
            f"{self.date(min(s + timedelta(days=7), end))[:5]}"
            for s in self.week_starts
        ]

    @property
    def colors(self) -> dict[str, int]:
        """How many official pages are green, yellow, red, or not scored.

        Telegram channels are not official pages and get no traffic light: they are not
        counted, so they do not dilute a region's colours.
        """
        counted = Counter(r.color for r in self.rows if r.scored)
        return {color: counted.get(color, 0) for color in _COLOR_LABELS}

    @property
    def total_subscribers(self) -> int:
        return sum(n.subscribers for n in self.networks)

    @property
    def total_posts(self) -> int:
        return sum(n.posts for n in self.networks)

    def located_findings(self) -> list[tuple[str, Platform | None, str, Finding]]:
        """Every finding in hierarchy order: ``(organisation, platform, page, finding)``.

        An organisation's own findings have no platform and an empty page.
        """
        out: list[tuple[str, Platform | None, str, Finding]] = []
        for block in self.blocks:
            name = block.org.name if block.org is not None else ""
            out += [(name, f.platform, "", f) for f in block.findings]
            out += [
                (r.org_name, r.platform, r.url or r.page, f) for r in block.rows for f in r.findings
            ]
        return out

    def findings_by_severity(self) -> list[tuple[Severity, list[tuple[str, Finding]]]]:
        """``(severity, [(where, finding)])`` for every severity that has findings."""
        where = [
            (f"{org} · {platform.label}" if platform else org, f)
            for org, platform, _, f in self.located_findings()
        ]
        return [
            (severity, [(w, f) for w, f in where if f.severity is severity])
            for severity in Severity
            if any(f.severity is severity for _, f in where)
        ]


def part_max(score: TrafficLightScore, key: str) -> float | None:
    """The most points ``key`` could give in ``score`` (``None``: not judged)."""
    return score.possible.get(key)


def color_label(color: str) -> str:
    return _COLOR_LABELS[color]


def view(report: AuditReport, *, findings: bool = True) -> ReportView:
    """Compute what the reports show (rows, totals, hierarchy, trends) once.

    ``report.pages`` is read once. ``findings=False`` (for :func:`summarize`): rows
    count their findings but do not keep them, so that ten thousand pages' findings are
    not held at once."""
    weeks = weeks_of(report)
    rows = [page_row(audit, weeks, findings=findings) for audit in report.pages]
    by_org: dict[str | None, list[PageRow]] = {}
    for row in rows:
        by_org.setdefault(row.org.id if row.org is not None else None, []).append(row)
    org_findings: dict[str | None, list[Finding]] = {}
    for finding in report.findings:
        org_findings.setdefault(finding.org_id, []).append(finding)

    orgs = list(report.organizations)
    known = {o.id for o in orgs}
    # Organisations of audited pages that the report's list lacks still get their block.
    for row in rows:
        if row.org is not None and row.org.id not in known:
            orgs.append(row.org)
            known.add(row.org.id)
    blocks = [
        OrgBlock(depth, org, by_org.get(org.id, []), org_findings.get(org.id, []))
        for depth, org in ordered_orgs(orgs)
    ]
    loose = by_org.get(None, [])
    loose_findings = [f for key, fs in org_findings.items() if key not in known for f in fs]
    if loose or loose_findings:
        blocks.append(OrgBlock(0, None, loose, loose_findings))

    norms = Counter(r.norm for r in rows if r.norm is not None)
    previous = report.previous or {}
    return ReportView(
        report=report,
        rows=[row for block in blocks for row in block.rows],
        networks=network_totals(rows, previous),
        blocks=blocks,
        without_pages=[(b.org, b.findings) for b in blocks if b.org is not None and not b.rows],
        week_starts=week_starts(report),
        norm=norms.most_common(1)[0][0] if norms else None,
        counts=_counts(report.findings, rows),
        trends=_trends(rows, previous),
        previous_created_at=_parse_date(previous.get("created_at")),
    )


def _counts(findings: Sequence[Finding], rows: Sequence[PageRow]) -> dict[Severity, int]:
    """``report.count(s)`` for every severity, from the rows (the pages read once)."""
    counted = Counter(f.severity for f in findings)
    for row in rows:
        counted[Severity.ERROR] += row.errors
        counted[Severity.WARNING] += row.warnings
        counted[Severity.INFO] += row.infos
    return {s: counted.get(s, 0) for s in Severity}


def _trends(rows: Sequence[PageRow], previous: dict[str, Any]) -> list[Trend]:
    pages = previous.get("pages")
    if not isinstance(pages, dict):
        return []
    out = []
    for row in rows:
        before = pages.get(row.key)
        if isinstance(before, dict):
            score = before.get("score")
            out.append(
                Trend(
                    row,
                    _int_or_none(before.get("subscribers")),
                    _int_or_none(before.get("posts")),
                    float(score) if isinstance(score, (int, float)) else None,
                )
            )
    return out


def _parse_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


# -- What an audit stores for the next run --------------------------------------------------


def summarize(report: AuditReport) -> dict[str, Any]:
    """The JSON-ready summary of ``report`` an audit stores and passes as ``previous`` next time.

    Shape (version 1)::

        {
          "version": 1,
          "policy": "tomsk@2023",
          "created_at": "2023-07-10T09:00:00+07:00",   # ISO 8601
          "days": 28,
          "counts": {"error": 3, "warning": 7, "info": 2},
          "networks": {"vk": {"pages": 12, "subscribers": 2421, "posts": 96}, ...},
          "pages": {
            "vk:club200001": {                          # "<platform>:<page>"
              "org_id": "ensk", "url": "https://vk.com/club200001",
              "subscribers": 2421,                      # or None when unknown
              "posts": 20,                              # publications in the period
              "score": 85.0,                            # or None
              "color": "green",                         # green/yellow/red/none
              "errors": 0, "warnings": 1,
            },
          },
        }

    ``render_html`` reads ``report.previous`` in this shape: per-network and per-page
    differences of subscribers, publications and score. Unknown keys are ignored and
    missing ones mean "no comparison".
    """
    v = view(report, findings=False)
    return {
        "version": SUMMARY_VERSION,
        "policy": report.policy,
        "created_at": report.created_at.isoformat(),
        "days": report.days,
        "counts": {s.value: n for s, n in v.counts.items()},
        "networks": {
            n.platform.value: {"pages": n.pages, "subscribers": n.subscribers, "posts": n.posts}
            for n in v.networks
        },
        "pages": {
            row.key: {
                "org_id": row.org.id if row.org is not None else None,
                "url": row.url,
                "subscribers": row.subscribers,
                "posts": row.posts,
                "score": row.score.total if row.score is not None else None,
                "color": row.color,
                "errors": row.errors,
                "warnings": row.warnings,
            }
            for row in v.rows
        },
    }
