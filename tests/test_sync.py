"""The sync facade: one background loop, also inside a running loop (Jupyter)."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta, timezone

import pytest

from gospages import Post, PublishStatus, RetryPolicy
from gospages import sync as gsync
from gospages.testing import SampleVK, sample_vk

from .conftest import FAST


def sync_page(sandbox: SampleVK) -> gsync.VKPage:
    return gsync.VKPage(
        sandbox.district,
        user_token=sandbox.user_token,
        service_token=sandbox.service_token,
        community_token=sandbox.community_token,
        http_client=sandbox.fake.client(),
        retry=RetryPolicy.none(),
        limits=FAST,
    )


def test_plain_script() -> None:
    sandbox = sample_vk(rate_limits=False)
    with sync_page(sandbox) as page:
        assert page.profile().name == "Администрация Энского района"
        week = datetime.now(timezone.utc) - timedelta(days=7)
        posts = list(page.posts(since=week))
        assert len(posts) == 3
        comments = list(page.comments(posts[0].id))
        assert any(c.parent_id for c in comments)
        receipt = page.publish(Post(text="Из синхронного скрипта"))
        assert receipt.status is PublishStatus.PUBLISHED
        answer = page.reply(comments[0], "Ответ")
        assert answer.parent_id == comments[0].id
        page.delete_comment(answer)
        assert page.capabilities().can("publish")
        assert page.page_id == "adm_ensk"


def test_breaking_out_of_an_iterator_closes_it() -> None:
    sandbox = sample_vk(rate_limits=False)
    with sync_page(sandbox) as page:
        for _post in page.posts():
            break
        assert len(sandbox.fake.calls_of("wall.get")) == 1
        assert page.verification().state.value == "confirmed"


def test_works_inside_a_running_loop_like_jupyter() -> None:
    sandbox = sample_vk(rate_limits=False)

    async def notebook_cell() -> str:
        # A notebook runs cells inside a loop; the sync API must still work there.
        with sync_page(sandbox) as page:
            return page.profile().name

    assert asyncio.run(notebook_cell()) == "Администрация Энского района"


def test_all_sync_pages_share_one_background_loop() -> None:
    sandbox = sample_vk(rate_limits=False)
    with sync_page(sandbox) as a, sync_page(sandbox) as b:
        a.profile()
        b.profile()
    threads = [t for t in threading.enumerate() if t.name == "gospages-loop"]
    assert len(threads) == 1


def test_calling_from_the_background_loop_is_a_clear_error() -> None:
    async def inside() -> None:
        gsync.run(asyncio.sleep(0))

    with pytest.raises(RuntimeError, match="асинхронный API"):
        gsync.run(inside())
