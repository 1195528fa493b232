"""Ошибки gospages: не тот ключ (TokenTypeError), капча с captcha_handler, NotFound.

Запуск: python examples/07_errors_and_captcha.py
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from _connect import connect

from gospages import (
    CaptchaRequired,
    Comment,
    GospagesError,
    NotFound,
    Platform,
    RetryPolicy,
    TokenTypeError,
)
from gospages.vk import VKPage

SANDBOX_CAPTCHA = "k7x2q"


def make_captcha_handler(sandbox: bool) -> Callable[[CaptchaRequired], str]:
    """Обработчик капчи: получает CaptchaRequired и возвращает ответ.

    Может быть и async-функцией. input() подходит для скрипта в терминале.
    """

    def handler(error: CaptchaRequired) -> str:
        if error.redirect_uri:
            # Новый вид капчи: человек проходит проверку в браузере, ответ — success_token.
            print(f"  ВКонтакте просит пройти проверку: {error.redirect_uri}")
            return input("  success_token: ")
        print(f"  ВКонтакте просит капчу: {error.image_url}")
        if sandbox:
            print(f"  (песочница) вводим «{SANDBOX_CAPTCHA}»")
            return SANDBOX_CAPTCHA
        return input("  Текст с картинки: ")

    return handler


async def main() -> None:
    conn = connect()
    print(conn.describe())

    # 1. Не тот ключ: удаление комментария требует ключа пользователя-администратора.
    #    Ошибка возникает до запроса, поэтому подойдёт любой комментарий страницы.
    print("\n1. Удаление комментария с ключом сообщества")
    weak_key = next((k for k in ("community_token", "service_token") if k in conn.tokens), None)
    if weak_key is None:
        print("  пропущено: нужен ключ сообщества или сервисный ключ")
    else:
        async with VKPage(conn.group, **conn.kwargs(weak_key)) as weak:
            comment = Comment(
                platform=Platform.VK,
                page=weak.page_id,
                id="1",
                post_id="1",
                author_id=None,
                date=None,
            )
            try:
                await weak.delete_comment(comment)
            except TokenTypeError as error:
                print(f"  {type(error).__name__}: {error}")
                print(f"  нужен ключ вида: {', '.join(error.needed)}; код VK: {error.code}")

    # 2. Капча: captcha_handler получает CaptchaRequired и возвращает ответ,
    #    gospages повторяет запрос сам (не больше двух раз на вызов).
    print("\n2. Капча")
    if conn.sandbox is not None:
        conn.sandbox.fake.require_captcha("wall.getComments", answer=SANDBOX_CAPTCHA)
    async with VKPage(
        conn.group,
        **conn.kwargs(),
        captcha_handler=make_captcha_handler(conn.is_sandbox),
    ) as page:
        try:
            comments = [c async for c in page.comments()]
            print(f"  прочитано комментариев: {len(comments)}")
        except CaptchaRequired as error:
            print(f"  капча так и не решена: {error}")

    # 3. Несуществующее сообщество: NotFound. Все ошибки — наследники GospagesError,
    #    в них есть платформа, метод и код VK, но никогда нет ключа или параметров запроса.
    print("\n3. Несуществующее сообщество")
    async with VKPage(
        "no_such_community_gospages",
        **conn.kwargs(),
        retry=RetryPolicy.none(),
    ) as missing:
        try:
            await missing.profile()
        except NotFound as error:
            print(f"  NotFound: {error}")
        except GospagesError as error:
            print(f"  {type(error).__name__}: {error} (код {error.code}, метод {error.method})")


if __name__ == "__main__":
    asyncio.run(main())
