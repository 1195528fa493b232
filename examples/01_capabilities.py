"""Что разрешают ключи ВКонтакте, ещё до первого запроса.

Запуск: python examples/01_capabilities.py
Без переменных окружения работает на песочнице (см. examples/_connect.py).
"""

from __future__ import annotations

from _connect import connect

from gospages import Operation
from gospages.vk import VKPage

NAMES = {
    Operation.PROFILE: "профиль страницы",
    Operation.VERIFICATION: "госметка",
    Operation.POSTS: "чтение записей",
    Operation.COMMENTS: "чтение комментариев",
    Operation.PUBLISH: "публикация",
    Operation.PUBLISH_PHOTOS: "публикация с фото",
    Operation.PUBLISH_POLLS: "публикация с опросом",
    Operation.SCHEDULE: "отложенная публикация",
    Operation.REPLY: "ответ на комментарий",
    Operation.DELETE_COMMENT: "удаление комментария",
}
KEY_NAMES = {
    "user_token": "ключ пользователя",
    "community_token": "ключ сообщества",
    "service_token": "сервисный ключ",
}


def main() -> None:
    conn = connect()
    print(conn.describe())

    # capabilities() не делает запросов: решение принимается по таблице METHOD_TOKENS.
    caps = VKPage(conn.group, **conn.kwargs()).capabilities()
    print("\nС переданными ключами:")
    for operation, name in NAMES.items():
        if caps.can(operation):
            print(f"  ✓ {name}")
        else:
            print(f"  ✗ {name}: {caps.missing[operation]}")

    if len(conn.tokens) < 2:
        return
    print("\nКаждый ключ по отдельности:")
    for kwarg in conn.tokens:
        alone = VKPage(conn.group, **conn.kwargs(kwarg)).capabilities()
        allowed = [name for op, name in NAMES.items() if alone.can(op)]
        print(f"  {KEY_NAMES[kwarg]}: {', '.join(allowed) or 'ничего'}")


if __name__ == "__main__":
    main()
