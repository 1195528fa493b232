"""Error mapping, retries, rate limits and captcha, against FakeVK and literal error bodies."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from pytest_httpx import HTTPXMock

from gospages import (
    AuthError,
    CaptchaRequired,
    GospagesError,
    NetworkError,
    NotFound,
    PermissionDenied,
    Platform,
    PlatformError,
    Post,
    PublishStatus,
    RateLimited,
    RetryPolicy,
    ServerError,
    TokenTypeError,
    ValidationError,
    ValidationRequired,
)
from gospages.testing import SampleVK
from gospages.vk import RetryMode, TokenKind, VKLimits, VKPage

from .conftest import FAST, QUICK_RETRY, make_page

API = "https://api.vk.ru/method"


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (5, AuthError),
        (17, ValidationRequired),
        (27, TokenTypeError),
        (28, TokenTypeError),
        (6, RateLimited),
        (9, RateLimited),
        (29, RateLimited),
        (14, CaptchaRequired),
        (7, PermissionDenied),
        (15, PermissionDenied),
        (203, PermissionDenied),
        (214, PermissionDenied),
        (18, NotFound),
        (104, NotFound),
        (100, ValidationError),
        (10, ServerError),
        (1, ServerError),
        (9999, PlatformError),
    ],
)
async def test_vk_codes_map_to_the_same_classes(
    httpx_mock: HTTPXMock, code: int, cls: type
) -> None:
    httpx_mock.add_response(
        url=f"{API}/wall.get",
        json={
            "error": {
                "error_code": code,
                "error_msg": f"Native message {code}",
                "captcha_sid": "1",
                "request_params": [
                    {"key": "v", "value": "5.199"},
                    {"key": "method", "value": "wall.get"},
                    {"key": "owner_id", "value": "-1"},
                    {"key": "secret_param", "value": "echo-me"},
                ],
            }
        },
    )
    async with VKPage(
        1, service_token="service-key-123", retry=RetryPolicy.none(), limits=FAST
    ) as page:
        with pytest.raises(GospagesError) as info:
            _ = [p async for p in page.posts()]
    error = info.value
    assert type(error) is cls
    assert (error.platform, error.code, error.method) == (Platform.VK, code, "wall.get")
    assert f"Native message {code}" in str(error)
    assert "echo-me" not in str(error) and "echo-me" not in repr(error)
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is cls and clone.code == code and str(clone) == str(error)


async def test_wrong_token_kind_is_refused_by_vk_with_27(sandbox: SampleVK) -> None:
    async with make_page(sandbox, user_token=None) as page:
        with pytest.raises(TokenTypeError) as info:
            await page.api.call(
                "wall.post", {"owner_id": -100001, "message": "x"}, token=TokenKind.COMMUNITY
            )
    assert info.value.code == 27
    assert info.value.needed == ("user",)


async def test_no_suitable_token_raises_before_any_request(sandbox: SampleVK) -> None:
    async with make_page(sandbox, user_token=None) as page:
        caps = page.capabilities()
        assert not caps.can("delete_comment") and caps.can("reply")
        assert "ключ пользователя" in caps.missing["delete_comment"]  # type: ignore[index]
        comment = [
            c async for c in page.comments(since=datetime.now(timezone.utc) - timedelta(days=2))
        ][0]
        before = len(sandbox.fake.calls)
        for call in (page.delete_comment(comment), page.publish(Post(text="x"))):
            with pytest.raises(TokenTypeError):
                await call
        assert len(sandbox.fake.calls) == before


async def test_reads_retry_on_6_9_10_and_5xx_then_succeed(sandbox: SampleVK) -> None:
    fake = sandbox.fake
    fake.fail_next("groups.getById", error_code=6)
    fake.fail_next("groups.getById", error_code=10)
    fake.fail_next("groups.getById", http_status=502)
    async with make_page(sandbox, retry=QUICK_RETRY) as page:
        assert (await page.profile()).name
    assert len(fake.calls_of("groups.getById")) == 4


async def test_retries_are_bounded(sandbox: SampleVK) -> None:
    sandbox.fake.fail_next("groups.getById", error_code=10, times=10)
    async with make_page(sandbox, retry=QUICK_RETRY) as page:
        with pytest.raises(ServerError):
            await page.profile()
    assert len(sandbox.fake.calls_of("groups.getById")) == QUICK_RETRY.attempts


async def test_permission_errors_are_not_retried(sandbox: SampleVK) -> None:
    sandbox.fake.fail_next("groups.getById", error_code=15)
    async with make_page(sandbox, retry=QUICK_RETRY) as page:
        with pytest.raises(PermissionDenied):
            await page.profile()
    assert len(sandbox.fake.calls_of("groups.getById")) == 1


async def test_lost_answer_on_publish_is_retried_with_the_same_guid(sandbox: SampleVK) -> None:
    fake = sandbox.fake
    fake.fail_next("wall.post", lose_response=True)
    post = Post(text="Объявление о приёме граждан")
    async with make_page(sandbox, retry=QUICK_RETRY) as page:
        receipt = await page.publish(post)
        again = await page.publish(post)  # the user retries the whole publication too
    calls = fake.calls_of("wall.post")
    assert len(calls) == 3
    assert {c.params["guid"] for c in calls} == {post.idempotency_key}
    on_wall = [p for p in fake.groups[100001].posts if p.text == post.text]
    assert len(on_wall) == 1
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.post_id == again.post_id == str(on_wall[0].id)


async def test_unknown_outcome_is_read_back_not_reported_as_success(sandbox: SampleVK) -> None:
    fake = sandbox.fake
    fake.fail_next("wall.post", lose_response=True, times=2)  # committed, answer lost twice
    post = Post(text="Итоги заседания")
    async with make_page(
        sandbox, retry=RetryPolicy(attempts=2, initial_delay=0.001, max_delay=0.001)
    ) as page:
        receipt = await page.publish(post)
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.post_id == str(
        next(p.id for p in fake.groups[100001].posts if p.text == post.text)
    )
    assert receipt.note and "найдена" in receipt.note


async def test_unknown_outcome_that_cannot_be_read_back_needs_check(sandbox: SampleVK) -> None:
    fake = sandbox.fake
    fake.fail_next("wall.post", http_status=503, times=2)
    fake.fail_next("wall.get", http_status=503, times=2)
    async with make_page(
        sandbox, retry=RetryPolicy(attempts=2, initial_delay=0.001, max_delay=0.001)
    ) as page:
        receipt = await page.publish(Post(text="Не дошло"))
    assert receipt.status is PublishStatus.NEEDS_CHECK
    assert receipt.post_id is None and receipt.url is None
    assert receipt.note and "guid" in receipt.note


async def test_writes_without_guid_are_not_retried_on_network_errors(sandbox: SampleVK) -> None:
    sandbox.fake.fail_next("wall.deleteComment", lose_response=True)
    async with make_page(sandbox, retry=QUICK_RETRY) as page:
        with pytest.raises(NetworkError):
            await page.api.call(
                "wall.deleteComment",
                {"owner_id": -100001, "comment_id": 1003},
                retry=RetryMode.UNSAFE,
            )
    assert len(sandbox.fake.calls_of("wall.deleteComment")) == 1


async def test_rate_limit_error_6_is_retried(sandbox: SampleVK) -> None:
    sandbox.fake.rate_limits = True
    # The client's own limiter is off (1000/s): VK's error 6 must be absorbed by retries.
    async with make_page(
        sandbox,
        service_token=None,
        user_token=None,
        retry=RetryPolicy(attempts=6, initial_delay=0.2, max_delay=0.5),
    ) as page:
        names = [(await page.profile()).name for _ in range(25)]
    assert len(names) == 25
    # 25 calls in well under a second with a 20/s community key: some got error 6 and
    # were sent again.
    assert len(sandbox.fake.calls_of("groups.getById")) > 25


async def test_client_limiter_keeps_under_vk_limit(sandbox: SampleVK) -> None:
    sandbox.fake.rate_limits = True
    async with make_page(
        sandbox,
        user_token=None,
        community_token=None,
        limits=VKLimits(service=3),
        retry=RetryPolicy.none(),
    ) as page:
        for _ in range(5):  # would be error 6 from the fake at the 4th call within a second
            await page.profile()
    assert len(sandbox.fake.calls_of("groups.getById")) == 5


async def test_captcha_without_handler_carries_sid_and_image(sandbox: SampleVK) -> None:
    sid = sandbox.fake.require_captcha("wall.getComments")
    async with make_page(sandbox) as page:
        with pytest.raises(CaptchaRequired) as info:
            _ = [c async for c in page.comments("1")]
    assert info.value.sid == sid
    assert info.value.image_url and sid in info.value.image_url


async def test_captcha_handler_is_asked_and_the_answer_sent(sandbox: SampleVK) -> None:
    sid = sandbox.fake.require_captcha("wall.getComments", answer="k7x2q")
    asked: list[CaptchaRequired] = []

    async def handler(captcha: CaptchaRequired) -> str:
        asked.append(captcha)
        return "k7x2q"

    async with make_page(sandbox, captcha_handler=handler) as page:
        comments = [c async for c in page.comments("1")]
    assert comments and len(asked) == 1 and asked[0].sid == sid
    second = sandbox.fake.calls_of("wall.getComments")[1]
    assert (second.params["captcha_sid"], second.params["captcha_key"]) == (sid, "k7x2q")


async def test_captcha_handler_attempts_are_bounded(sandbox: SampleVK) -> None:
    sandbox.fake.require_captcha("groups.getById", answer="right")
    asked = []
    async with make_page(sandbox, captcha_handler=lambda c: asked.append(c) or "wrong") as page:
        with pytest.raises(CaptchaRequired):
            await page.profile()
    assert len(asked) == 2
    assert len(sandbox.fake.calls_of("groups.getById")) == 3


async def test_captcha_redirect_uri_sends_success_token(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{API}/groups.getById",
        json={
            "error": {
                "error_code": 14,
                "error_msg": "Captcha needed",
                "captcha_sid": "77",
                "captcha_img": "https://api.vk.ru/captcha.php?sid=77",
                "redirect_uri": "https://id.vk.ru/not_robot?x=1",
                "request_params": [],
            }
        },
    )
    httpx_mock.add_response(
        url=f"{API}/groups.getById",
        json={"response": {"groups": [{"id": 1, "name": "N"}], "profiles": []}},
    )
    async with VKPage(
        1,
        service_token="service-key-123",
        retry=RetryPolicy.none(),
        limits=FAST,
        captcha_handler=lambda c: "success-token-from-browser",
    ) as page:
        assert (await page.profile()).name == "N"
    retry = httpx_mock.get_requests()[1].content.decode()
    assert "success_token=success-token-from-browser" in retry and "captcha_key" not in retry


async def test_non_json_and_network_failures(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{API}/groups.getById", text="<html>oops</html>")
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=f"{API}/groups.getById")
    async with VKPage(
        1, service_token="service-key-123", retry=RetryPolicy.none(), limits=FAST
    ) as page:
        with pytest.raises(ServerError):
            await page.profile()
        with pytest.raises(NetworkError) as info:
            await page.profile()
    assert info.value.__cause__ is None and info.value.__suppress_context__


async def test_lost_answer_on_a_scheduled_post_is_found_with_the_user_key(
    sandbox: SampleVK,
) -> None:
    # A service key is configured too: postponed posts are visible to admins only, so the
    # read-back must use the user key.
    sandbox.fake.fail_next("wall.post", lose_response=True)
    when = datetime.now(timezone.utc) + timedelta(days=1)
    older = Post(text="Напоминание", publish_at=when + timedelta(hours=5))
    async with make_page(sandbox) as page:
        await page.publish(older.model_copy(update={"idempotency_key": "other"}))
        sandbox.fake.fail_next("wall.post", lose_response=True)
        receipt = await page.publish(Post(text="Напоминание", publish_at=when))
    assert receipt.status is PublishStatus.SCHEDULED
    postponed = [p for p in sandbox.fake.groups[100001].posts if p.postponed]
    mine = next(p for p in postponed if p.date == int(when.timestamp()))
    assert receipt.post_id == str(mine.id)  # not the older one with the same text
    read_back = sandbox.fake.calls_of("wall.get")[-1]
    assert read_back.params["filter"] == "postponed" and read_back.token_kind == "user"


async def test_poll_creation_is_not_resent_after_a_lost_answer(sandbox: SampleVK) -> None:
    from gospages import Poll

    sandbox.fake.fail_next("polls.create", lose_response=True)
    post = Post(text="Опрос", attachments=[Poll(question="Удобно?", answers=["Да", "Нет"])])
    async with make_page(sandbox, retry=QUICK_RETRY) as page:
        with pytest.raises(NetworkError):
            await page.publish(post)
    assert len(sandbox.fake.calls_of("polls.create")) == 1
    assert sandbox.fake.calls_of("wall.post") == []


async def test_raw_calls_to_write_methods_are_not_retried_by_default(sandbox: SampleVK) -> None:
    sandbox.fake.fail_next("wall.createComment", http_status=502)
    async with make_page(sandbox, retry=QUICK_RETRY) as page:
        with pytest.raises(ServerError):
            await page.api.call(
                "wall.createComment", {"owner_id": -100001, "post_id": 1, "message": "x"}
            )
    assert len(sandbox.fake.calls_of("wall.createComment")) == 1


async def test_reads_spread_over_the_service_and_user_keys(sandbox: SampleVK) -> None:
    # Both keys at VK's real 3/s, each spacing its reads a third of a second apart: a
    # read goes through whichever key is free first (the service key on a tie), so six
    # reads take the time of three.
    clock = sandbox.fake.clock
    started = clock.monotonic()
    async with make_page(sandbox, community_token=None, limits=VKLimits()) as page:
        for _ in range(6):
            await page.profile()
    kinds = [c.token_kind for c in sandbox.fake.calls_of("groups.getById")]
    assert kinds[0] == "service"
    assert kinds.count("user") == kinds.count("service") == 3
    assert clock.monotonic() - started < 3 * 0.35 + 0.01


async def test_verification_reuses_the_profile_answer(sandbox: SampleVK) -> None:
    async with make_page(sandbox) as page:
        await page.profile()
        await page.verification()
        assert len(sandbox.fake.calls_of("groups.getById")) == 1
        await page.profile()
    assert len(sandbox.fake.calls_of("groups.getById")) == 2  # profile() is always fresh


async def test_comments_of_many_posts_come_in_one_execute_with_a_user_key(
    sandbox: SampleVK,
) -> None:
    week = datetime.now(timezone.utc) - timedelta(days=7)
    async with make_page(sandbox, user_token=None) as reader:
        expected = [(c.id, c.parent_id, c.text) async for c in reader.comments(since=week)]
    sandbox.fake.calls.clear()
    async with make_page(sandbox, service_token=None) as page:
        batched = [(c.id, c.parent_id, c.text) async for c in page.comments(since=week)]
    assert batched == expected
    assert len(sandbox.fake.calls_of("execute")) == 1
    assert sandbox.fake.calls_of("wall.getComments") == []


async def test_ban_needs_a_user_key_and_stops_comments(sandbox: SampleVK) -> None:
    from gospages import Operation, PermissionDenied

    async with make_page(sandbox, user_token=None) as weak:
        assert not weak.capabilities().can(Operation.BAN)
        with pytest.raises(TokenTypeError):
            await weak.ban("20002")
    async with make_page(sandbox) as page:
        until = datetime.now(timezone.utc) + timedelta(days=3)
        await page.ban("20002", until=until, reason="спам")
        with pytest.raises(ValidationError):
            await page.ban("-100001")  # a community is not a user
    call = sandbox.fake.calls_of("groups.ban")[-1]
    assert call.params["end_date"] == str(int(until.timestamp()))
    assert call.params["comment"] == "спам" and call.token_kind == "user"
    assert sandbox.fake.bans[100001][20002] == int(until.timestamp())
    sandbox.fake.add_token("spammer-key-20002", kind="user", user_id=20002)
    async with make_page(sandbox, user_token="spammer-key-20002", community_token=None) as spammer:
        comment = [
            c async for c in spammer.comments(since=datetime.now(timezone.utc) - timedelta(days=2))
        ][0]
        with pytest.raises(PermissionDenied):
            await spammer.api.call(
                "wall.createComment",
                {"owner_id": -100001, "post_id": comment.post_id, "message": "снова спам"},
            )
