"""Профиль сообщества и госметка «Госорганизация».

Запуск: python examples/02_profile_and_verification.py
"""

from __future__ import annotations

import asyncio

from _connect import connect

from gospages import VerificationState
from gospages.vk import VKPage

STATES = {
    VerificationState.CONFIRMED: "есть (подтверждено через Госуслуги)",
    VerificationState.NOT_CONFIRMED: "нет",
    VerificationState.UNKNOWN: "неизвестно",
}


async def main() -> None:
    conn = connect()
    print(conn.describe())

    async with VKPage(conn.group, **conn.kwargs()) as page:
        profile = await page.profile()
        verification = await page.verification()

    print(f"\n{profile.name} ({profile.url})")
    print(f"  подписчиков: {profile.members_count}")
    print(f"  описание: {profile.description[:100] or '—'}")
    # Телефоны и e-mail берутся только из блока «Контакты», не из текста описания.
    print(f"  телефоны: {', '.join(profile.phones) or '—'}")
    print(f"  e-mail: {', '.join(profile.emails) or '—'}")
    print(f"  адреса: {', '.join(profile.addresses) or '—'}")
    print(f"  сайт: {profile.site or '—'}")
    comments = {True: "открыты", False: "закрыты", None: "неизвестно"}[profile.comments_open]
    print(f"  комментарии: {comments}")
    if profile.feedback_widgets is None:
        print("  виджеты ПОС: неизвестно (ВКонтакте не сообщил)")
    else:
        titles = ", ".join(w.title for w in profile.feedback_widgets)
        print(f"  виджеты ПОС: {titles or 'не найдены'}")

    print(f"\nГосметка: {STATES[verification.state]}")
    print(f"  как определено: {verification.explanation}")
    print(f"  отметки ВКонтакте: {verification.marks}")


if __name__ == "__main__":
    asyncio.run(main())
