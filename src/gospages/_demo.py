"""``gospages demo``: everything the library can do today, on the built-in sandbox.

No tokens and no network: the VK API is played by `gospages.testing.FakeVK`
through the same transport that talks to the real VK.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ._errors import GospagesError
from ._models import Comment, Link, Operation, Photo, Poll, Post, VerificationState
from .testing import SampleVK, sample_vk
from .vk import VKPage

__all__ = ["run_demo"]

MSK = ZoneInfo("Europe/Moscow")

_OPERATION_NAMES = {
    Operation.PROFILE: "профиль",
    Operation.VERIFICATION: "госметка",
    Operation.POSTS: "чтение записей",
    Operation.COMMENTS: "чтение комментариев",
    Operation.PUBLISH: "публикация",
    Operation.PUBLISH_PHOTOS: "фото",
    Operation.PUBLISH_POLLS: "опросы",
    Operation.SCHEDULE: "отложенные",
    Operation.REPLY: "ответы",
    Operation.DELETE_COMMENT: "удаление комм.",
}
_STATE_NAMES = {
    VerificationState.CONFIRMED: "[green]есть[/]",
    VerificationState.NOT_CONFIRMED: "[red]нет[/]",
    VerificationState.UNKNOWN: "[yellow]неизвестно[/]",
}
# A tiny JPEG header is enough for the sandbox's upload server.
_SAMPLE_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def run_demo(*, console: Console | None = None, report: Path | None = None) -> int:
    """Run the demo; returns the process exit code."""
    console = console or Console()
    # Show the library's own warnings (retries and the like) inline, in the same console.
    log = logging.getLogger("gospages")
    handler = RichHandler(console=console, show_path=False, show_time=False)
    log.addHandler(handler)
    try:
        lines = asyncio.run(_demo(console))
    finally:
        log.removeHandler(handler)
    if report is not None:
        report.write_text("\n".join(lines) + "\n", encoding="utf-8")
        console.print(f"Отчёт: [bold]{report}[/]")
    return 0


def _page(
    sandbox: SampleVK,
    group: str,
    *,
    user_token: str | None = None,
    community_token: str | None = None,
    service_token: str | None = None,
) -> VKPage:
    return VKPage(
        group,
        user_token=user_token,
        community_token=community_token,
        service_token=service_token,
        http_client=sandbox.fake.client(),
    )


async def _demo(console: Console) -> list[str]:
    sandbox = sample_vk()
    lines: list[str] = ["# Отчёт демо gospages", ""]
    console.rule("[bold]gospages: песочница ВКонтакте[/]")
    console.print(
        "Ключи не нужны: ВКонтакте здесь изображает [bold]FakeVK[/] из gospages.testing, "
        "запросы идут через тот же транспорт, что и к настоящему API.\n"
    )

    # 1. What each set of keys allows, before any request.
    key_sets = {
        "сервисный ключ": {"service_token": sandbox.service_token},
        "ключ сообщества": {"community_token": sandbox.community_token},
        "ключ пользователя": {"user_token": sandbox.user_token},
    }
    table = Table(title="1. Что разрешают ключи (известно до запросов)")
    table.add_column("операция")
    for name in key_sets:
        table.add_column(name, justify="center")
    caps = {
        name: _page(sandbox, sandbox.district, **kw).capabilities() for name, kw in key_sets.items()
    }
    for op, label in _OPERATION_NAMES.items():
        table.add_row(
            label, *("[green]да[/]" if c.can(op) else "[red]нет[/]" for c in caps.values())
        )
    console.print(table)
    lines += [
        "## Что разрешают ключи",
        "",
        "| операция | " + " | ".join(key_sets) + " |",
        "|---|" + "---|" * len(key_sets),
    ]
    for op, label in _OPERATION_NAMES.items():
        lines.append(
            f"| {label} | " + " | ".join("да" if c.can(op) else "нет" for c in caps.values()) + " |"
        )

    full = {
        "user_token": sandbox.user_token,
        "community_token": sandbox.community_token,
        "service_token": sandbox.service_token,
    }
    async with (
        _page(sandbox, sandbox.district, **full) as district,
        _page(sandbox, sandbox.settlement, service_token=sandbox.service_token) as settlement,
    ):
        # 2. Profiles and the «Госорганизация» mark.
        table = Table(title="2. Профили и госметка")
        table.add_column("поле")
        rows: dict[str, list[str]] = {
            k: []
            for k in (
                "подписчики",
                "телефоны",
                "e-mail",
                "адрес",
                "сайт",
                "виджеты ПОС",
                "госметка",
            )
        }
        lines += ["", "## Профили и госметка", ""]
        for page in (district, settlement):
            profile = await page.profile()
            verification = await page.verification()
            table.add_column(profile.name, overflow="fold")
            widgets = profile.feedback_widgets
            values = {
                "подписчики": str(profile.members_count),
                "телефоны": ", ".join(profile.phones),
                "e-mail": ", ".join(profile.emails),
                "адрес": ", ".join(profile.addresses),
                "сайт": profile.site or "",
                "виджеты ПОС": "неизвестно"
                if widgets is None
                else ", ".join(w.title for w in widgets) or "нет",
                "госметка": _STATE_NAMES[verification.state],
            }
            lines.append(f"### {profile.name}")
            for key, value in values.items():
                rows[key].append(value or "[red]—[/]")
                lines.append(f"- {key}: {_plain(value) or '—'}")
            lines.append("")
        for key, cells in rows.items():
            table.add_row(key, *cells)
        console.print(table)

        # 3. Posts of the last week.
        week_ago = datetime.now(timezone.utc) - timedelta(days=7)
        table = Table(title="3. Записи администрации за 7 дней")
        for column in ("дата (МСК)", "текст", "просмотры", "лайки", "комм."):
            table.add_column(column)
        posts = [p async for p in district.posts(since=week_ago)]
        for post in posts:
            table.add_row(
                post.date.astimezone(MSK).strftime("%d.%m %H:%M"),
                post.text[:60],
                str(post.views),
                str(post.likes),
                str(post.comments_count),
            )
        console.print(table)
        console.print(f"Записей за неделю: [bold]{len(posts)}[/]\n")
        lines += ["", f"## Записи за 7 дней: {len(posts)}", ""]
        lines += [f"- {p.date.astimezone(MSK):%d.%m %H:%M} {p.text[:80]} ({p.url})" for p in posts]

        # 4. Comments with threads.
        comments = [c async for c in district.comments(since=week_ago)]
        tree = Tree("4. Комментарии с ветками")
        nodes: dict[str, Tree] = {}
        for comment in comments:
            label = _comment_label(comment)
            parent = nodes.get(comment.thread_id or "") if comment.thread_id else None
            nodes[comment.id] = (parent or tree).add(label)
        console.print(tree)

        # 5. Publishing: photo + link + poll now, a scheduled post, and a lost answer.
        console.rule("5. Публикация")
        now_post = Post(
            text="Приглашаем на публичные слушания по бюджету района.",
            attachments=[
                Photo.from_bytes(_SAMPLE_JPEG, filename="afisha.jpg"),
                Link(url="https://ensk.gosuslugi.ru/budget"),
                Poll(question="Придёте на слушания?", answers=["Да", "Нет", "Посмотрю онлайн"]),
            ],
        )
        receipt = await district.publish(now_post)
        console.print(f"Опубликовано: {receipt.url} ({receipt.status.value})")
        tomorrow = (datetime.now(MSK) + timedelta(days=1)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        scheduled = await district.publish(
            Post(text="Напоминание: слушания сегодня в 15:00.", publish_at=tomorrow)
        )
        console.print(
            f"Запланировано на {tomorrow:%d.%m %H:%M} МСК: "
            f"{scheduled.url} ({scheduled.status.value})"
        )
        sandbox.fake.fail_next("wall.post", lose_response=True)
        retried = Post(text="Изменение графика приёма граждан.")
        lost = await district.publish(retried)
        same = [p for p in sandbox.fake.groups[100001].posts if p.text == retried.text]
        console.print(
            f"Ответ VK потерян → повтор с тем же guid: {lost.status.value}, записей на стене: "
            f"[bold]{len(same)}[/] (дубля нет)"
        )
        lines += [
            "",
            "## Публикации",
            "",
            f"- {receipt.url}: {receipt.status.value}",
            f"- {scheduled.url}: {scheduled.status.value} на {tomorrow:%d.%m.%Y %H:%M} МСК",
            f"- {lost.url}: {lost.status.value} после потерянного ответа, дублей: {len(same) - 1}",
        ]

        # 6. Answering and deleting.
        console.rule("6. Ответы и удаление")
        question = next(c for c in comments if c.text.startswith("А почему"))
        answer = await district.reply(
            question, "Приносим извинения: график пришёл от сетевой компании поздно."
        )
        console.print(f"Ответ от имени сообщества на комментарий {question.id}: #{answer.id}")
        spam = next(c for c in comments if "Заработок" in c.text)
        await district.delete_comment(spam)
        console.print(f"Удалён комментарий {spam.id}: «{spam.text[:40]}…»")
        console.print("[dim](автоматическая модерация появится в gospages.moderation)[/]")

        # 7. A clear error before any request.
        console.rule("7. Понятные ошибки")
        async with _page(
            sandbox, sandbox.district, community_token=sandbox.community_token
        ) as weak:
            try:
                await weak.delete_comment(answer)
            except GospagesError as error:
                console.print(f"[yellow]{type(error).__name__}[/]: {error}")
                lines += ["", "## Пример ошибки", "", f"`{type(error).__name__}`: {error}"]

    calls = len(sandbox.fake.calls)
    console.rule()
    console.print(f"Готово: {calls} запросов к песочнице.")
    return lines


def _plain(markup: str) -> str:
    return Text.from_markup(markup).plain


def _comment_label(comment: Comment) -> str:
    if comment.deleted:
        return f"[dim]#{comment.id} (удалён)[/]"
    who = "[bold cyan]сообщество[/]" if comment.from_page else f"id{comment.author_id}"
    return f"#{comment.id} {who}: {comment.text[:70]}"
