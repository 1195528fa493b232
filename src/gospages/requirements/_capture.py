"""Capturing a page snapshot from an :class:`OfficialPage`, and the traffic-light score."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .._models import Comment, Platform, VerificationState
from .._page import OfficialPage, PageReading
from .._platforms import describe
from .._questions import Removal, unanswered_questions
from ..registry import Organization, PageRef
from ._model import CommentStats, PageSnapshot, TrafficLightScore

__all__ = ["capture_snapshot", "comment_stats", "snapshot_from", "traffic_light"]

MAX_POSTS = 1000
"""The most posts of one page a snapshot keeps."""


def comment_stats(
    comments: list[Comment], now: datetime, *, removed: Removal | None = None
) -> CommentStats:
    """Totals, answers from the page, and questions nobody from the page answered.

    A question is what :func:`gospages._questions.awaits_answer` says (the same as the
    inbox's); ``removed(text)`` tells which comments moderation would remove (an insult
    ending in «?» is no question to answer): :func:`gospages.moderation.would_remove`.
    """
    questions, open_ = unanswered_questions(comments, removed=removed)
    unanswered = [
        {
            "id": q.id,
            "post_id": q.post_id,
            "date": q.date.isoformat() if q.date else None,
            "hours": round((now - q.date).total_seconds() / 3600, 1) if q.date else 0.0,
            "text": q.text[:200],
        }
        for q in open_
    ]
    return CommentStats(
        total=sum(1 for c in comments if not c.deleted),
        from_page=sum(1 for c in comments if c.from_page),
        questions=len(questions),
        unanswered=unanswered,
    )


def _described(error: Exception | None) -> str | None:
    return None if error is None else f"{type(error).__name__}: {error}"


def snapshot_from(
    reading: PageReading,
    *,
    platform: Platform,
    page: str,
    days: int,
    now: datetime,
    org: Organization | None = None,
    ref: PageRef | None = None,
    comments: bool = True,
    removed: Removal | None = None,
) -> PageSnapshot:
    """The snapshot of one :class:`~gospages.PageReading` (what the rules look at)."""
    url = ref.url if ref else None
    if url is None and reading.profile is not None and reading.error is None:
        url = reading.profile.url
    stats = None
    if comments and reading.comments is not None:
        stats = comment_stats(reading.comments, now, removed=removed).model_copy(
            update={"skipped_posts": len(reading.skipped_posts)}
        )
    return PageSnapshot(
        platform=platform,
        page=ref.page if ref else page,
        url=url,
        captured_at=now,
        days=days,
        org=org,
        category=ref.category if ref else None,
        profile=reading.profile,
        verification=reading.verification,
        posts=reading.posts,
        comments=stats,
        error=_described(reading.error),
        comments_error=_described(reading.comments_error) if reading.error is None else None,
    )


async def capture_snapshot(
    page: OfficialPage,
    *,
    days: int = 28,
    comments: bool = True,
    org: Organization | None = None,
    ref: PageRef | None = None,
    now: datetime | None = None,
    removed: Removal | None = None,
) -> PageSnapshot:
    """Read a page once: profile, mark, posts and comments of the last ``days`` days.

    A failure (revoked key, deleted page, rate limit) does not raise: the snapshot
    carries it in ``error``; when only the comments could not be read, the profile and
    posts stay and ``comments_error`` says why. An audit of many pages goes on either
    way. ``removed``: see :func:`comment_stats`. The same reading code serves a whole
    fleet (:func:`gospages.requirements.capture_pages`, :meth:`OfficialPage.read_many`).
    """
    now = now or datetime.now(timezone.utc)
    reading = await page.read(
        since=now - timedelta(days=days), until=now, comments=comments, max_posts=MAX_POSTS
    )
    return snapshot_from(
        reading,
        platform=page.platform,
        page=page.page_id,
        days=days,
        now=now,
        org=org,
        ref=ref,
        comments=comments,
        removed=removed,
    )


#: The Минцифры "traffic light" weights (legal-rules.md), in points.
TRAFFIC_LIGHT_WEIGHTS = {
    "gospubliki": 10,
    "mark": 10,
    "design": 20,
    "widgets": 10,
    "activity": 30,
    "reach_week": 10,
    "reach_post": 5,
}


def traffic_light(snapshot: PageSnapshot) -> TrafficLightScore | None:
    """Score a page the way the regional monitoring tool does, as far as data allows.

    Criteria the public API cannot show (connection to «Госпаблики», weekly reach,
    reach per post: these need ``stats.get`` with an admin's key) are reported in
    ``unknown`` and left out of the percentage instead of counting as zero.

    The Минцифры traffic light scores official pages (VK, OK: ``describe(p).official``).
    A page of another platform (a Telegram channel) gets none: ``None``, so that a
    region's colours are not diluted by channels; nor does a deleted or banned page
    (``profile.deactivated``), which is the finding ``GP-DEACTIVATED`` instead.
    """
    if not describe(snapshot.platform).official:
        return None
    if snapshot.profile is not None and snapshot.profile.deactivated:
        return None  # a deleted or banned page is a finding of its own (GP-DEACTIVATED)
    parts: dict[str, float] = {}
    possible: dict[str, float] = {}
    unknown = ["gospubliki", "reach_week", "reach_post"]
    profile, verification = snapshot.profile, snapshot.verification
    if verification is None or verification.state is VerificationState.UNKNOWN:
        unknown.append("mark")
    else:
        parts["mark"] = 10.0 if verification.state is VerificationState.CONFIRMED else 0.0
        possible["mark"] = TRAFFIC_LIGHT_WEIGHTS["mark"]
    if profile is not None:
        design = (5.0 if profile.avatar_url else 0.0) + (5.0 if profile.description else 0.0)
        most = 10.0
        if "cover_url" in describe(snapshot.platform).profile_fields:  # VK has a cover
            design += 10.0 if profile.cover_url else 0.0
            most = 20.0
        parts["design"], possible["design"] = design, most
        widgets = profile.feedback_widgets
        if widgets is None:
            unknown.append("widgets")
        else:
            parts["widgets"] = 10.0 if len(widgets) >= 2 else 5.0 if widgets else 0.0
            possible["widgets"] = 10
    else:
        unknown += ["design", "widgets"]
    if snapshot.error is None:
        recent = snapshot.posts_in_last(7)
        parts["activity"] = 30.0 if recent >= 3 else 10.0 * recent
        possible["activity"] = 30
    else:
        unknown.append("activity")
    total = 100 * sum(parts.values()) / sum(possible.values()) if possible else 0.0
    return TrafficLightScore(
        total=round(total, 1), parts=parts, possible=possible, unknown=sorted(unknown)
    )
