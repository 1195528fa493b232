"""Публикация: текст + фото + ссылка + опрос сейчас, и отложенная запись на завтра 10:00 МСК.

Запуск: python examples/04_publish.py
На настоящем сообществе пример пишет только с GOSPAGES_EXAMPLES_WRITE=1; фото для него
берётся из файла GOSPAGES_EXAMPLE_PHOTO (без него запись уйдёт без фото).
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from _connect import connect

from gospages import Link, Operation, Photo, Poll, Post, PublishedPost, PublishStatus
from gospages.vk import VKPage

MSK = ZoneInfo("Europe/Moscow")
# Песочнице хватает заголовка JPEG; настоящему ВКонтакте нужен настоящий файл.
TINY_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def show(title: str, receipt: PublishedPost) -> None:
    print(f"{title}: {receipt.status.label}, {receipt.url or 'адрес неизвестен'}")
    if receipt.status is PublishStatus.NEEDS_CHECK:
        print(f"  проверьте стену вручную: {receipt.note}")
    elif receipt.note:
        print(f"  {receipt.note}")


async def main() -> None:
    conn = connect()
    print(conn.describe())

    photo_path = os.environ.get("GOSPAGES_EXAMPLE_PHOTO")
    if photo_path:
        photos = [Photo.from_path(photo_path)]
    elif conn.is_sandbox:
        photos = [Photo.from_bytes(TINY_JPEG, filename="afisha.jpg")]
    else:
        photos = []

    post = Post(
        text="Приглашаем на публичные слушания по бюджету района.",
        attachments=[
            *photos,
            Link(url="https://ensk.gosuslugi.ru/budget"),  # во ВКонтакте одна ссылка на запись
            Poll(question="Придёте на слушания?", answers=["Да", "Нет", "Посмотрю онлайн"]),
        ],
    )
    # publish_at: дата с часовым поясом; наивная дата — ошибка ещё при создании Post.
    tomorrow_10 = (datetime.now(MSK) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    reminder = Post(text="Напоминание: слушания сегодня в 15:00.", publish_at=tomorrow_10)

    async with VKPage(conn.group, **conn.kwargs()) as page:
        caps = page.capabilities()
        needed = [Operation.PUBLISH_POLLS, Operation.SCHEDULE]
        if photos:
            needed.append(Operation.PUBLISH_PHOTOS)
        lacking = [caps.missing[op] for op in needed if not caps.can(op)]
        if lacking:
            print("Публикация невозможна: " + "; ".join(lacking))
            return
        page.check(post)  # лимиты ВКонтакте проверяются и без запросов
        if not conn.may_write():
            return

        show("Сейчас", await page.publish(post))
        show(f"На {tomorrow_10:%d.%m.%Y %H:%M} МСК", await page.publish(reminder))
        # Тот же объект Post несёт тот же idempotency_key (guid ВКонтакте):
        # повторная публикация не создаёт дубль.
        show("Повтор того же Post", await page.publish(post))


if __name__ == "__main__":
    asyncio.run(main())
