"""Batched fleet reads: request counts, per-slot failures, pacing (issue 12)."""

from __future__ import annotations

import asyncio
import math
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

import pytest

from gospages import OfficialPage, PageReading, Platform, VirtualClock
from gospages.ok import OKPage
from gospages.registry import Organization, OrgKind, OrgLevel, PageRef
from gospages.requirements import audit_page, capture_pages, capture_snapshot
from gospages.testing import FakeOK, FakeVK
from gospages.testing._base import FakeError
from gospages.vk import VKPage

NOW = 1_795_000_000.0
WHEN = datetime.fromtimestamp(NOW, tz=timezone.utc)
WEEK = WHEN - timedelta(days=7)


def region(n: int, *, service: bool = True, user: bool = True) -> tuple[VirtualClock, FakeVK]:
    """``n`` communities, each with two posts of the week, one of them with a question."""
    clock = VirtualClock(start=NOW)
    fake = FakeVK(clock=clock)
    if user:
        fake.add_token("user-key", kind="user", user_id=7)
    if service:
        fake.add_token("service-key", kind="service")
    for k in range(n):
        gid = 1000 + k
        fake.add_group(gid, f"Администрация {k}", f"adm{k}")
        fake.add_post(gid, "Старая новость", date=NOW - 3 * 86400)
        post = fake.add_post(gid, "Новость", date=NOW - 3600)
        fake.add_comment(gid, post.id, "Когда починят дорогу?", from_id=5, date=NOW - 1800)
    return clock, fake


def ref(k: int) -> str:
    # Half the registry names communities by id, half by screen name.
    return str(1000 + k) if k % 2 else f"adm{k}"


def vk_pages(fake: FakeVK, n: int, **keys: str) -> list[VKPage]:
    client = fake.client()
    return [VKPage(ref(k), http_client=client, **keys) for k in range(n)]


BOTH = {"user_token": "user-key", "service_token": "service-key"}


async def read_all(pages: list[VKPage], *, comments: bool = True) -> dict[int, PageReading]:
    return {
        i: reading
        async for i, reading in VKPage.read_many(pages, since=WEEK, until=WHEN, comments=comments)
    }


def execute_calls(fake: FakeVK, method: str) -> list[int]:
    """How many calls of ``method`` each ``execute`` request ran."""
    return [
        c.params["code"].count(f"API.{method}(")
        for c in fake.calls_of("execute")
        if f"API.{method}(" in c.params["code"]
    ]


def walls_read(fake: FakeVK) -> Counter[int]:
    """``wall.get`` requests per community, alone or inside ``execute``."""
    owners: Counter[int] = Counter()
    for call in fake.calls_of("wall.get"):
        owners[-int(call.params["owner_id"])] += 1
    for call in fake.calls_of("execute"):
        for owner in re.findall(r'API\.wall\.get\(\{"owner_id": ?(-?\d+)', call.params["code"]):
            owners[-int(owner)] += 1
    return owners


