"""What an audit sees and says: page snapshots, findings, scores, reports."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, Any, overload

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidatorFunctionWrapHandler,
    WrapSerializer,
    WrapValidator,
)

from .._models import PageProfile, Platform, PostSummary, Verification
from ..registry import Organization, PageRef

__all__ = [
    "AuditReport",
    "CommentStats",
    "CompactPages",
    "Finding",
    "PageAudit",
    "PageSnapshot",
    "RuleStatus",
    "Severity",
    "TrafficLightScore",
]


class Severity(str, Enum):
    """How bad a finding is. Rules known only as belief (status B) are never errors."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "нарушение", "warning": "предупреждение", "info": "к сведению"}[self.value]


class RuleStatus(str, Enum):
    """How sure we are of a rule (legal-rules.md)."""

    V = "V"
    """Read in the act itself or in an official quotation."""
    S = "S"
    """Known from secondary sources (summaries, regional acts)."""
    B = "B"
    """Believed, not confirmed."""

    @property
    def label(self) -> str:
        return {
            "V": "подтверждено текстом акта",
            "S": "по вторичным источникам",
            "B": "не подтверждено",
        }[self.value]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Finding(_Model):
    """One thing an audit found, traced to the act it comes from."""

    rule_id: str
    severity: Severity
    message: str
    """What is wrong, in Russian."""
    evidence: str = ""
    """What was seen, in Russian (``"последняя запись 12.10.2026"``)."""
    fix: str = ""
    """How to fix it, in Russian."""
    source: str = ""
    """The act and article (``"8-ФЗ ст. 13"``)."""
    status: RuleStatus = RuleStatus.S
    platform: Platform | None = None
    page: str | None = None
    org_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    """Machine-readable evidence (numbers, dates) for reports."""


class CommentStats(_Model):
    """What the comments of the period say about the page's dialogue with people."""

    total: int = 0
    from_page: int = 0
    """Answers written by the page itself."""
    questions: int = 0
    """Top-level comments that ask something (end with or contain ``?``)."""
    unanswered: list[dict[str, Any]] = Field(default_factory=list)
    """Questions with no answer from the page: ``{"id", "post_id", "date", "hours", "text"}``."""
    skipped_posts: int = 0
    """Posts whose comments the platform refused to show (VK 212); counted without them."""


COMPACT_TEXT = 200
"""Characters of a profile's description a compact snapshot keeps."""
COMPACT_UNANSWERED = 10
"""Unanswered questions (the oldest first, as captured) a compact snapshot keeps."""


class PageSnapshot(_Model):
    """Everything the rules look at, captured once from a page (or built by hand).

    Rules never call a platform: they read a snapshot, so they are testable without a
    network and usable by other systems that already have the data.
    """

    platform: Platform
    page: str
    url: str | None = None
    captured_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    days: int = 28
    """The period the posts and comments cover, ending at ``captured_at``."""
    profile: PageProfile | None = None
    verification: Verification | None = None
    posts: list[PostSummary] = Field(default_factory=list)
    comments: CommentStats | None = None
    org: Organization | None = None
    category: str | None = None
    """The page's regional category («флагманский», «активный», «визитка»), if any."""
    error: str | None = None
    """Why the capture failed (token revoked, page deleted ...), in Russian."""
    comments_error: str | None = None
    """Why the comments could not be read while the page itself was (the profile and
    posts stay; ``comments`` is then ``None``)."""

    @classmethod
    async def capture(cls, page: Any, **options: Any) -> PageSnapshot:
        """Read ``page`` (an :class:`~gospages.OfficialPage`) once; see :func:`capture_snapshot`
        for the options (``days``, ``comments``, ``org``, ``ref``, ``now``)."""
        from ._capture import capture_snapshot

        return await capture_snapshot(page, **options)

    def compact(self) -> PageSnapshot:
        """What a report keeps of this snapshot once the rules have read it.

        Same fields, less text: no post texts or attachment kinds (dates, views, likes,
        reposts and comment counts stay), the profile's description cut to
        :data:`COMPACT_TEXT` characters and no ``extras``, at most
        :data:`COMPACT_UNANSWERED` unanswered questions (their count stays in
        ``comments.questions``). A fleet audit keeps this per page instead of the whole
        snapshot; compacting a compact snapshot changes nothing.
        """
        profile = self.profile
        if profile is not None and (len(profile.description) > COMPACT_TEXT or profile.extras):
            profile = profile.model_copy(
                update={"description": profile.description[:COMPACT_TEXT], "extras": {}}
            )
        posts = [
            p
            if not p.text and not p.attachments
            else p.model_copy(update={"text": "", "attachments": []})
            for p in self.posts
        ]
        comments = self.comments
        if comments is not None and len(comments.unanswered) > COMPACT_UNANSWERED:
            comments = comments.model_copy(
                update={"unanswered": comments.unanswered[:COMPACT_UNANSWERED]}
            )
        return self.model_copy(update={"profile": profile, "posts": posts, "comments": comments})

    @property
    def since(self) -> datetime:
        return self.captured_at - timedelta(days=self.days)

    @property
    def last_post(self) -> datetime | None:
        """The newest post of the period (``None``: no post in the period)."""
        return max((p.date for p in self.posts), default=None)

    def posts_per_week(self) -> float:
        return len(self.posts) * 7 / self.days if self.days else 0.0

    def posts_in_last(self, days: int) -> int:
        edge = self.captured_at - timedelta(days=days)
        return sum(1 for p in self.posts if p.date >= edge)


