"""Answers of the wrong shape: every backend raises a `GospagesError` (a typed
`ServerError` naming platform and method), never a bare Python error.

Hypothesis feeds each backend's API layer and parsers wrong types, missing keys, nulls,
huge numbers and nested junk, request after request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gospages import (
    Comment,
    GospagesError,
    Platform,
    Post,
    PublishStatus,
    RetryPolicy,
    ServerError,
)
from gospages.ok import OKPage
from gospages.telegram import TelegramChannel
from gospages.testing import FakeTelegram, sample_ok
from gospages.vk import VKLimits, VKPage

NO_RETRY = RetryPolicy.none()
FAST = VKLimits(user=1000, service=1000, community=1000)

# Keys the parsers look for, so that the junk often hits them with the wrong type.
KEYS = [
    "response",
    "error",
    "error_code",
    "error_msg",
    "items",
    "count",
    "id",
    "date",
    "text",
    "groups",
    "thread",
    "copy_history",
    "attachments",
    "type",
    "menu",
    "app_buttons",
    "addresses",
    "main_address",
    "contacts",
    "cover",
    "images",
    "post_id",
    "comment_id",
    "current_level_count",
    "is_deleted",
    "deleted",
    "from_id",
    "parents_stack",
    "media",
    "media_topics",
    "comments",
    "anchor",
    "has_more",
    "created_ms",
    "photo_ids",
    "upload_url",
    "photos",
    "token",
    "author_id",
    "reply_to_comment_id",
    "uid",
    "name",
    "likes",
    "views",
    "reposts",
    "is_pinned",
    "wall",
    "members_count",
    "screen_name",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=25,
)


def _body(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


# A body: raw junk, VK's envelope around junk, or bytes that are not JSON at all.
BODIES = (
    JUNK.map(_body)
    | st.builds(lambda v: _body({"response": v}), JUNK)
    | st.builds(lambda v: _body({"error": v}), JUNK)
    | st.binary(max_size=16)
)

_MAX_JUNK = 25  # then answers run dry, so that every walk ends


def _junk_transport(data: st.DataObject) -> httpx.MockTransport:
    served = [0]

    def handler(request: httpx.Request) -> httpx.Response:
        served[0] += 1
        if served[0] > _MAX_JUNK:
            return httpx.Response(200, json={"response": {"count": 0, "items": []}})
        return httpx.Response(200, content=data.draw(BODIES, label="body"))

    return httpx.MockTransport(handler)


async def _only_typed(call: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``call``; a GospagesError is fine, anything else fails the test."""
    try:
        return await call()
    except GospagesError as error:
        failed = error
    assert failed.platform is not None
    return failed


async def _drain(stream: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in stream]


