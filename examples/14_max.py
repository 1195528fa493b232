"""Канал в MAX: профиль, права бота, записи, комментарии, публикация и ответ жителю.

Запуск: python examples/14_max.py

Без переменных окружения пример работает на песочнице gospages.testing.sample_max: без
ключей и без сети. С переменными GOSPAGES_MAX_TOKEN (токен бота с бизнес-платформы MAX),
GOSPAGES_MAX_CA_FILE (корневой сертификат Минцифры, https://www.gosuslugi.ru/crt) и
GOSPAGES_MAX_CHANNEL (имя канала из ссылки max.ru/<имя> или id чата) — на настоящем
канале; писать в него пример будет только с GOSPAGES_EXAMPLES_WRITE=1. Подробности —
docs/max.md.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta, timezone

from gospages import GospagesError, Post
from gospages.max import MaxChannel
from gospages.testing import sample_max

ENV_WRITE = "GOSPAGES_EXAMPLES_WRITE"


def channel_from_env() -> tuple[MaxChannel, bool]:
    """``(channel, is_sandbox)``: the real MAX from the environment, or the sandbox."""
    token = os.environ.get("GOSPAGES_MAX_TOKEN", "").strip()
    ref = os.environ.get("GOSPAGES_MAX_CHANNEL", "").strip()
    ca_file = os.environ.get("GOSPAGES_MAX_CA_FILE", "").strip() or None
    if token and ref:
        return MaxChannel(ref, token=token, ca_file=ca_file), False
    if token or ref:
        sys.exit("Настройка неполная: задайте GOSPAGES_MAX_TOKEN и GOSPAGES_MAX_CHANNEL")
    return sample_max().page(), True


async def main() -> None:
    channel, sandbox = channel_from_env()
    where = "песочница gospages (FakeMax)" if sandbox else "MAX"
    week_ago = datetime.now(timezone.utc) - timedelta(days=7)
    async with channel:
        profile = await channel.profile()
        print(f"Канал «{profile.name}» ({where}), подписчиков: {profile.members_count}")
        verification = await channel.verification()
        print(f"Проверка: {verification.state.label} — {verification.explanation}")

        rights = await channel.load_rights()  # GET /chats/{id}/members/me
        print("Права бота в канале:", ", ".join(sorted(rights)) or "нет")
        for operation, why in channel.capabilities().missing.items():
            print(f"  нельзя {operation.value}: {why}")

        posts = [p async for p in channel.posts(since=week_ago)]
        print(f"Записей за неделю: {len(posts)}")
        questions = []
        for post in posts[:3]:
            comments = [c async for c in channel.comments(post.id)]
            print(f"  {post.date:%d.%m} «{post.text[:50]}»: комментариев {len(comments)}")
            questions += [c for c in comments if c.text.endswith("?") and not c.from_page]

        # Отложить публикацию MAX не даёт: ошибка до любого запроса.
        later = Post(text="Завтра", publish_at=datetime.now(timezone.utc) + timedelta(days=1))
        print("Отложенная запись:", "; ".join(channel.problems(later)))

        if not sandbox and os.environ.get(ENV_WRITE) != "1":
            print(f"Запись в канал пропущена: задайте {ENV_WRITE}=1")
            return
        receipt = await channel.publish(Post(text="Приём граждан в пятницу с 10:00."))
        print(f"Опубликовано: {receipt.status.value}, {receipt.url or receipt.post_id}")
        if questions:
            # 41-ФЗ не запрещает отвечать жителям в MAX: ответ без оговорок.
            try:
                answer = await channel.reply(questions[0], "Спасибо за вопрос, ответим сегодня.")
                print(f"Ответ жителю опубликован: {answer.id}")
            except GospagesError as error:
                print(f"Ответить не удалось: {error}")


if __name__ == "__main__":
    asyncio.run(main())
