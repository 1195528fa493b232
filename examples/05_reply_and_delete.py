"""Ответ на первый вопрос жителя и удаление спама со словом «Заработок».

Запуск: python examples/05_reply_and_delete.py
На настоящем сообществе пример пишет только с GOSPAGES_EXAMPLES_WRITE=1.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from _connect import connect

from gospages import Comment, Operation
from gospages.vk import VKPage

ANSWER = "Спасибо за вопрос! Передали его в профильный отдел, ответим здесь же."


def is_question(comment: Comment) -> bool:
    return not comment.deleted and not comment.from_page and "?" in comment.text


async def main() -> None:
    conn = connect()
    print(conn.describe())
    week_ago = datetime.now(timezone.utc) - timedelta(days=7)

    async with VKPage(conn.group, **conn.kwargs()) as page:
        caps = page.capabilities()
        for op in (Operation.COMMENTS, Operation.REPLY, Operation.DELETE_COMMENT):
            if not caps.can(op):
                print(f"Не хватает ключа: {caps.missing[op]}")
                return

        # comments() без post_id обходит записи, опубликованные после since.
        comments = [c async for c in page.comments(since=week_ago)]
        # Вопрос, на который сообщество ещё не ответило в его ветке.
        answered = {c.parent_id for c in comments if c.from_page}
        question = next((c for c in comments if is_question(c) and c.id not in answered), None)
        spam = next((c for c in comments if not c.deleted and "Заработок" in c.text), None)
        print(f"Комментариев за неделю: {len(comments)}")

        if not conn.may_write():
            return
        if question is None:
            print("Вопросов без ответа не нашлось.")
        else:
            print(f"Вопрос #{question.id}: {question.text}")
            # Ключ сообщества предпочтительнее: ответ придёт от имени сообщества.
            answer = await page.reply(question, ANSWER)
            print(f"  ответ #{answer.id} в ветке #{answer.thread_id}")
        if spam is None:
            print("Комментариев со словом «Заработок» нет.")
        else:
            await page.delete_comment(spam)
            print(f"Удалён комментарий #{spam.id}: «{spam.text[:50]}»")


if __name__ == "__main__":
    asyncio.run(main())