def _vk_comment() -> Comment:
    return Comment(
        platform=Platform.VK, page="1", id="5", post_id="3", author_id="7", date=None, text="?"
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_vk_survives_any_answer(data: st.DataObject) -> None:
    async def run() -> None:
        client = httpx.AsyncClient(transport=_junk_transport(data))
        async with VKPage(
            1,
            user_token="u",
            service_token="s",
            community_token="c",
            http_client=client,
            retry=NO_RETRY,
            limits=FAST,
        ) as page:
            await _only_typed(page.profile)
            await _only_typed(page.verification)
            await _only_typed(lambda: _drain(page.posts()))
            await _only_typed(lambda: _drain(page.comments()))
            await _only_typed(lambda: _drain(page.comments("3")))
            receipt = await _only_typed(lambda: page.publish(Post(text="Новость")))
            if not isinstance(receipt, GospagesError):
                assert receipt.status in (PublishStatus.PUBLISHED, PublishStatus.NEEDS_CHECK)
            await _only_typed(lambda: page.reply(_vk_comment(), "Ответ"))
            await _only_typed(lambda: page.delete_comment(_vk_comment()))
        await client.aclose()

    asyncio.run(run())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_ok_survives_any_answer(data: st.DataObject) -> None:
    comment = Comment(
        platform=Platform.OK, page="1", id="5", post_id="3", author_id="7", date=None, text="?"
    )

    async def run() -> None:
        client = httpx.AsyncClient(transport=_junk_transport(data))
        async with OKPage(
            "1",
            application_key="k",
            application_secret_key="s",
            access_token="t",
            http_client=client,
            retry=NO_RETRY,
            requests_per_second=1000,
        ) as page:
            await _only_typed(page.profile)
            await _only_typed(page.verification)
            await _only_typed(lambda: _drain(page.posts()))
            await _only_typed(lambda: _drain(page.comments()))
            await _only_typed(lambda: page.publish(Post(text="Новость")))
            await _only_typed(lambda: page.reply(comment, "Ответ"))
            await _only_typed(lambda: page.delete_comment(comment))
        await client.aclose()

    asyncio.run(run())


MESSAGE_FIELDS = [
    "id",
    "date",
    "message",
    "replies",
    "media",
    "grouped_id",
    "views",
    "forwards",
    "reactions",
    "reply_to",
    "from_id",
    "pinned",
]


class _JunkTelegram(FakeTelegram):
    """The sample channel, each message with some fields replaced by junk."""

    data: st.DataObject

    async def iter_messages(self, entity: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async for message in super().iter_messages(entity, **kwargs):
            spoiled = self.data.draw(
                st.dictionaries(st.sampled_from(MESSAGE_FIELDS), JUNK, max_size=3),
                label="fields",
            )
            for name, value in spoiled.items():
                setattr(message, name, value)
            yield message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_telegram_survives_any_message(data: st.DataObject) -> None:
    fake = _JunkTelegram.sample()
    assert isinstance(fake, _JunkTelegram)
    fake.data = data

    async def run() -> None:
        async with TelegramChannel(FakeTelegram.SAMPLE_CHANNEL, client=fake) as channel:
            await _only_typed(lambda: _drain(channel.posts()))
            await _only_typed(lambda: _drain(channel.comments()))

    asyncio.run(run())


# -- the examples the properties stand for -----------------------------------------------


def _vk_answering(body: bytes) -> VKPage:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    return VKPage(
        1,
        service_token="s",
        http_client=httpx.AsyncClient(transport=transport),
        retry=NO_RETRY,
        limits=FAST,
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"response": [1, 2]}',
        b'{"response": {"items": "nope", "count": 1}}',
        b'{"error": "down"}',
        b"<html>502</html>",
    ],
)
async def test_a_broken_vk_answer_is_a_server_error_naming_platform_and_method(
    body: bytes,
) -> None:
    async with _vk_answering(body) as page:
        with pytest.raises(ServerError) as caught:
            _ = [p async for p in page.posts()]
    assert caught.value.platform is Platform.VK
    assert caught.value.method == "wall.get"
    assert "ВКонтакте" in str(caught.value)


async def test_a_date_out_of_range_and_a_count_of_the_wrong_type_are_survived() -> None:
    body = b'{"response": {"items": [{"id": 1, "date": 1e300}, {"date": 5}], "count": "many"}}'
    async with _vk_answering(body) as page:
        posts = [p async for p in page.posts()]
    assert [p.id for p in posts] == ["1"]  # the item without an id is no post


async def test_a_broken_answer_stays_with_its_page_in_the_audit() -> None:
    from gospages.requirements import capture_snapshot

    async with _vk_answering(b'{"response": {"groups": "x"}}') as page:
        snapshot = await capture_snapshot(page, now=datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert snapshot.error is not None
    assert snapshot.error.startswith("ServerError")


async def test_ok_publish_is_not_published_for_a_non_topic_answer() -> None:
    """OK answering ``{"success": true}`` to mediatopic.post is no topic id: the
    receipt must not say published with id "{'success': True}"."""
    sandbox = sample_ok()
    answers = {"mediatopic.post": b'{"success": true}'}

    def handler(request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        if form.get("method") in answers:
            sandbox.fake.handler(request)  # the platform did it ...
            return httpx.Response(200, content=answers[form["method"]])  # ... said this
        return sandbox.fake.handler(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    page = OKPage(
        sandbox.group_id,
        application_key=sandbox.application_key,
        application_secret_key=sandbox.application_secret_key,
        access_token=sandbox.access_token,
        http_client=client,
        retry=NO_RETRY,
        requests_per_second=1000,
    )
    async with page:
        receipt = await page.publish(Post(text="Опрос о благоустройстве"))
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.post_id is not None and receipt.post_id.isdigit()
    assert receipt.note and "проверке" in receipt.note


async def test_an_answer_nested_too_deep_is_a_server_error_on_every_read() -> None:
    # json.loads gives up with RecursionError on such a body: it must stay a ServerError.
    import httpx

    from gospages import GospagesError, ServerError
    from gospages.ok import OKPage
    from gospages.vk import VKPage

    deep = b"[" * 100_000 + b"]" * 100_000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"response":' + deep + b"}")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        pages = [
            VKPage(
                "adm_ensk", service_token="svc-token-123456", http_client=client, retry=NO_RETRY
            ),
            OKPage(
                "53038939046008",
                application_key="CBAFJIICABABABABA",
                application_secret_key="secret-123456",
                access_token="token-1234567",
                http_client=client,
                retry=NO_RETRY,
            ),
        ]
        for page in pages:
            for read in (page.profile, page.verification):
                with pytest.raises(GospagesError) as caught:
                    await read()
                assert isinstance(caught.value, ServerError)
