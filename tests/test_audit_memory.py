"""Flat memory of a fleet audit (issue 12): the report keeps its pages compressed, reads
are bounded, and a streamed audit reports exactly what an in-memory one does."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import pytest

from gospages import OfficialPage, PageReading, Platform, VirtualClock
from gospages.registry import Organization, OrgKind, OrgLevel, PageRef, Registry
from gospages.reports import render_markdown, summarize
from gospages.requirements import (
    AuditReport,
    CompactPages,
    PageAudit,
    audit_page,
    audit_registry,
    capture_pages,
    capture_snapshot,
    find_phones,
    load_policy,
    traffic_light,
)
from gospages.testing import FakeVK, build_region
from gospages.testing._scenario import Scenario
from gospages.vk import VKLimits, VKPage

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def sandbox() -> tuple[Scenario, Any]:
    scenario = build_region(seed=3, vk_rate_limits=False, telegram=False, now=NOW.timestamp())

    def open_ref(ref: PageRef) -> Any:
        options: dict[str, Any] = {}
        if ref.platform is Platform.VK:
            options = {"limits": VKLimits(user=1000, service=1000)}
        elif ref.platform is Platform.OK:
            options = {"requests_per_second": 1000}
        return scenario.open_ref(ref, **options)

    return scenario, open_ref


def test_a_streamed_audit_reports_what_an_in_memory_list_does() -> None:
    scenario, open_ref = sandbox()
    policy = load_policy("tomsk")
    streamed = asyncio.run(
        audit_registry(scenario.registry, open_ref, policy, now=NOW, concurrency=3)
    )
    assert isinstance(streamed.pages, CompactPages)

    async def one_by_one() -> list[PageAudit]:
        audits = []
        for org, ref in scenario.registry.pages():
            async with open_ref(ref) as page:
                snap = await capture_snapshot(page, days=28, org=org, ref=ref, now=NOW)
            score = traffic_light(snap) if snap.error is None else None
            findings = audit_page(snap, policy)
            audits.append(
                PageAudit(org=org, ref=ref, snapshot=snap.compact(), findings=findings, score=score)
            )
        return audits

    in_memory = AuditReport(
        policy=streamed.policy,
        created_at=NOW,
        days=28,
        pages=asyncio.run(one_by_one()),
        organizations=list(scenario.registry.organizations),
        findings=streamed.findings,
    )
    assert isinstance(in_memory.pages, list) and len(in_memory.pages) == len(streamed.pages)
    assert any(a.findings for a in in_memory.pages)
    assert summarize(streamed) == summarize(in_memory)
    assert render_markdown(streamed) == render_markdown(in_memory)
    assert streamed == in_memory and in_memory == streamed
    # A compact report is a report: dumped, validated back, copied.
    dumped = streamed.model_dump(mode="json")
    assert dumped == in_memory.model_dump(mode="json")
    back = AuditReport.model_validate(dumped)
    assert isinstance(back.pages, list) and back == streamed
    assert AuditReport.model_validate_json(streamed.model_dump_json()) == in_memory
    assert isinstance(streamed.model_copy().pages, CompactPages)


def test_compact_pages_round_trip() -> None:
    scenario, open_ref = sandbox()
    report = asyncio.run(audit_registry(scenario.registry, open_ref, "tomsk", now=NOW))
    audits = list(report.pages)
    store = CompactPages()
    for audit in audits:
        store.append(audit)
    assert len(store) == len(audits) and list(store) == audits and store == audits
    assert store[0] == audits[0] and store[-1] == audits[-1]
    assert store[1:4] == audits[1:4] and store[::-1] == audits[::-1]
    with pytest.raises(IndexError):
        store[len(audits)]
    # The organisation and registry entry are the registry's own objects, not copies.
    assert all(
        a.org is o and a.ref is r
        for a, (o, r) in zip(store, scenario.registry.pages(), strict=True)
    )
    assert all(a.snapshot.org is a.org for a in store)
    assert store[0].snapshot.profile is not None and store[0].snapshot.profile.name
    assert store != audits[:-1] and store != "text"
    assert "страниц" in repr(store)
    # What a user builds by hand keeps working as a list.
    by_hand = AuditReport(policy="x", created_at=NOW, days=28, pages=audits[:2])
    assert by_hand.pages == audits[:2] and isinstance(by_hand.pages, list)
    assert AuditReport(policy="x", created_at=NOW, days=28, pages=store).pages is store


# -- bounded memory ---------------------------------------------------------------------------

WHEN = NOW.timestamp()
TEXT = "Новость учреждения: приём граждан по вторникам, подробности на сайте. " * 30


def fleet(n: int) -> tuple[FakeVK, Registry, Any]:
    """``n`` communities, each with four posts of long text and a thread of questions."""
    fake = FakeVK(clock=VirtualClock(start=WHEN))
    fake.add_token("user-key", kind="user", user_id=7)
    fake.add_token("service-key", kind="service")
    for k in range(n):
        gid = 1000 + k
        fake.add_group(gid, f"Администрация {k}", f"adm{k}", description="О нас. " * 200)
        for d in range(4):
            post = fake.add_post(gid, TEXT, date=WHEN - 3600 * (d + 1) * 20)
            for j in range(5):
                fake.add_comment(gid, post.id, f"Когда починят дорогу {j}?", from_id=5 + j)
    orgs = [
        Organization(
            id=f"org{k}",
            name=f"Администрация {k}",
            kind=OrgKind.LOCAL_GOVERNMENT,
            level=OrgLevel.SETTLEMENT,
            pages=[PageRef(platform=Platform.VK, page=f"adm{k}")],
        )
        for k in range(n)
    ]
    client = fake.client()

    def open_page(ref: PageRef) -> OfficialPage:
        return VKPage(
            ref.page, user_token="user-key", service_token="service-key", http_client=client
        )

    return fake, Registry(organizations=orgs), open_page


def test_a_report_keeps_a_few_kilobytes_a_page() -> None:
    n = 200
    _fake, registry, open_page = fleet(n)
    _, small, open_small = fleet(5)
    # Warm up (imports, compiled patterns, pydantic validators) on a few pages.
    asyncio.run(audit_registry(small, open_small, days=7, now=NOW))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        report = asyncio.run(audit_registry(registry, open_page, days=7, now=NOW))
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(report.pages) == n and all(a.snapshot.error is None for a in report.pages)
    assert all(len(a.snapshot.posts) == 4 for a in report.pages)
    pages = report.pages
    assert isinstance(pages, CompactPages)
    # Each page's compressed audit; a whole page of text and comments is ~10 KB.
    assert pages.nbytes / n < 2500, pages.nbytes / n
    # Everything the finished audit still holds, per page (before issue 12: ~20 KB).
    assert kept / n < 4000, kept / n


def test_capture_pages_bounds_the_pages_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    n = 60
    fake, registry, _ = fleet(n)
    fake.add_token("user-key-2", kind="user", user_id=8)
    client = fake.client()
    keys = ["user-key", "user-key-2", "service-key"]

    def open_page(ref: PageRef) -> OfficialPage:
        k = int(ref.page.removeprefix("adm"))  # three keys: three batch groups of 20 pages
        kind = "service_token" if k % 3 == 2 else "user_token"
        return VKPage(ref.page, http_client=client, **{kind: keys[k % 3]})

    reading = {"now": 0, "most": 0}
    original = VKPage.read_many

    async def counted(pages: Any, **kw: Any) -> AsyncIterator[tuple[int, PageReading]]:
        # Pages read and not yet handed over (a batch's pages leave as they are done).
        reading["now"] += len(pages)
        reading["most"] = max(reading["most"], reading["now"])
        left = len(pages)
        try:
            async for item in original(pages, **kw):
                reading["now"] -= 1
                left -= 1
                yield item
        finally:
            reading["now"] -= left

    monkeypatch.setattr(VKPage, "read_many", counted)

    async def capture(in_flight: int) -> int:
        seen = 0
        async for _i, snap in capture_pages(
            registry.pages(),
            open_page,
            days=7,
            now=NOW,
            concurrency=8,
            pages_in_flight=in_flight,
        ):
            assert snap.error is None, snap.error
            seen += 1
        return seen

    assert asyncio.run(capture(1000)) == n and reading["most"] == n  # three batches at once
    reading["most"] = 0
    assert asyncio.run(capture(40)) == n and 20 <= reading["most"] <= 40  # the budget
    reading["most"] = 0
    # A batch larger than the budget starts once the pages in flight are down to half of
    # it: at most half the budget plus one batch.
    assert asyncio.run(capture(5)) == n and 20 <= reading["most"] <= 5 // 2 + 20


def test_a_text_too_short_for_a_phone_has_none() -> None:
    assert find_phones("приём 12-05, каб. 7") == []
    assert find_phones("тел. 8 (3822) 12-34-56") == ["+7 382 212-34-56"]
    assert find_phones("+7 913 123-45-67") == ["+7 913 123-45-67"]


def test_a_run_collects_cycles_less_often_and_puts_the_threshold_back() -> None:
    scenario, open_ref = sandbox()
    before = gc.get_threshold()
    seen: list[int] = []

    def progress(done: int, total: int, what: str) -> None:
        seen.append(gc.get_threshold()[0])

    asyncio.run(audit_registry(scenario.registry, open_ref, now=NOW, progress=progress))
    assert seen and set(seen) == {max(before[0], 20_000)}
    assert gc.get_threshold() == before

    gc.set_threshold(0, *before[1:])  # collection switched off by the program: left alone
    try:
        seen.clear()
        asyncio.run(audit_registry(scenario.registry, open_ref, now=NOW, progress=progress))
        assert set(seen) == {0}
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)