def test_a_fleet_costs_the_bound_in_requests_and_time() -> None:
    n = 1200
    clock, fake = region(n)

    async def main() -> dict[int, PageReading]:
        return await read_all(vk_pages(fake, n, **BOTH))

    readings = asyncio.run(main())
    assert len(readings) == n and all(r.error is None for r in readings.values())
    assert all(len(r.posts) == 2 and r.profile is not None for r in readings.values())
    assert all(len(r.comments or []) == 1 for r in readings.values())
    methods = Counter(c.method for c in fake.calls)
    posts_with_comments = n  # one a page
    bound = {
        "groups.getById": math.ceil(n / 500),
        "execute": math.ceil(n / 25) + math.ceil(posts_with_comments / 25),
    }
    assert dict(methods) == bound
    assert execute_calls(fake, "wall.get") == [25] * (n // 25)
    # No community's posts are read twice.
    assert set(walls_read(fake).values()) == {1} and len(walls_read(fake)) == n
    # 96 executes on the user key at 3/s, getById on the service key meanwhile: the
    # limiter spaces them within the limit (an error 6 would be a retried, extra call).
    # evenly spaced at 3/s with the limiter's 5 % slack over the window
    assert clock.monotonic() <= bound["execute"] / 3 * 1.05 + 1


def test_one_failed_slot_leaves_its_batch_mates_intact() -> None:
    n = 30
    _clock, fake = region(n)
    fake.groups[1001].fields["deactivated"] = "deleted"
    fake.groups[1002].fields["is_closed"] = 1  # wall.get: error 15 for outsiders
    for post in fake.groups[1003].posts:
        post.comments_denied = True  # wall.getComments: error 212
    pages = vk_pages(fake, n, **BOTH)
    pages.append(VKPage("no_such_community", http_client=pages[0].api.transport.client, **BOTH))

    readings = asyncio.run(read_all(pages))
    assert readings[1].profile is not None and readings[1].profile.deactivated == "deleted"
    assert readings[1].error is None and readings[1].posts == []
    assert readings[2].error is not None and readings[2].error.code == 15
    assert readings[2].profile is not None  # the profile read before the wall stays
    assert readings[3].error is None and len(readings[3].posts) == 2
    assert readings[3].comments == [] and [s.error.code for s in readings[3].skipped_posts] == [212]
    assert type(readings[n].error).__name__ == "NotFound"
    intact = [i for i in range(n) if i not in (1, 2, 3)]
    assert all(len(readings[i].comments or []) == 1 for i in intact)
    # 29 walls (the deleted community has none to read) and 28 posts' comments (the
    # closed wall gave none): two executes each; refused slots are not asked again alone.
    assert Counter(c.method for c in fake.calls) == {"groups.getById": 1, "execute": 4}


def test_a_malformed_slot_fails_its_page_only() -> None:
    n = 5
    _clock, fake = region(n)
    original = fake._run_calls

    def broken(calls: list[tuple[str, dict[str, Any]]], token: Any) -> dict[str, Any]:
        body = original(calls, token)
        if calls and calls[0][0] == "wall.get":
            body["response"][2] = {"items": "not a list"}
        return body

    fake._run_calls = broken  # type: ignore[method-assign]
    readings = asyncio.run(read_all(vk_pages(fake, n, **BOTH)))
    assert type(readings[2].error).__name__ == "ServerError"
    assert readings[2].profile is not None
    assert all(readings[i].error is None and len(readings[i].posts) == 2 for i in (0, 1, 3, 4))


def test_comments_that_fail_keep_the_profile_and_posts() -> None:
    _clock, fake = region(2)
    fake.fail_next("wall.getComments", error_code=10, times=50)  # VK keeps failing
    page = vk_pages(fake, 1, **BOTH)[0]
    snapshot = asyncio.run(capture_snapshot(page, days=7, now=WHEN))
    assert snapshot.error is None and snapshot.comments is None
    assert snapshot.comments_error is not None and "ServerError" in snapshot.comments_error
    assert snapshot.profile is not None and len(snapshot.posts) == 2
    findings = audit_page(snapshot)
    assert any(
        f.rule_id == "GP-COMMENTS" and f.message.startswith("Комментарии не прочитаны")
        for f in findings
    )
    assert not any(f.rule_id == "GP-UNAVAILABLE" for f in findings)


def test_a_batch_whose_comments_fail_keeps_profiles_and_posts() -> None:
    _clock, fake = region(4)
    original = fake._run_calls

    def failing(calls: list[tuple[str, dict[str, Any]]], token: Any) -> dict[str, Any]:
        if calls and calls[0][0] == "wall.getComments":
            raise FakeError(10, "Internal server error")
        return original(calls, token)

    fake._run_calls = failing  # type: ignore[method-assign]
    readings = asyncio.run(read_all(vk_pages(fake, 4, **BOTH)))
    for reading in readings.values():
        assert reading.error is None and reading.profile is not None
        assert len(reading.posts) == 2 and reading.comments is None
        assert type(reading.comments_error).__name__ == "ServerError"


def test_a_service_key_alone_is_paced_at_its_limit() -> None:
    n = 40
    clock, fake = region(n, user=False)
    readings = asyncio.run(read_all(vk_pages(fake, n, service_token="service-key")))
    assert all(r.error is None and len(r.comments or []) == 1 for r in readings.values())
    methods = Counter(c.method for c in fake.calls)
    # One getById, then a wall.get and a wall.getComments per page: no execute, no retry.
    assert dict(methods) == {"groups.getById": 1, "wall.get": n, "wall.getComments": n}
    requests = 1 + 2 * n
    assert (requests - 3) / 3 <= clock.monotonic() <= requests / 3 * 1.1 + 1


def test_capture_snapshot_reads_posts_once() -> None:
    _clock, fake = region(1)
    page = vk_pages(fake, 1, **BOTH)[0]
    snapshot = asyncio.run(capture_snapshot(page, days=7, now=WHEN))
    assert snapshot.error is None and len(snapshot.posts) == 2
    assert snapshot.comments is not None and snapshot.comments.questions == 1
    assert walls_read(fake) == {1000: 1}


def _orgs(refs: list[PageRef]) -> list[tuple[Organization, PageRef]]:
    return [
        (
            Organization(
                id=f"org{k}",
                name=f"Администрация {k}",
                kind=OrgKind.LOCAL_GOVERNMENT,
                level=OrgLevel.SETTLEMENT,
                pages=[r],
            ),
            r,
        )
        for k, r in enumerate(refs)
    ]


def test_capture_pages_batches_by_key_and_yields_every_page() -> None:
    n = 60
    clock, fake = region(n)
    fake.add_token("user-key-2", kind="user", user_id=8)
    client = fake.client()
    refs = [PageRef(platform=Platform.VK, page=ref(k)) for k in range(n)]
    refs.append(PageRef(platform=Platform.VK, page="bad page!"))

    def open_page(r: PageRef) -> OfficialPage:
        # Two user keys: two batch groups read side by side, each within its own limit.
        k = int(r.page.removeprefix("adm")) if r.page != "bad page!" else 0
        user = "user-key" if k % 2 == 0 else "user-key-2"
        return VKPage(r.page, user_token=user, http_client=client)

    async def main() -> dict[int, Any]:
        return {
            i: s
            async for i, s in capture_pages(_orgs(refs), open_page, days=7, now=WHEN, concurrency=4)
        }

    snapshots = asyncio.run(main())
    assert sorted(snapshots) == list(range(n + 1))
    assert snapshots[n].error is not None  # not openable: an error snapshot of its own
    good = [snapshots[i] for i in range(n)]
    assert all(s.error is None and len(s.posts) == 2 for s in good)
    assert all(s.comments is not None and s.comments.questions == 1 for s in good)
    assert all(s.org is not None and s.url for s in good)
    by_key = Counter((c.method, c.token_kind) for c in fake.calls)
    assert by_key[("groups.getById", "user")] == 2
    assert by_key[("execute", "user")] == 2 * (math.ceil(30 / 25) * 2)
    # Two keys at 3/s each: about half the time one key would take.
    assert clock.monotonic() < 2


def test_ok_profiles_come_many_to_a_call() -> None:
    clock = VirtualClock(start=NOW)
    fake = FakeOK(clock=clock)
    fake.add_app("CBAQLKJKEBABABABA", secret_key="0123456789ABCDEF01234567")
    fake.add_token("tkn1-user", user_id="575662066926")
    n = 150
    for k in range(n):
        fake.add_group(str(53038939046000 + k), f"Администрация {k}", gos_org=True)
    client = fake.client()
    pages = [
        OKPage(
            str(53038939046000 + k),
            application_key="CBAQLKJKEBABABABA",
            application_secret_key="0123456789ABCDEF01234567",
            access_token="tkn1-user",
            http_client=client,
            requests_per_second=1000,
        )
        for k in range(n)
    ]
    pages.append(
        OKPage(
            "1",
            application_key="CBAQLKJKEBABABABA",
            application_secret_key="0123456789ABCDEF01234567",
            access_token="tkn1-user",
            http_client=client,
            requests_per_second=1000,
        )
    )

    async def main() -> dict[int, PageReading]:
        return {
            i: r async for i, r in OKPage.read_many(pages, since=WEEK, until=WHEN, comments=False)
        }

    readings = asyncio.run(main())
    assert all(readings[i].error is None and readings[i].profile is not None for i in range(n))
    assert readings[0].verification is not None
    assert type(readings[n].error).__name__ == "NotFound"
    assert len(fake.calls_of("group.getInfo")) == math.ceil((n + 1) / 100)
    assert len(fake.calls_of("mediatopic.getTopics")) == n


@pytest.mark.parametrize("comments", [True, False])
def test_default_read_many_reads_page_by_page(comments: bool) -> None:
    _clock, fake = region(2)
    pages = vk_pages(fake, 2, **BOTH)

    async def main() -> list[tuple[int, PageReading]]:
        return [
            item
            async for item in OfficialPage.read_many.__func__(  # type: ignore[attr-defined]
                VKPage, pages, since=WEEK, until=WHEN, comments=comments
            )
        ]

    readings = asyncio.run(main())
    assert [i for i, _ in readings] == [0, 1]
    assert all(len(r.posts) == 2 for _, r in readings)
    assert all((r.comments is not None) is comments for _, r in readings)


def test_batched_answers_match_the_official_schema() -> None:
    pytest.importorskip("jsonschema")
    from .test_fake_vk_schema import validate

    _clock, fake = region(4)
    fake.groups[1001].fields["deactivated"] = "deleted"
    fake.groups[1002].fields["is_closed"] = 1
    seen: list[tuple[str, str, Any]] = []
    original = fake.handler

    def handler(request: Any) -> Any:
        response = original(request)
        params = dict(parse_qsl(request.content.decode()))
        seen.append((request.url.path.rsplit("/", 1)[-1], params.get("code", ""), response.json()))
        return response

    fake.handler = handler  # type: ignore[method-assign]
    pages = vk_pages(fake, 4, **BOTH)
    pages.append(VKPage("no_such_community", http_client=pages[0].api.transport.client, **BOTH))
    asyncio.run(read_all(pages))
    assert {m for m, _, _ in seen} == {"groups.getById", "execute"}
    for method, code, body in seen:
        assert "error" not in body
        if method != "execute":
            validate(method, body)
            assert len(body["response"]["groups"]) == 4  # the unknown one left out
            continue
        called = re.findall(r"API\.([A-Za-z]+\.[A-Za-z]+)\(", code)
        for inner, result in zip(called, body["response"], strict=True):
            if result is not False:
                validate(inner, {"response": result})
        failed = [r for r in body["response"] if r is False]
        assert len(failed) == len(body.get("execute_errors", []))


def test_execute_many_keeps_its_answers_and_gives_none_for_a_refused_slot() -> None:
    # VKApi.execute_many (public before execute_calls) still answers as it did.
    _, fake = region(2)
    fake.groups[1001].fields["is_closed"] = 1  # a closed community: error 15 to outsiders

    async def main() -> list[Any]:
        async with VKPage("adm0", user_token="user-key", http_client=fake.client()) as page:
            return await page.api.execute_many(
                "wall.get", [{"owner_id": -1000, "count": 5}, {"owner_id": -1001, "count": 5}]
            )

    first, second = asyncio.run(main())
    assert [p["text"] for p in first["items"]] == ["Новость", "Старая новость"]
    assert second is None
    assert len(fake.calls_of("execute")) == 1