class TrafficLightScore(_Model):
    """The Минцифры "traffic light" share of basic requirements met (legal-rules.md)."""

    total: float
    """Percent of the points that could be judged (0-100)."""
    parts: dict[str, float]
    """Points per criterion; a criterion that could not be judged is absent."""
    possible: dict[str, float] = Field(default_factory=dict)
    """The most points each judged criterion could give (design is out of 10 where a
    platform has no cover)."""
    unknown: list[str] = Field(default_factory=list)
    """Criteria that need data the API did not give (e.g. reach without ``stats.get``)."""

    @property
    def color(self) -> str:
        return "green" if self.total >= 80 else "yellow" if self.total >= 50 else "red"


class PageAudit(_Model):
    """One page of a fleet audit: its snapshot, findings and score."""

    org: Organization | None
    ref: PageRef | None
    snapshot: PageSnapshot
    findings: list[Finding]
    score: TrafficLightScore | None = None


class CompactPages(Sequence[PageAudit]):
    """The pages of a report kept compressed: a read-only sequence of :class:`PageAudit`.

    Each page is kept as its zlib-compressed JSON (without the organisation and registry
    entry, which are shared with the registry) and decoded when it is read, so a report
    of ten thousand pages holds a few kilobytes a page instead of every page's models.
    :func:`~gospages.requirements.audit_registry` builds its report's pages this way; a
    report built with a plain list keeps the list. Reading a page twice decodes it
    twice: iterate once where you can.
    """

    __slots__ = ("_blobs", "_owners")

    def __init__(self) -> None:
        self._blobs: list[bytes] = []
        self._owners: list[tuple[Organization | None, PageRef | None]] = []

    @staticmethod
    def encode(audit: PageAudit) -> str:
        """The JSON :meth:`append_json` takes: ``audit`` without ``org``, ``ref`` and the
        snapshot's ``org``."""
        return audit.model_dump_json(exclude={"org": True, "ref": True, "snapshot": {"org"}})

    @staticmethod
    def compress(text: str) -> bytes:
        """What a page given as :meth:`encode` wrote it is kept as."""
        return zlib.compress(text.encode(), 1)  # level 1: 30 % faster than 6, 7 % larger

    @classmethod
    def of(
        cls, entries: Sequence[tuple[bytes, Organization | None, PageRef | None]]
    ) -> CompactPages:
        """Pages given as ``(compress(encode(audit)), org, ref)``, in order."""
        pages = cls()
        pages._blobs = [blob for blob, _, _ in entries]
        pages._owners = [(org, ref) for _, org, ref in entries]
        return pages

    def append(self, audit: PageAudit) -> None:
        self.append_json(self.encode(audit), audit.org, audit.ref)

    def append_json(self, text: str, org: Organization | None, ref: PageRef | None) -> None:
        """Keep a page given as :meth:`encode` wrote it, tied back to its registry entry."""
        self._blobs.append(self.compress(text))
        self._owners.append((org, ref))

    @property
    def nbytes(self) -> int:
        """Compressed bytes kept for the pages (what a page costs beyond its registry entry)."""
        return sum(len(b) for b in self._blobs)

    def _decode(self, i: int) -> PageAudit:
        data = json.loads(zlib.decompress(self._blobs[i]))
        org, ref = self._owners[i]
        data["org"], data["ref"] = org, ref
        data["snapshot"]["org"] = org
        return PageAudit.model_validate(data)

    def __len__(self) -> int:
        return len(self._blobs)

    @overload
    def __getitem__(self, index: int) -> PageAudit: ...
    @overload
    def __getitem__(self, index: slice) -> list[PageAudit]: ...
    def __getitem__(self, index: int | slice) -> PageAudit | list[PageAudit]:
        if isinstance(index, slice):
            return [self._decode(i) for i in range(len(self))[index]]
        return self._decode(range(len(self))[index])

    def __iter__(self) -> Iterator[PageAudit]:
        for i in range(len(self)):
            yield self._decode(i)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CompactPages({len(self)} страниц, {self.nbytes} байт)"


def _keep_compact(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    return value if isinstance(value, CompactPages) else handler(value)


def _dump_pages(value: Any, handler: SerializerFunctionWrapHandler) -> Any:
    return handler(list(value) if isinstance(value, CompactPages) else value)


ReportPages = Annotated[
    Sequence[PageAudit], WrapValidator(_keep_compact), WrapSerializer(_dump_pages)
]
"""A report's pages: a list, or :class:`CompactPages` kept as they are."""


class AuditReport(_Model):
    """The result of auditing a registry (or some pages) against a policy."""

    policy: str
    """Policy name and version (``"tomsk@2023-02"``)."""
    created_at: datetime
    days: int
    pages: ReportPages
    """The audited pages: a list, or (from :func:`~gospages.requirements.audit_registry`)
    a :class:`CompactPages`, read-only and decoded as read."""
    organizations: list[Organization] = Field(default_factory=list)
    """Every organisation of the registry, pages or not."""
    findings: list[Finding] = Field(default_factory=list)
    """Findings about organisations rather than pages (no page at all ...)."""
    previous: dict[str, Any] | None = None
    """Summary of the previous run, for trends: ``{"created_at", "pages": {key: {...}}}``."""

    def __repr__(self) -> str:
        # Thousands of pages and organisations: their count, not their contents (asyncio
        # formats the repr of a finished task's result; a full one took seconds).
        return (
            f"AuditReport(policy={self.policy!r}, created_at={self.created_at.isoformat()}, "
            f"pages={len(self.pages)}, organizations={len(self.organizations)}, "
            f"findings={len(self.findings)})"
        )

    def all_findings(self) -> list[Finding]:
        return self.findings + [f for page in self.pages for f in page.findings]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.all_findings() if f.severity is severity)
