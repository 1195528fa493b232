"""The fixtures users get from gospages' pytest plugin, used as a user would."""

from __future__ import annotations

from gospages import Post
from gospages.ok import OKPage
from gospages.testing import FakeOK, FakeVK, SampleOK
from gospages.vk import VKLimits, VKPage


async def test_fake_vk_fixture_starts_empty_and_works(fake_vk: FakeVK) -> None:
    assert fake_vk.groups == {} and fake_vk.calls == []
    fake_vk.add_group(7, "Школа № 1", "school1")
    fake_vk.add_token("my-user-key", kind="user", user_id=3, admin_of=[7])
    async with VKPage(
        "school1",
        user_token="my-user-key",
        http_client=fake_vk.client(),
        limits=VKLimits(user=1000),
    ) as page:
        receipt = await page.publish(Post(text="Родительское собрание в пятницу"))
    assert fake_vk.groups[7].posts[0].text == "Родительское собрание в пятницу"
    assert receipt.url == "https://vk.com/wall-7_1"


async def test_fake_ok_fixture(fake_ok: FakeOK) -> None:
    fake_ok.add_app("APPKEY", secret_key="app-secret-xyz")
    fake_ok.add_group("42", "Библиотека", admins=["9"], members_count=5)
    fake_ok.add_token("ok-token-abc", user_id="9")
    async with OKPage(
        "42",
        application_key="APPKEY",
        application_secret_key="app-secret-xyz",
        access_token="ok-token-abc",
        http_client=fake_ok.client(),
        requests_per_second=1000,
    ) as page:
        assert (await page.profile()).members_count == 5


def test_ok_sandbox_fixture_is_fresh_each_time(ok_sandbox: SampleOK) -> None:
    assert len(ok_sandbox.fake.groups[ok_sandbox.group_id].topics) == 4
    assert ok_sandbox.fake.calls == []


async def test_fake_telegram_fixture(fake_telegram: object) -> None:
    from gospages.telegram import TelegramChannel

    fake = fake_telegram
    fake.add_channel(1001, "Администрация", username="adm_tg", participants=491)  # type: ignore[attr-defined]
    async with TelegramChannel("adm_tg", client=fake) as channel:  # type: ignore[arg-type]
        assert (await channel.profile()).members_count == 491
