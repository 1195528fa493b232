"""Real VK answers (checked against VKCOM/vk-api-schema, API 5.199) the backend must
survive: one post's comments denied (212), reposts, partial objects, placeholders."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from gospages import RetryPolicy
from gospages.requirements import capture_snapshot
from gospages.testing import SampleVK
from gospages.vk import VKLimits, VKPage
from gospages.vk._parse import _feedback_widgets, _post_from, _profile_from

from .conftest import make_page

FAST = VKLimits(user=1000, service=1000, community=1000)


def _deny_first_commented_post(sandbox: SampleVK) -> str:
    group = sandbox.fake.groups[100001]
    post = next(p for p in sorted(group.posts, key=lambda p: -p.date) if p.comments)
    post.comments_denied = True
    return str(post.id)


async def test_one_posts_212_does_not_stop_the_walk_service_key(sandbox: SampleVK) -> None:
    denied = _deny_first_commented_post(sandbox)
    async with make_page(sandbox, user_token=None, community_token=None) as page:
        comments = [c async for c in page.comments()]
        skipped = page.skipped_posts
    assert comments, "the other posts' comments are read"
    assert denied not in {c.post_id for c in comments}
    assert [s.post_id for s in skipped] == [denied]
    assert skipped[0].error.code == 212


async def test_one_posts_212_does_not_stop_the_walk_execute_path(sandbox: SampleVK) -> None:
    denied = _deny_first_commented_post(sandbox)
    async with make_page(sandbox) as page:  # user key: the first pages come by execute
        comments = [c async for c in page.comments()]
        skipped = page.skipped_posts
    assert sandbox.fake.calls_of("execute"), "the execute path was taken"
    assert comments
    assert [s.post_id for s in skipped] == [denied]


async def test_the_audit_keeps_comment_statistics_past_a_212(sandbox: SampleVK) -> None:
    _deny_first_commented_post(sandbox)
    async with make_page(sandbox) as page:
        snapshot = await capture_snapshot(page, now=datetime.now(timezone.utc))
    assert snapshot.error is None
    assert snapshot.comments is not None
    assert snapshot.comments.total > 0
    assert snapshot.comments.skipped_posts == 1


def test_app_buttons_without_menu_are_unknown_widgets() -> None:
    assert _feedback_widgets({"id": 1, "app_buttons": []}) is None
    assert _feedback_widgets({"id": 1, "app_buttons": [{"title": "Магазин"}]}) is None
    assert _feedback_widgets({"id": 1, "menu": {"items": []}}) == []


def test_menu_that_is_not_an_object_does_not_raise() -> None:
    for menu in ([], "menu", 5, None, {"items": "x"}, {"items": [1, None, "x"]}):
        widgets = _feedback_widgets({"id": 1, "menu": menu})
        assert widgets in (None, [])


def test_addresses_with_only_main_address_id_give_no_address() -> None:
    profile = _profile_from(
        {"id": 1, "name": "Адм", "addresses": {"is_enabled": True, "main_address_id": 77}}
    )
    assert profile.addresses == []


def test_a_repost_surfaces_the_originals_text_and_attachments() -> None:
    item = {
        "id": 10,
        "date": 1_700_000_000,
        "text": "",
        "copy_history": [
            {
                "id": 5,
                "owner_id": -2,
                "date": 1_699_000_000,
                "text": "Губернатор: дороги отремонтируют к осени",
                "attachments": [{"type": "photo", "photo": {}}],
            }
        ],
    }
    post = _post_from(item, 1)
    assert post is not None
    assert post.text == "Губернатор: дороги отремонтируют к осени"
    assert post.attachments == ["photo"]
    commented = _post_from({**item, "text": "Важно!"}, 1)
    assert commented is not None
    assert commented.text.startswith("Важно!") and "Губернатор" in commented.text


def test_a_post_without_id_and_a_deleted_placeholder_are_no_posts() -> None:
    assert _post_from({"date": 1_700_000_000, "text": "x"}, 1) is None
    assert _post_from({"id": 3, "is_deleted": True, "deleted_reason": "удалено"}, 1) is None


def _wall(items: list[dict[str, Any]]) -> VKPage:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/wall.get"):
            return httpx.Response(200, json={"response": {"count": len(items), "items": items}})
        return httpx.Response(200, json={"error": {"error_code": 100, "error_msg": "x"}})

    return VKPage(
        1,
        service_token="s",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        retry=RetryPolicy.none(),
        limits=FAST,
    )


async def test_an_undated_post_does_not_end_posts_since_early() -> None:
    now = int(time.time())
    items = [
        {"id": 9, "date": now - 3600, "text": "свежая"},
        {"id": 8, "text": "без даты"},
        {"id": 7, "date": now - 7200, "text": "тоже свежая"},
        {"id": 6, "date": now - 30 * 86400, "text": "старая"},
        {"id": 5, "is_deleted": True, "deleted_reason": "Запись удалена"},
        {"date": now - 60, "text": "без id"},
    ]
    since = datetime.now(timezone.utc) - timedelta(days=1)
    async with _wall(items) as page:
        posts = [p.id async for p in page.posts(since=since)]
        every = [p.id async for p in page.posts()]
    assert posts == ["9", "7"]
    assert "5" not in every and len(every) == 4
