"""То же, что примеры 02 и 03, но без async: синхронный фасад gospages.sync.

Запуск: python examples/06_sync_script.py
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from _connect import connect

from gospages.sync import VKPage

MSK = ZoneInfo("Europe/Moscow")


def main() -> None:
    conn = connect()
    print(conn.describe())
    week_ago = datetime.now(timezone.utc) - timedelta(days=7)

    with VKPage(conn.group, **conn.kwargs()) as page:
        profile = page.profile()
        verification = page.verification()
        print(f"\n{profile.name}: {profile.members_count} подписчиков")
        print(f"  телефоны: {', '.join(profile.phones) or '—'}")
        print(f"  госметка: {verification.state.value} ({verification.explanation})")

        # Итераторы обычные, не async: под капотом те же корутины в фоновом цикле.
        for post in page.posts(since=week_ago):
            print(f"\n{post.date.astimezone(MSK):%d.%m %H:%M} МСК  {post.text[:70]}")
            if post.comments_count == 0:
                continue
            for comment in page.comments(post.id, since=week_ago):
                indent = "      " if comment.thread_id else "    "
                text = "(удалён)" if comment.deleted else comment.text[:70]
                print(f"{indent}#{comment.id} {text}")

        # Асинхронная страница доступна как page.aio (например, для page.aio.api).
        print(f"\nАсинхронная страница: {page.aio!r}")


if __name__ == "__main__":
    main()
