"""VKPage against the literal response shapes of platform-apis.md, through pytest-httpx."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pytest_httpx import HTTPXMock

from gospages import (
    NotFound,
    Platform,
    RetryPolicy,
    TokenTypeError,
    VerificationState,
)
from gospages.vk import VKLimits, VKPage

API = "https://api.vk.ru/method"
FAST = VKLimits(user=1000, service=1000, community=1000)


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def vk_page(**tokens: str) -> VKPage:
    return VKPage("-123456", retry=RetryPolicy.none(), limits=FAST, **tokens)  # type: ignore[arg-type]


# The 5.199 groups.getById object, with the fields platform-apis.md lists.
GROUP = {
    "id": 123456,
    "name": "Администрация города N",
    "screen_name": "adm_n",
    "is_closed": 0,
    "type": "page",
    "verified": 1,
    "photo_200": "https://sun.userapi.com/a.jpg",
    "description": "Официальная страница. Тел. 8 (800) 100-00-00",
    "status": "",
    "activity": "Органы власти",
    "site": "https://adm-n.gosuslugi.ru",
    "members_count": 1234,
    "contacts": [
        {"user_id": 1, "desc": "Приёмная", "phone": "+7 (3822) 00-00-00", "email": "adm@n.ru"},
        {"user_id": 2, "desc": "Пресс-служба"},
    ],
    "links": [{"id": 1, "url": "https://adm-n.gosuslugi.ru", "name": "Сайт", "desc": ""}],
    "addresses": {
        "is_enabled": True,
        "main_address_id": 9,
        "count": 1,
        "main_address": {"id": 9, "address": "пл. Ленина, 1", "title": "Администрация"},
    },
    "cover": {
        "enabled": 1,
        "images": [
            {"url": "https://c/400.jpg", "width": 400, "height": 100},
            {"url": "https://c/1590.jpg", "width": 1590, "height": 400},
        ],
    },
    "wall": 3,
    "can_post": 0,
    "fixed_post": 10,
    "main_section": 1,
}


def add_group(httpx_mock: HTTPXMock, group: dict[str, Any]) -> None:
    httpx_mock.add_response(
        url=f"{API}/groups.getById", json={"response": {"groups": [group], "profiles": []}}
    )


async def test_profile_from_5199_object(httpx_mock: HTTPXMock) -> None:
    add_group(httpx_mock, GROUP)
    async with vk_page(service_token="service-key-123") as page:
        profile = await page.profile()
    assert profile.platform is Platform.VK
    assert profile.id == "123456"
    assert profile.name == "Администрация города N"
    assert profile.phones == ["+7 (3822) 00-00-00"]
    assert profile.emails == ["adm@n.ru"]
    assert profile.addresses == ["пл. Ленина, 1"]
    assert profile.site == "https://adm-n.gosuslugi.ru"
    assert profile.cover_url == "https://c/1590.jpg"
    assert profile.members_count == 1234
    assert profile.comments_open is False  # wall 3: restricted
    assert profile.wall_open is False
    assert profile.feedback_widgets is None  # no menu returned: unknown, not "none"
    assert profile.extras["activity"] == "Органы власти"
    sent = form(httpx_mock.get_requests()[0])
    assert sent["group_id"] == "123456"
    assert "is_government_organization" in sent["fields"]
    assert sent["v"] == "5.199"


async def test_old_bare_list_shape_is_also_read(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{API}/groups.getById", json={"response": [GROUP]})
    async with vk_page(service_token="service-key-123") as page:
        assert (await page.profile()).name == GROUP["name"]


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({}, VerificationState.UNKNOWN),  # verified=1 alone is the blue tick, not the mark
        ({"is_government_organization": True}, VerificationState.CONFIRMED),
        ({"is_government_organization": False}, VerificationState.NOT_CONFIRMED),
        ({"trust_mark": 3}, VerificationState.CONFIRMED),
        ({"trust_mark": 0}, VerificationState.NOT_CONFIRMED),
        ({"trust_mark": 1}, VerificationState.NOT_CONFIRMED),
    ],
)
async def test_verification_never_guesses(
    httpx_mock: HTTPXMock, fields: dict[str, Any], state: VerificationState
) -> None:
    add_group(httpx_mock, {**GROUP, **fields})
    async with vk_page(community_token="community-key-1") as page:
        verification = await page.verification()
    assert verification.state is state
    assert verification.marks["verified"] == 1
    for key, value in fields.items():
        assert verification.marks[key] == value


async def test_feedback_widgets_from_menu(httpx_mock: HTTPXMock) -> None:
    menu = {
        "items": [
            {
                "id": 1,
                "title": "Сообщить о проблеме",
                "type": "link",
                "url": "https://pos.gosuslugi.ru/x",
            },
            {"id": 2, "title": "Магазин", "type": "link", "url": "https://shop"},
        ]
    }
    add_group(httpx_mock, {**GROUP, "menu": menu})
    async with vk_page(service_token="service-key-123") as page:
        widgets = (await page.profile()).feedback_widgets
    assert widgets is not None
    assert [w.title for w in widgets] == ["Сообщить о проблеме"]


async def test_unknown_screen_name_is_not_found(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{API}/groups.getById",
        json={
            "error": {
                "error_code": 100,
                "error_msg": "One of the parameters specified was missing or invalid: group_ids is undefined",
                "request_params": [{"key": "v", "value": "5.199"}],
            }
        },
    )
    async with VKPage(
        "no_such_group", service_token="s-key-123", retry=RetryPolicy.none(), limits=FAST
    ) as page:
        with pytest.raises(NotFound) as info:
            await page.profile()
    assert info.value.method == "groups.getById"


def wall_item(post_id: int, date: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": post_id,
        "date": date,
        "text": f"post {post_id}",
        "attachments": [],
        "comments": {"count": 1},
        "views": {"count": 10},
        "likes": {"count": 2},
        "reposts": {"count": 0},
        **extra,
    }


async def test_posts_paginate_and_stop_at_since(httpx_mock: HTTPXMock) -> None:
    t = 1_800_000_000
    first = [wall_item(1000, t - 10**7, is_pinned=1)] + [
        wall_item(500 - i, t - i * 60) for i in range(99)
    ]
    second = [wall_item(401 - i, t - (99 + i) * 60) for i in range(100)]
    httpx_mock.add_response(
        url=f"{API}/wall.get", json={"response": {"count": 350, "items": first}}
    )
    httpx_mock.add_response(
        url=f"{API}/wall.get", json={"response": {"count": 350, "items": second}}
    )
    since = datetime.fromtimestamp(t - 150 * 60, tz=timezone.utc)
    async with vk_page(service_token="service-key-123") as page:
        posts = [p async for p in page.posts(since=since)]
    requests = httpx_mock.get_requests()
    assert [form(r)["offset"] for r in requests] == ["0", "100"]  # a third page is not fetched
    assert all(form(r)["owner_id"] == "-123456" for r in requests)
    assert len(posts) == 151  # minutes 0..150; the old pinned post is skipped, not a stop
    assert all(not p.is_pinned for p in posts)
    assert posts[0].id == "500"
    assert posts[0].views == 10 and posts[0].comments_count == 1
    assert posts[0].url == "https://vk.com/wall-123456_500"


async def test_posts_need_a_reading_token_before_any_request(httpx_mock: HTTPXMock) -> None:
    async with vk_page(community_token="community-key-1") as page:
        with pytest.raises(TokenTypeError) as info:
            _ = [p async for p in page.posts()]
    assert info.value.code is None
    assert set(info.value.needed) == {"service", "user"}
    assert "сервисный ключ" in str(info.value)
    assert httpx_mock.get_requests() == []


# The wall.getComments shape of platform-apis.md, grown into a thread and a deleted item.
COMMENTS = {
    "response": {
        "count": 15,
        "current_level_count": 3,
        "can_post": True,
        "items": [
            {
                "id": 501,
                "from_id": 98765,
                "post_id": 77,
                "owner_id": -123456,
                "parents_stack": [],
                "date": 1717000000,
                "text": "Когда починят дорогу?",
                "thread": {
                    "count": 1,
                    "items": [
                        {
                            "id": 502,
                            "from_id": -123456,
                            "post_id": 77,
                            "owner_id": -123456,
                            "parents_stack": [501],
                            "date": 1717000100,
                            "text": "В мае.",
                            "reply_to_user": 98765,
                            "reply_to_comment": 501,
                        }
                    ],
                },
            },
            {
                "id": 503,
                "deleted": True,
                "from_id": 1,
                "post_id": 77,
                "owner_id": -123456,
                "parents_stack": [],
                "date": 1717000200,
                "thread": {"count": 0, "items": []},
            },
            {
                "id": 504,
                "from_id": 4,
                "post_id": 77,
                "owner_id": -123456,
                "parents_stack": [],
                "date": 1717000300,
                "text": "Длинная ветка",
                "thread": {
                    "count": 12,
                    "items": [
                        {
                            "id": 600 + i,
                            "from_id": 5,
                            "post_id": 77,
                            "owner_id": -123456,
                            "parents_stack": [504],
                            "date": 1717000400 + i,
                            "text": f"ответ {i}",
                        }
                        for i in range(10)
                    ],
                },
            },
        ],
    }
}
THREAD = {
    "response": {
        "count": 12,
        "current_level_count": 12,
        "can_post": True,
        "items": [
            {
                "id": 600 + i,
                "from_id": 5,
                "post_id": 77,
                "owner_id": -123456,
                "parents_stack": [504],
                "date": 1717000400 + i,
                "text": f"ответ {i}",
            }
            for i in range(12)
        ],
    }
}


async def test_comments_with_threads_and_deleted(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{API}/wall.getComments", json=COMMENTS)
    httpx_mock.add_response(url=f"{API}/wall.getComments", json=THREAD)
    async with vk_page(service_token="service-key-123") as page:
        comments = [c async for c in page.comments("77")]
    by_id = {c.id: c for c in comments}
    assert len(comments) == 3 + 1 + 12
    assert by_id["502"].parent_id == "501" and by_id["502"].thread_id == "501"
    assert by_id["502"].from_page
    assert by_id["503"].deleted and by_id["503"].text == ""
    assert by_id["611"].parent_id == "504"  # fetched from the full thread, not the preview
    first, second = httpx_mock.get_requests()
    assert form(first)["thread_items_count"] == "10"
    assert form(second)["comment_id"] == "504"


async def test_publish_uploads_photo_and_sends_guid(httpx_mock: HTTPXMock, tmp_path: Any) -> None:
    from gospages import Link, Photo, Poll, Post

    image = tmp_path / "afisha.jpg"
    image.write_bytes(b"\xff\xd8fake-jpeg")
    httpx_mock.add_response(
        url=f"{API}/photos.getWallUploadServer",
        json={"response": {"upload_url": "https://pu.vk.com/c1/upload?x=1"}},
    )
    httpx_mock.add_response(
        url="https://pu.vk.com/c1/upload?x=1",
        json={"server": 1, "photo": '[{"photo":"abc"}]', "hash": "h"},
    )
    httpx_mock.add_response(
        url=f"{API}/photos.saveWallPhoto", json={"response": [{"id": 10, "owner_id": -77}]}
    )
    httpx_mock.add_response(
        url=f"{API}/polls.create",
        json={"response": {"id": 55, "owner_id": -123456, "question": "?"}},
    )
    # Before sending, the newest post id: a lost answer's read-back looks only above it.
    httpx_mock.add_response(
        url=f"{API}/wall.get", json={"response": {"count": 1, "items": [{"id": 76}]}}
    )
    httpx_mock.add_response(url=f"{API}/wall.post", json={"response": {"post_id": 77}})
    post = Post(
        text="Слушания",
        attachments=[
            Photo.from_path(image),
            Link(url="https://a.ru/x"),
            Poll(question="Придёте?", answers=["Да", "Нет"]),
        ],
    )
    async with vk_page(user_token="user-key-123") as page:
        receipt = await page.publish(post)
    assert receipt.post_id == "77"
    assert receipt.url == "https://vk.com/wall-123456_77"
    upload = httpx_mock.get_requests(url="https://pu.vk.com/c1/upload?x=1")[0]
    assert b'name="photo"; filename="afisha.jpg"' in upload.content
    assert b"user-key-123" not in upload.content  # the upload server gets no token
    saved = form(httpx_mock.get_requests(url=f"{API}/photos.saveWallPhoto")[0])
    assert saved == {**saved, "photo": '[{"photo":"abc"}]', "server": "1", "hash": "h"}
    poll = form(httpx_mock.get_requests(url=f"{API}/polls.create")[0])
    assert json.loads(poll["add_answers"]) == ["Да", "Нет"]
    assert poll["owner_id"] == "-123456"
    sent = form(httpx_mock.get_requests(url=f"{API}/wall.post")[0])
    assert sent["attachments"] == "photo-77_10,poll-123456_55,https://a.ru/x"
    assert sent["guid"] == post.idempotency_key
    assert sent["from_group"] == "1" and sent["owner_id"] == "-123456"
    assert "publish_date" not in sent


async def test_pinned_post_is_yielded_in_its_place_by_date(httpx_mock: HTTPXMock) -> None:
    t = 1_800_000_000
    items = [
        wall_item(9, t - 250, is_pinned=1),
        wall_item(12, t),
        wall_item(11, t - 100),
        wall_item(10, t - 200),
        wall_item(8, t - 300),
    ]
    httpx_mock.add_response(url=f"{API}/wall.get", json={"response": {"count": 5, "items": items}})
    async with vk_page(service_token="service-key-123") as page:
        posts = [p async for p in page.posts()]
    assert [p.id for p in posts] == ["12", "11", "10", "9", "8"]
    assert posts[3].is_pinned
