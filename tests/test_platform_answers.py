"""Answers that are not what the platform promised (issue 10): lost deletes read back,
lost writes reconciled, 429 retried, deactivated groups, Telegram's number of parts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gospages import (
    Comment,
    NetworkError,
    Post,
    PublishStatus,
    RetryPolicy,
)
from gospages.telegram import TelegramChannel
from gospages.testing import FakeTelegram, SampleVK, sample_ok

from .conftest import QUICK_RETRY, make_page

# -- deletes whose answer was lost ---------------------------------------------------------


async def _victim(page: Any, post_id: str | None = None) -> Comment:
    comments = [c async for c in page.comments(post_id)]
    return next(c for c in comments if not c.deleted and not c.from_page)


async def test_vk_delete_with_a_lost_answer_is_read_back(sandbox: SampleVK) -> None:
    async with make_page(sandbox) as page:
        victim = await _victim(page)
        sandbox.fake.fail_next("wall.deleteComment", lose_response=True)
        await page.delete_comment(victim)  # done: no NetworkError
        after = {c.id: c async for c in page.comments(victim.post_id)}
    assert victim.id not in after or after[victim.id].deleted
    assert len(sandbox.fake.calls_of("wall.deleteComment")) == 1


async def test_vk_delete_lost_before_it_was_done_still_raises(sandbox: SampleVK) -> None:
    async with make_page(sandbox) as page:
        victim = await _victim(page)
        sandbox.fake.fail_next("wall.deleteComment", http_status=502)
        with pytest.raises(Exception) as caught:
            await page.delete_comment(victim)
        after = {c.id: c async for c in page.comments(victim.post_id)}
    assert type(caught.value).__name__ == "ServerError"
    assert not after[victim.id].deleted


async def test_ok_delete_with_a_lost_answer_is_read_back() -> None:
    sandbox = sample_ok()
    async with sandbox.page(retry=RetryPolicy.none(), requests_per_second=1000) as page:
        posts = [p async for p in page.posts()]
        post = next(p for p in posts if p.comments_count)
        victim = await _victim(page, post.id)
        sandbox.fake.fail_next("discussions.deleteDiscussionComment", lose_response=True)
        await page.delete_comment(victim)
        after = {c.id: c async for c in page.comments(post.id)}
    assert victim.id not in after or after[victim.id].deleted


async def test_telegram_delete_with_a_lost_answer_is_read_back() -> None:
    fake = FakeTelegram.sample()
    async with TelegramChannel(FakeTelegram.SAMPLE_CHANNEL, client=fake) as channel:
        victim = await _victim(channel)
        fake.fail_next("delete_messages", lose_response=True)
        await channel.delete_comment(victim)
        after = {c.id async for c in channel.comments(victim.post_id)}
    assert victim.id not in after
    assert len(fake.calls_of("delete_messages")) == 1


async def test_telegram_delete_not_done_keeps_the_network_error() -> None:
    fake = FakeTelegram.sample()
    async with TelegramChannel(FakeTelegram.SAMPLE_CHANNEL, client=fake) as channel:
        victim = await _victim(channel)
        fake.fail_next("delete_messages", exception=ConnectionError())
        with pytest.raises(NetworkError):
            await channel.delete_comment(victim)
        assert victim.id in {c.id async for c in channel.comments(victim.post_id)}


# -- VK: lost writes ---------------------------------------------------------------------


async def test_vk_read_back_does_not_take_an_earlier_post_with_the_same_text(
    sandbox: SampleVK,
) -> None:
    async with make_page(sandbox) as page:
        first = await page.publish(Post(text="Отключение воды 12 мая"))
        assert first.status is PublishStatus.PUBLISHED
        # The second is refused with HTTP 502 before VK does anything: never published.
        sandbox.fake.fail_next("wall.post", http_status=502)
        second = await page.publish(Post(text="Отключение воды 12 мая"))
    assert second.status is PublishStatus.NEEDS_CHECK
    assert second.post_id is None


async def test_vk_read_back_still_finds_the_post_itself(sandbox: SampleVK) -> None:
    async with make_page(sandbox) as page:
        await page.publish(Post(text="Отключение воды 12 мая"))
        sandbox.fake.fail_next("wall.post", lose_response=True)
        second = await page.publish(Post(text="Отключение воды 12 мая"))
    assert second.status is PublishStatus.PUBLISHED
    assert second.post_id is not None


async def test_vk_rate_limit_after_a_committed_write_is_reconciled(sandbox: SampleVK) -> None:
    """The first attempt is committed and its answer lost; the resends hit error 6: the
    post is on the wall, the receipt must say so instead of raising RateLimited."""
    async with make_page(sandbox, retry=QUICK_RETRY) as page:
        sandbox.fake.fail_next("wall.post", lose_response=True)
        sandbox.fake.fail_next("wall.post", error_code=6, times=3)
        receipt = await page.publish(Post(text="Приём граждан переносится"))
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.post_id is not None
    wall = [p.text for p in sandbox.fake.groups[100001].posts]
    assert wall.count("Приём граждан переносится") == 1


# -- HTTP 429 ----------------------------------------------------------------------------


async def test_vk_read_is_retried_after_http_429_with_retry_after(sandbox: SampleVK) -> None:
    calls = {"n": 0}
    slept: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(429, headers={"Retry-After": "2"}, text="Too Many Requests")
        return sandbox.fake.handler(request)

    page = make_page(sandbox, retry=QUICK_RETRY)
    page._transport._client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    page._transport._sleep = _recorder(slept)
    async with page:
        profile = await page.profile()
    assert profile.name
    assert calls["n"] == 2
    assert slept == [2.0]


async def test_vk_write_is_not_resent_after_http_429(sandbox: SampleVK) -> None:
    calls = {"wall.post": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/wall.post"):
            calls["wall.post"] += 1
            return httpx.Response(429, headers={"Retry-After": "1"}, text="Too Many Requests")
        return sandbox.fake.handler(request)

    page = make_page(sandbox, retry=QUICK_RETRY)
    page._transport._client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    page._transport._sleep = _recorder([])
    async with page:
        with pytest.raises(Exception) as caught:
            await page.publish(Post(text="Новость"))
    assert type(caught.value).__name__ == "RateLimited"
    assert calls["wall.post"] == 1


def _recorder(slept: list[float]) -> Any:
    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return sleep


# -- deleted or banned groups ------------------------------------------------------------


@pytest.mark.parametrize("state", ["banned", "deleted"])
async def test_a_deactivated_group_is_a_finding_of_its_own(sandbox: SampleVK, state: str) -> None:
    from datetime import datetime, timezone

    from gospages.requirements import audit_page, capture_snapshot, traffic_light

    sandbox.fake.groups[100001].fields["deactivated"] = state
    async with make_page(sandbox) as page:
        snapshot = await capture_snapshot(page, now=datetime.now(timezone.utc))
    findings = audit_page(snapshot)
    assert [f.rule_id for f in findings] == ["GP-DEACTIVATED"]
    assert findings[0].severity.value == "error"
    assert "удалена" in findings[0].message or "заблокирована" in findings[0].message
    assert traffic_light(snapshot) is None


# -- Telegram: a sane number of parts ----------------------------------------------------


async def test_telegram_refuses_a_text_of_thousands_of_parts_before_sending() -> None:
    import time

    from gospages import ValidationError

    fake = FakeTelegram.sample()
    text = ("Администрация сообщает о плановых работах на сетях. " * 40 + "\n\n") * 5000
    assert len(text) > 10_000_000
    async with TelegramChannel(FakeTelegram.SAMPLE_CHANNEL, client=fake) as channel:
        started = time.perf_counter()
        with pytest.raises(ValidationError, match="max_parts"):
            await channel.publish(Post(text=text))
        elapsed = time.perf_counter() - started
        assert channel.problems(Post(text=text))
    sends = [c for c in fake.calls if c.method.startswith("send")]
    assert sends == []
    assert elapsed < 5


async def test_telegram_max_parts_is_configurable() -> None:
    fake = FakeTelegram.sample()
    text = ("Абзац о плановых работах на сетях водоснабжения района. " * 30 + "\n\n") * 12
    async with TelegramChannel(FakeTelegram.SAMPLE_CHANNEL, client=fake) as channel:
        assert channel.max_parts == 10
        channel.max_parts = 2
        assert channel.problems(Post(text=text))
        channel.max_parts = 100
        assert not channel.problems(Post(text=text))
        receipt = await channel.publish(Post(text=text))
    assert len(receipt.message_ids) > 2
