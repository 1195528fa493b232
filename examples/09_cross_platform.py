"""Одна и та же программа читает и публикует на трёх площадках: ВКонтакте, OK и Telegram.

Запуск: python examples/09_cross_platform.py

Без переменных окружения все три страницы — песочницы gospages.testing (без ключей и сети).
Настоящие страницы подключаются переменными, как в примерах 01 (ВКонтакте:
GOSPAGES_VK_*), 08 (Telegram: GOSPAGES_TG_*) и GOSPAGES_OK_GROUP, GOSPAGES_OK_APP_KEY,
GOSPAGES_OK_APP_SECRET, GOSPAGES_OK_TOKEN для Одноклассников. Писать на настоящие
страницы пример будет только с GOSPAGES_EXAMPLES_WRITE=1.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import warnings
from datetime import datetime, timedelta, timezone

from _connect import connect

from gospages import GospagesError, OfficialPage, Operation, Post
from gospages.ok import OKPage
from gospages.telegram import ForeignServiceWarning, TelegramChannel
from gospages.testing import sample_ok
from gospages.vk import VKPage

OK_ENV = ("GOSPAGES_OK_GROUP", "GOSPAGES_OK_APP_KEY", "GOSPAGES_OK_APP_SECRET", "GOSPAGES_OK_TOKEN")


def ok_page() -> tuple[OKPage, bool]:
    values = [os.environ.get(name, "").strip() for name in OK_ENV]
    if all(values):
        group, key, secret, token = values
        return OKPage(
            group, application_key=key, application_secret_key=secret, access_token=token
        ), False
    sandbox = sample_ok()
    return sandbox.page(requests_per_second=20), True


def telegram_page() -> tuple[TelegramChannel, bool]:
    # The Telegram part of example 08 already knows the environment variables.
    tg = importlib.import_module("08_telegram")
    client, ref, sandbox = tg.client_from_env()
    return TelegramChannel(ref, client=client), sandbox


async def report(page: OfficialPage, post: Post, may_write: bool) -> None:
    week_ago = datetime.now(timezone.utc) - timedelta(days=7)
    profile = await page.profile()
    verification = await page.verification()
    posts = [p async for p in page.posts(since=week_ago)]
    print(f"\n{page.platform.label}: «{profile.name}»")
    print(f"  подписчиков: {profile.members_count}, госметка: {verification.state.value}")
    print(f"  записей за 7 дней: {len(posts)}")
    if not page.capabilities().can(Operation.PUBLISH):
        print("  публикация: ключи не позволяют")
        return
    if not may_write:
        print("  публикация пропущена: это настоящая страница без GOSPAGES_EXAMPLES_WRITE=1")
        return
    try:
        receipt = await page.publish(post)
    except GospagesError as error:
        print(f"  публикация не удалась: {error}")
        return
    print(f"  опубликовано: {receipt.url or receipt.post_id} ({receipt.status.label})")
    if receipt.note:
        print(f"  примечание: {receipt.note}")


async def main() -> None:
    conn = connect()
    ok, ok_sandbox = ok_page()
    channel, tg_sandbox = telegram_page()
    vk = VKPage(conn.group, **conn.kwargs())
    writes = os.environ.get("GOSPAGES_EXAMPLES_WRITE") == "1"
    post = Post(text="С 1 декабря приём граждан по вторникам и четвергам с 10:00 до 13:00.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForeignServiceWarning)  # we only publish here
        async with vk, ok, channel:
            for page, sandbox in ((vk, conn.is_sandbox), (ok, ok_sandbox), (channel, tg_sandbox)):
                # The same Post goes everywhere: its idempotency key only matters to VK
                # (guid), where a rerun of the same Post object will not post twice.
                await report(page, post, sandbox or writes)


if __name__ == "__main__":
    asyncio.run(main())
