"""A realistic AuditReport for report tests: a seeded region audited on the sandbox by the
real audit engine (``audit_registry``) under the Tomsk policy."""

from __future__ import annotations

import asyncio
import functools
from datetime import datetime, timedelta, timezone
from typing import Any

from gospages import Platform
from gospages.reports import summarize
from gospages.requirements import AuditReport, audit_registry
from gospages.testing import build_region
from gospages.vk import VKLimits

TOMSK = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=TOMSK)
DAYS = 28


def _options(platform: Platform) -> dict[str, Any]:
    if platform is Platform.VK:
        return {"limits": VKLimits(user=1000, service=1000)}
    if platform is Platform.OK:
        return {"requests_per_second": 1000}
    return {}


async def _build(seed: int) -> AuditReport:
    region = build_region(seed=seed, now=NOW.timestamp(), vk_rate_limits=False)
    return await audit_registry(
        region.registry,
        lambda ref: region.open_ref(ref, **_options(ref.platform)),
        "tomsk",
        days=DAYS,
        now=NOW,
    )


@functools.cache
def build_report(seed: int = 1) -> AuditReport:
    """The report of the seeded region (built once per seed)."""
    return asyncio.run(_build(seed))


def with_previous(report: AuditReport) -> AuditReport:
    """``report`` with a previous run a week earlier: fewer subscribers, other post counts."""
    before = summarize(report)
    before["created_at"] = (report.created_at - timedelta(days=7)).isoformat()
    for i, page in enumerate(before["pages"].values()):
        if page["subscribers"] is not None:
            page["subscribers"] -= 10 * (i % 4)
        page["posts"] += (i % 3) - 1
        if page["score"] is not None:
            page["score"] = max(page["score"] - 5 * (i % 2), 0)
    for network in before["networks"].values():
        network["subscribers"] -= 100
    return report.model_copy(update={"previous": before})
