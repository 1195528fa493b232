"""Записи за последние 7 дней и комментарии к ним с ветками.

Запуск: python examples/03_posts_and_comments.py
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from _connect import connect

from gospages import Comment
from gospages.vk import VKPage

MSK = ZoneInfo("Europe/Moscow")


def line(comment: Comment) -> str:
    if comment.deleted:
        return f"#{comment.id} (комментарий удалён)"
    who = "сообщество" if comment.from_page else f"id{comment.author_id}"
    return f"#{comment.id} {who}: {comment.text[:80]}"


async def main() -> None:
    conn = connect()
    print(conn.describe())
    week_ago = datetime.now(timezone.utc) - timedelta(days=7)

    async with VKPage(conn.group, **conn.kwargs()) as page:
        # Записи идут от новых к старым; закреплённая запись старше since пропускается.
        async for post in page.posts(since=week_ago):
            date = post.date.astimezone(MSK)
            print(f"\n{date:%d.%m %H:%M} МСК  {post.text[:70]}")
            print(f"  {post.url}  просмотры: {post.views}, комментарии: {post.comments_count}")
            if post.comments_count == 0:
                continue
            async for comment in page.comments(post.id, since=week_ago):
                # Ответы внутри ветки имеют thread_id: печатаем их с отступом.
                indent = "      " if comment.thread_id else "    "
                print(indent + line(comment))


if __name__ == "__main__":
    asyncio.run(main())
