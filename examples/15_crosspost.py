"""Один пост на страницы выборки из реестра и каскад новости области в поселения.

Запуск: python examples/15_crosspost.py

Работает на песочнице-области из gospages.testing (ключи и сеть не нужны). С настоящими
страницами вместо region.opener() возьмите gospages.PageFactory() и свой реестр
(gospages.registry.load_registry). Документация: docs/crosspost.md.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from gospages import Platform, Post
from gospages.planning import Cascade, Selection, cascade, cross_post
from gospages.testing import build_region


async def main() -> None:
    region = build_region(seed=0)
    registry = region.registry

    # «все страницы администраций районов»: ВКонтакте, Одноклассники и Telegram
    selection = Selection.parse("уровень=район")
    pages = selection.pages(registry)
    print(f"Выборка «{selection}»: {selection.describe()}, страниц {len(pages)}")

    post = Post(text="Приём граждан главой района переносится на четверг, 10:00. " * 3)
    short = post.model_copy(update={"text": "Приём граждан переносится на четверг, 10:00."})
    async with region.opener() as open_page:
        result = await cross_post(
            pages, post, open_page, variants={Platform.TELEGRAM: short}, clock=region.clock
        )
    for outcome in result.outcomes:
        where = outcome.receipt.url if outcome.receipt else outcome.error
        print(f"  {outcome.org.name} · {outcome.ref.platform.label}: {outcome.status} {where}")

    # Каскад: новость области — на страницы всех поселений; состояние — в JSON.
    state_file = Path(tempfile.mkdtemp()) / "cascade.json"
    news = Post(text="Область продлила приём заявок на ремонт сельских клубов.")
    async with region.opener() as open_page:
        state = await cascade(
            news, "level=поселение platform=vk,ok", registry, open_page, item="kluby-2026"
        )
    state.save(state_file)
    print(f"Каскад: {state.summary()}")
    again = Cascade.load(state_file)
    async with region.opener() as open_page:
        again = await cascade(news, again.selection, registry, open_page, state=again)
    print(f"Повторный запуск ничего не дублирует: {again.summary()}")
    if again.without_pages:
        print("Без страницы: " + ", ".join(again.without_pages))


if __name__ == "__main__":
    asyncio.run(main())
