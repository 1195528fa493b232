"""Telegram-канал: профиль, записи, комментарии, длинная публикация и ответ с оговоркой 41-ФЗ.

Запуск: python examples/08_telegram.py

Без переменных окружения пример работает на песочнице gospages.testing.FakeTelegram: без
ключей и без сети. С переменными GOSPAGES_TG_API_ID, GOSPAGES_TG_API_HASH,
GOSPAGES_TG_SESSION (строка StringSession) и GOSPAGES_TG_CHANNEL (@имя канала) — на
настоящем канале; писать в него пример будет только с GOSPAGES_EXAMPLES_WRITE=1.
Как получить api_id, api_hash и строку сессии — docs/telegram.md.
"""

from __future__ import annotations

import asyncio
import os
import sys
import warnings
from datetime import datetime, timedelta, timezone

from gospages import Operation, Post
from gospages.telegram import ForeignServiceWarning, TelegramAPI, TelegramChannel, connect
from gospages.testing import FakeTelegram

ENV = {
    "api_id": "GOSPAGES_TG_API_ID",
    "api_hash": "GOSPAGES_TG_API_HASH",
    "session": "GOSPAGES_TG_SESSION",
    "channel": "GOSPAGES_TG_CHANNEL",
}
ENV_WRITE = "GOSPAGES_EXAMPLES_WRITE"

LONG_TEXT = "\n\n".join(
    f"{n}. График отключения горячей воды на улице №{n}: с 10 по 24 июня, "
    "работы ведёт теплоснабжающая организация. " * 12
    for n in range(1, 6)
)


def client_from_env() -> tuple[TelegramAPI, str, bool]:
    """``(client, channel, is_sandbox)``: the real Telegram from the environment, or the
    sandbox when none of the variables is set."""
    values = {key: os.environ.get(name, "").strip() for key, name in ENV.items()}
    if all(values.values()):
        client = connect(values["api_id"], values["api_hash"], values["session"])
        return client, values["channel"], False
    if any(values.values()):
        missing = ", ".join(ENV[k] for k, v in values.items() if not v)
        sys.exit(f"Настройка неполная: задайте {missing} или уберите все переменные GOSPAGES_TG_*")
    return FakeTelegram.sample(), FakeTelegram.SAMPLE_CHANNEL, True


async def main() -> None:
    client, ref, sandbox = client_from_env()
    where = "песочница gospages (FakeTelegram)" if sandbox else "Telegram"
    print(f"Канал «{ref}», {where}")
    week_ago = datetime.now(timezone.utc) - timedelta(days=7)

    async with TelegramChannel(ref, client=client) as channel:
        caps = channel.capabilities()  # без запросов
        for operation, why in caps.warnings.items():
            print(f"Внимание ({operation.value}): {why}")

        profile = await channel.profile()
        print(f"{profile.name}: {profile.members_count} подписчиков, {profile.url}")
        print("Группа обсуждений:", profile.extras.get("linked_chat_title") or "нет")
        verification = await channel.verification()
        print(f"Госметка: {verification.state.value}. {verification.explanation}")

        async for post in channel.posts(since=week_ago):
            print(
                f"  {post.date:%d.%m %H:%M} #{post.id} {post.text[:50]!r}"
                f" просмотров {post.views}, комментариев {post.comments_count}"
            )

        comments = []
        if caps.can(Operation.COMMENTS) and profile.comments_open:
            comments = [c async for c in channel.comments(since=week_ago)]
            for c in comments:
                kind = "ответ канала" if c.from_page else "житель"
                thread = f" (в ветке #{c.thread_id})" if c.thread_id else ""
                print(f"    #{c.id} к записи #{c.post_id}{thread}, {kind}: {c.text[:60]}")

        if not sandbox and os.environ.get(ENV_WRITE) != "1":
            print(f"Это настоящий канал: пример ничего в нём не меняет. Разрешить: {ENV_WRITE}=1")
            return

        receipt = await channel.publish(Post(text=LONG_TEXT))
        print(f"Публикация: {receipt.status.label}, {receipt.url}")
        print(f"  {receipt.note}")

        question = next((c for c in comments if not c.from_page and "?" in c.text), None)
        if question is not None:
            # Ответ работает, но по 41-ФЗ госорганам нельзя отвечать жителям в Telegram:
            # gospages предупреждает ForeignServiceWarning. Здесь предупреждение выводится.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ForeignServiceWarning)
                answer = await channel.reply(question, "Да, запись по телефону приёмной.")
            print(f"Ответ #{answer.id} на вопрос #{question.id}")
            for warning in caught:
                print(f"  Предупреждение: {warning.message}")


if __name__ == "__main__":
    asyncio.run(main())
