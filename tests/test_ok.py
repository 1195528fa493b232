"""The OK backend: signing, literal shapes via pytest-httpx, Moscow time, reconciliation."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import httpx
import pytest
from pytest_httpx import HTTPXMock

from gospages import (
    AuthError,
    GospagesError,
    NotFound,
    OutcomeUnknown,
    Photo,
    Poll,
    Post,
    PublishStatus,
    RateLimited,
    RetryPolicy,
    ServerError,
    TokenTypeError,
    ValidationError,
    VerificationState,
)
from gospages.ok import OKPage, to_moscow
from gospages.ok._api import sign
from gospages.testing import SampleOK, sample_ok

API = "https://api.ok.ru/fb.do"
APP, SECRET, TOKEN = "CBAQLKJKEBABABABA", "0123456789ABCDEF01234567", "tkn1-ok-token-abc"
QUICK = RetryPolicy(attempts=4, initial_delay=0.001, max_delay=0.002)


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def assert_signed(request: httpx.Request) -> None:
    data = form(request)
    assert data["sig"] == sign(data, data["access_token"], SECRET)
    assert "access_token" not in str(request.url) and "sig" not in str(request.url)


def ok_page(**kwargs: Any) -> OKPage:
    kwargs.setdefault("retry", RetryPolicy.none())
    return OKPage(
        "53038939046008",
        application_key=APP,
        application_secret_key=SECRET,
        access_token=TOKEN,
        requests_per_second=1000,
        **kwargs,
    )


def page_on(sandbox: SampleOK, **kwargs: Any) -> OKPage:
    kwargs.setdefault("retry", RetryPolicy.none())
    kwargs.setdefault("requests_per_second", 1000)
    return sandbox.page(**kwargs)


def test_signature_test_vector_from_the_docs() -> None:
    params = {"application_key": "ABCDEFGHIGKLMNOPK", "format": "json", "method": "events.get"}
    sig = sign(
        params, "-s-84W-s3egarWUsbkq-IWTucuedzTKT8VUXIA.s4Xx8IW7", "ABC123DEF456GHI789JKL123"
    )
    assert sig == "232c8eb921951c4dba9b72606f9ddb4c"


def test_signature_drops_empty_values_and_the_token() -> None:
    base = {"application_key": "A", "method": "m"}
    assert sign({**base, "anchor": ""}, "t", "s") == sign(base, "t", "s")
    assert sign({**base, "access_token": "x"}, "t", "s") == sign(base, "t", "s")


async def test_profile_from_the_array_shape(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=API,
        json=[
            {
                "uid": "53038939046008",
                "name": "Администрация",
                "description": "Официальная группа",
                "members_count": 1234,
                "homepage_url": "https://adm.gosuslugi.ru",
                "phone": "+7 800 100-00-00",
                "address": "пл. Ленина, 1",
                "shortname": "adm",
            }
        ],
    )
    async with ok_page() as page:
        profile = await page.profile()
    assert profile.name == "Администрация" and profile.members_count == 1234
    assert profile.phones == ["+7 800 100-00-00"] and profile.addresses == ["пл. Ленина, 1"]
    assert profile.site == "https://adm.gosuslugi.ru" and profile.url == "https://ok.ru/adm"
    request = httpx_mock.get_requests()[0]
    assert_signed(request)
    sent = form(request)
    assert (sent["method"], sent["uids"], sent["format"]) == (
        "group.getInfo",
        "53038939046008",
        "json",
    )


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({}, VerificationState.UNKNOWN),
        ({"gos_org": True}, VerificationState.CONFIRMED),
        ({"gos_org": False}, VerificationState.NOT_CONFIRMED),
    ],
)
async def test_verification_is_unknown_without_a_real_field(
    httpx_mock: HTTPXMock, fields: dict[str, Any], state: VerificationState
) -> None:
    httpx_mock.add_response(url=API, json=[{"uid": "53038939046008", "name": "N", **fields}])
    async with ok_page() as page:
        assert (await page.verification()).state is state


async def test_publish_sends_the_attachment_and_reads_a_bare_string_id(
    httpx_mock: HTTPXMock,
) -> None:
    httpx_mock.add_response(
        url=API,
        match_content=None,
        json={
            "photo_ids": ["p1", "p2"],
            "upload_url": "https://up.ok.ru/upload?x=1",
            "expires_ms": 1,
        },
    )
    httpx_mock.add_response(
        url="https://up.ok.ru/upload?x=1",
        json={"photos": {"p1": {"token": "T1"}, "p2": {"token": "T2"}}},
    )
    httpx_mock.add_response(url=API, json="70102413183763")
    when = datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc)  # 10:00 in Moscow
    post = Post(
        text="Слушания",
        publish_at=when,
        close_comments=True,
        attachments=[
            Photo.from_bytes(b"a", filename="a.jpg"),
            Photo.from_bytes(b"b", filename="b.jpg"),
            Poll(question="Придёте?", answers=["Да", "Нет"], anonymous=True),
        ],
    )
    async with ok_page() as page:
        receipt = await page.publish(post)
    assert receipt.post_id == "70102413183763"
    assert receipt.status is PublishStatus.SCHEDULED
    assert receipt.url == "https://ok.ru/group/53038939046008/topic/70102413183763"
    get_url, upload, topic = httpx_mock.get_requests()
    assert_signed(get_url)
    assert form(get_url)["count"] == "2"
    assert b'name="pic1"; filename="a.jpg"' in upload.content and b'name="pic2"' in upload.content
    assert_signed(topic)
    sent = form(topic)
    assert (sent["method"], sent["gid"], sent["type"]) == (
        "mediatopic.post",
        "53038939046008",
        "GROUP_THEME",
    )
    attachment = json.loads(sent["attachment"])
    assert attachment["publishAt"] == "2026-12-01 10:00:00"
    assert attachment["onBehalfOfGroup"] == "true" and attachment["disableComments"] == "true"
    assert attachment["media"][0] == {"type": "text", "text": "Слушания"}
    assert attachment["media"][1] == {"type": "photo", "list": [{"id": "T1"}, {"id": "T2"}]}
    assert attachment["media"][2]["options"] == "SingleChoice,AnonymousVoting"


@pytest.mark.parametrize(
    "zone", ["Asia/Vladivostok", "Europe/Kaliningrad", "UTC", "America/New_York"]
)
def test_publish_at_is_moscow_time_from_any_zone(zone: str) -> None:
    moment = datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc)
    assert to_moscow(moment.astimezone(ZoneInfo(zone))) == "2026-12-01 10:00:00"


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (102, AuthError),
        (104, AuthError),
        (8, RateLimited),
        (11, RateLimited),
        (200, TokenTypeError),
        (300, NotFound),
        (601, ValidationError),
        (454, ValidationError),
        (5000, ServerError),
        (2, ServerError),
    ],
)
async def test_error_bodies(httpx_mock: HTTPXMock, code: int, cls: type) -> None:
    httpx_mock.add_response(
        url=API,
        json={"error_code": code, "error_msg": f"NAME : text {code}", "error_data": None},
        headers={"invocation-error": str(code)},
    )
    async with ok_page() as page:
        with pytest.raises(GospagesError) as info:
            await page.profile()
    assert type(info.value) is cls
    assert info.value.code == code and info.value.method == "group.getInfo"
    assert TOKEN not in str(info.value) and SECRET not in repr(info.value)


async def test_fake_rejects_bad_or_missing_signature() -> None:
    sandbox = sample_ok()
    async with httpx.AsyncClient(transport=sandbox.fake.transport()) as client:
        base = {
            "application_key": sandbox.application_key,
            "format": "json",
            "method": "group.getInfo",
            "uids": sandbox.group_id,
            "fields": "name",
            "access_token": sandbox.access_token,
        }
        missing = (await client.post(API, data=base)).json()
        wrong = (await client.post(API, data={**base, "sig": "0" * 32})).json()
    assert missing["error_code"] == 104 and wrong["error_code"] == 104


async def test_reads_retry_on_2_and_5000_and_back_off_on_8() -> None:
    sandbox = sample_ok()
    for code in (2, 5000, 8):
        sandbox.fake.fail_next("group.getInfo", error_code=code)
    async with page_on(sandbox, retry=QUICK) as page:
        assert (await page.profile()).name
    assert len(sandbox.fake.calls_of("group.getInfo")) == 4


async def test_flood_limit_is_absorbed_by_the_throttle() -> None:
    sandbox = sample_ok()
    sandbox.fake.flood_limit = 2
    sandbox.fake.rate_limits = True
    async with page_on(sandbox, requests_per_second=2) as page:
        for _ in range(3):
            await page.profile()


async def test_lost_answer_is_read_back_and_never_resent() -> None:
    sandbox = sample_ok()
    sandbox.fake.fail_next("mediatopic.post", lose_response=True)
    async with page_on(sandbox, retry=QUICK) as page:
        receipt = await page.publish(Post(text="Новость без ответа"))
    assert len(sandbox.fake.calls_of("mediatopic.post")) == 1
    assert receipt.status is PublishStatus.PUBLISHED and receipt.note
    topics = [
        t for t in sandbox.fake.groups[sandbox.group_id].topics if t.text == "Новость без ответа"
    ]
    assert [t.id for t in topics] == [receipt.post_id]


async def test_error_5000_on_a_write_that_did_not_happen_needs_check() -> None:
    sandbox = sample_ok()
    sandbox.fake.fail_next("mediatopic.post", error_code=5000)
    async with page_on(sandbox, retry=QUICK) as page:
        receipt = await page.publish(Post(text="Неизвестно"))
    assert receipt.status is PublishStatus.NEEDS_CHECK and receipt.post_id is None
    assert len(sandbox.fake.calls_of("mediatopic.post")) == 1
    assert not [t for t in sandbox.fake.groups[sandbox.group_id].topics if t.text == "Неизвестно"]


async def test_scheduled_topics_stay_off_the_feed_until_due() -> None:
    sandbox = sample_ok()
    async with page_on(sandbox) as page:
        when = datetime.now(timezone.utc) + timedelta(hours=3)
        receipt = await page.publish(Post(text="Позже", publish_at=when))
        feed = [p.id async for p in page.posts()]
    assert receipt.post_id not in feed
    stored = next(
        t for t in sandbox.fake.groups[sandbox.group_id].topics if t.id == receipt.post_id
    )
    assert stored.publish_at == pytest.approx(when.timestamp(), abs=1)


async def test_comment_threads_and_dates_in_moscow_time() -> None:
    sandbox = sample_ok()
    group = sandbox.fake.groups[sandbox.group_id]
    newest = max(group.topics, key=lambda t: t.created_ms)
    async with page_on(sandbox) as page:
        comments = [c async for c in page.comments(newest.id)]
    question = comments[0]
    replies = [c for c in comments if c.parent_id == question.id]
    assert len(replies) == 2 and all(r.thread_id == question.id for r in replies)
    assert any(r.from_page for r in replies)
    stored = newest.comments[0]
    assert question.date is not None
    assert abs(question.date.timestamp() - stored.date) < 1


async def test_secrets_stay_out_of_logs_and_reprs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox = sample_ok()
    sandbox.fake.fail_next("group.getInfo", error_code=2)
    async with page_on(sandbox, retry=QUICK) as page:
        await page.profile()
        text = repr(page) + caplog.text + "".join(c.url for c in sandbox.fake.calls)
    assert sandbox.access_token not in text and sandbox.application_secret_key not in text


def test_bad_group_id() -> None:
    with pytest.raises(ValidationError, match="числом"):
        OKPage("adm.ensk", application_key=APP, application_secret_key=SECRET, access_token=TOKEN)


async def test_an_earlier_identical_topic_is_not_taken_for_a_lost_one() -> None:
    sandbox = sample_ok()
    text = "Приём граждан главой района переносится"
    sandbox.fake.add_topic(sandbox.group_id, text)  # the same text, a minute earlier
    sandbox.fake.fail_next("mediatopic.post", http_status=502)  # refused before doing it
    async with page_on(sandbox, retry=QUICK) as page:
        receipt = await page.publish(Post(text=text))
    assert receipt.status is PublishStatus.NEEDS_CHECK and receipt.post_id is None
    topics = [t for t in sandbox.fake.groups[sandbox.group_id].topics if t.text == text]
    assert len(topics) == 1


async def test_reply_with_a_lost_answer_is_read_back_not_resent() -> None:
    from gospages import OutcomeUnknown

    sandbox = sample_ok()
    topic = max(sandbox.fake.groups[sandbox.group_id].topics, key=lambda t: t.created_ms)
    async with page_on(sandbox, retry=QUICK) as page:
        question = [c async for c in page.comments(topic.id)][0]
        sandbox.fake.fail_next("discussions.addDiscussionComment", lose_response=True)
        answer = await page.reply(question, "Приём в четверг с 10:00.")
        sandbox.fake.fail_next("discussions.addDiscussionComment", http_status=502)
        with pytest.raises(OutcomeUnknown):
            await page.reply(question, "Этот ответ не дошёл")
    assert answer.parent_id == question.id and answer.from_page
    texts = [c.text for c in topic.comments]
    assert texts.count("Приём в четверг с 10:00.") == 1
    assert "Этот ответ не дошёл" not in texts
    assert len(sandbox.fake.calls_of("discussions.addDiscussionComment")) == 2


async def test_paging_stops_when_ok_repeats_an_anchor(httpx_mock: HTTPXMock) -> None:
    topic = {"id": "1", "created_ms": 1_800_000_000_000, "media": [{"type": "text", "text": "x"}]}
    httpx_mock.add_response(
        url=API, json={"media_topics": [topic], "anchor": "A", "has_more": True}, is_reusable=True
    )
    async with ok_page() as page:
        posts = [p async for p in page.posts()]
    assert [p.id for p in posts] == ["1"]
    assert len(httpx_mock.get_requests()) == 2  # the repeat is noticed, not followed forever


async def test_a_reply_never_sent_is_not_taken_for_an_earlier_identical_answer() -> None:
    sandbox = sample_ok()
    topic = max(sandbox.fake.groups[sandbox.group_id].topics, key=lambda t: t.created_ms)
    text = "Спасибо, передали в отдел ЖКХ."
    async with sandbox.page(retry=RetryPolicy.none(), requests_per_second=1000) as page:
        question = [c async for c in page.comments(topic.id)][0]
        await page.reply(question, text)
        sandbox.fake.fail_next("discussions.addDiscussionComment", http_status=502)
        with pytest.raises(OutcomeUnknown):
            await page.reply(question, text)  # not done: the earlier answer is no proof
    assert [c.text for c in topic.comments].count(text) == 1
