"""The fakes as real HTTP servers on loopback, for out-of-process clients."""

from __future__ import annotations

import pytest
import requests
import vk_api

from gospages import NetworkError, Photo, Post, RetryPolicy
from gospages.ok import OKPage
from gospages.testing import sample_ok, sample_vk
from gospages.vk import VKLimits, VKPage


def test_the_vk_api_package_talks_to_the_served_fake() -> None:
    sandbox = sample_vk(rate_limits=False)
    with sandbox.fake.serve() as base:

        class Redirect(requests.adapters.HTTPAdapter):
            def send(self, request, **kwargs):  # type: ignore[no-untyped-def, override]
                request.url = request.url.replace("https://api.vk.ru", base)
                return super().send(request, **kwargs)

        session = requests.Session()
        session.mount("https://", Redirect())
        vk = vk_api.VkApi(token=sandbox.service_token, api_version="5.199", session=session)
        groups = vk.method("groups.getById", {"group_id": "adm_ensk", "fields": "members_count"})
        with pytest.raises(vk_api.ApiError) as info:
            vk.method("wall.post", {"owner_id": -100001, "message": "x"})
    assert groups["groups"][0]["members_count"] == 2421
    assert info.value.code == 28  # a service key may not post
    assert sandbox.fake.base_url == "https://api.vk.ru"  # restored after serving


async def test_vk_page_publishes_a_photo_through_the_server() -> None:
    sandbox = sample_vk(rate_limits=False)
    with sandbox.fake.serve() as base:
        async with VKPage(
            sandbox.district,
            user_token=sandbox.user_token,
            api_url=f"{base}/method",
            limits=VKLimits(user=1000),
        ) as page:
            receipt = await page.publish(
                Post(text="По сети", attachments=[Photo.from_bytes(b"jpg")])
            )
            sandbox.fake.fail_next("wall.post", lose_response=True)
            before = len(sandbox.fake.calls_of("wall.post"))
            with pytest.raises(NetworkError):
                await page.api.call("wall.post", {"owner_id": -100001, "message": "y"})
    assert receipt.post_id
    assert before == 1 and len(sandbox.fake.calls_of("wall.post")) == 2
    posted = [p for p in sandbox.fake.groups[100001].posts if p.text in ("По сети", "y")]
    assert len(posted) == 2  # the lost answer's write was committed all the same


async def test_ok_page_through_the_server() -> None:
    sandbox = sample_ok()
    with sandbox.fake.serve() as base:
        async with OKPage(
            sandbox.group_id,
            application_key=sandbox.application_key,
            application_secret_key=sandbox.application_secret_key,
            access_token=sandbox.access_token,
            api_url=f"{base}/fb.do",
            requests_per_second=1000,
            retry=RetryPolicy.none(),
        ) as page:
            receipt = await page.publish(Post(text="Фото", attachments=[Photo.from_bytes(b"x")]))
            assert (await page.profile()).members_count == 1114
    assert receipt.post_id
