"""``gospages demo``: everything the library can do today, on the built-in sandbox.

No tokens and no network: VK, OK and Telegram are played by the fakes of
:mod:`gospages.testing`, through the same transports that talk to the real platforms.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import warnings
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ._clock import Clock, RealClock, VirtualClock
from ._errors import GospagesError
from ._escape import console_text, markdown_text
from ._models import (
    Capabilities,
    Comment,
    Link,
    Operation,
    Photo,
    Platform,
    Poll,
    Post,
    PublishedPost,
    VerificationState,
)
from ._page import OfficialPage
from ._russian import plural
from .moderation import would_remove
from .ok import OKPage
from .requirements import AuditReport, Severity, audit_registry, check_post
from .testing import SampleOK, SampleVK, build_region, sample_ok, sample_vk
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
    Operation.BAN: "блокировка",
}
_STATE_NAMES = {
    VerificationState.CONFIRMED: "[green]есть[/]",
    VerificationState.NOT_CONFIRMED: "[red]нет[/]",
    VerificationState.UNKNOWN: "[yellow]неизвестно[/]",
}
# A tiny JPEG header is enough for the sandboxes' upload servers.
_SAMPLE_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def run_demo(
    *,
    console: Console | None = None,
    report: Path | None = None,
    audit_html: Path | None = None,
    real_pace: bool = False,
) -> int:
    """Run the demo; returns the process exit code.

    ``report``: the demo's own Markdown summary; ``audit_html``: the region audit's HTML
    report (the one a regional centre would send round). The sandbox runs on a virtual
    clock (the platforms' limits hold in virtual seconds); ``real_pace`` waits for real."""
    console = console or Console()
    # Show the library's own warnings (retries and the like) inline, in the same console.
    log = logging.getLogger("gospages")
    handler = RichHandler(console=console, show_path=False, show_time=False)
    log.addHandler(handler)
    demo = _Demo(console, RealClock() if real_pace else VirtualClock())
    try:
        lines = asyncio.run(demo.run())
    finally:
        log.removeHandler(handler)
    if audit_html is not None and demo.audit is not None:
        from .reports import render_html

        audit_html.write_text(render_html(demo.audit), encoding="utf-8")
        console.print(Text.assemble("Отчёт аудита (HTML): ", (str(audit_html), "bold")))
    if report is not None:
        report.write_text("\n".join(lines) + "\n", encoding="utf-8")
        console.print(Text.assemble("Отчёт: ", (str(report), "bold")))
    return 0


#: A table cell or a line: our own Rich markup (``str``), or text from a platform
#: (``Text``, made by :func:`console_text`: never read as markup).
Cell = str | Text


def _plain(markup: Cell) -> str:
    return markup.plain if isinstance(markup, Text) else Text.from_markup(markup).plain


def _md(cell: Cell) -> str:
    """A cell of the demo's Markdown report: a platform's text escaped, ours as it is."""
    return markdown_text(cell.plain) if isinstance(cell, Text) else _plain(cell)


def _t(text: str, limit: int = 200) -> Text:
    return console_text(text, limit)


def _cap(caps: Capabilities, op: Operation) -> str:
    if not caps.can(op):
        return "[red]нет[/]"
    return "[yellow]да*[/]" if op in caps.warnings else "[green]да[/]"


class _Demo:
    def __init__(self, console: Console, clock: Clock) -> None:
        self.console = console
        self.lines: list[str] = ["# Отчёт демо gospages", ""]
        self.clock = clock
        self.vk: SampleVK = sample_vk(clock=clock)
        self.ok: SampleOK = sample_ok(clock=clock)
        self.tg_fake = _telegram_fake(clock)
        self.audit: AuditReport | None = None

    # -- output helpers ------------------------------------------------------------------

    def table(self, title: str, columns: Sequence[Cell], rows: Sequence[Sequence[Cell]]) -> None:
        """Print a table and add it to the Markdown report."""
        table = Table(title=title)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        self.console.print(table)
        self.lines += [
            "",
            f"## {title}",
            "",
            "| " + " | ".join(_md(c) for c in columns) + " |",
            "|" + "---|" * len(columns),
        ]
        self.lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]

    def say(self, markup: Cell) -> None:
        self.console.print(markup)
        self.lines += ["", _md(markup)]

    # -- pages ---------------------------------------------------------------------------

    def vk_page(
        self,
        group: str | None = None,
        *,
        user_token: str | None = None,
        community_token: str | None = None,
        service_token: str | None = None,
    ) -> VKPage:
        if user_token is None and community_token is None and service_token is None:
            user_token = self.vk.user_token
            community_token = self.vk.community_token
            service_token = self.vk.service_token
        return VKPage(
            group or self.vk.district,
            user_token=user_token,
            community_token=community_token,
            service_token=service_token,
            http_client=self.vk.fake.client(),
        )

    def ok_page(self) -> OKPage:
        return self.ok.page(requests_per_second=10)

    def tg_page(self) -> OfficialPage | None:
        if self.tg_fake is None:
            return None
        from .telegram import TelegramChannel

        return TelegramChannel(self.tg_fake.SAMPLE_CHANNEL, client=self.tg_fake)

    # -- the story -----------------------------------------------------------------------

    async def run(self) -> list[str]:
        console = self.console
        console.rule("[bold]gospages: песочница ВКонтакте, Одноклассников и Telegram[/]")
        console.print(
            "Ключи и сеть не нужны: площадки изображают подделки из gospages.testing, "
            "запросы идут через те же транспорты, что и к настоящим API.\n"
        )
        if self.tg_fake is None:
            self.say(
                "[yellow]Telegram пропущен: нет пакета telethon "
                "(pip install 'gospages[telegram]').[/]"
            )
        self.capabilities()
        district = self.vk_page()
        settlement = self.vk_page(self.vk.settlement, service_token=self.vk.service_token)
        ok = self.ok_page()
        tg = self.tg_page()
        pages: list[OfficialPage] = [p for p in (district, settlement, ok, tg) if p is not None]
        try:
            await self.profiles(pages)
            await self.activity(pages)
            await self.comments(district)
            await self.cross_post([p for p in (district, ok, tg) if p is not None])
            await self.vk_publishing(district)
            await self.answers(district, ok, tg)
            await self.errors()
        finally:
            for page in pages:
                await page.aclose()
        self.check_posts()
        await self.region_audit()
        await self.region_moderation()
        await self.regional_cascade()
        console.rule()
        console.print("Готово.")
        return self.lines

    def capabilities(self) -> None:
        columns: dict[str, Capabilities] = {
            "VK сервисный ключ": self.vk_page(service_token=self.vk.service_token).capabilities(),
            "VK ключ сообщества": self.vk_page(
                community_token=self.vk.community_token
            ).capabilities(),
            "VK ключ пользователя": self.vk_page(user_token=self.vk.user_token).capabilities(),
            "OK": self.ok_page().capabilities(),
        }
        tg = self.tg_page()
        if tg is not None:
            columns["Telegram"] = tg.capabilities()
        rows = [
            [label, *(_cap(c, op) for c in columns.values())]
            for op, label in _OPERATION_NAMES.items()
        ]
        self.table("1. Что разрешают ключи (известно до запросов)", ["операция", *columns], rows)
        notes = {w for c in columns.values() for w in c.warnings.values()}
        for note in sorted(notes):
            self.say(f"[dim]* {note}[/]")

    async def profiles(self, pages: Sequence[OfficialPage]) -> None:
        fields = (
            "площадка",
            "подписчики",
            "телефоны",
            "e-mail",
            "адрес",
            "сайт",
            "виджеты ПОС",
            "госметка",
        )
        columns: list[list[Cell]] = []
        names: list[Cell] = []
        for page in pages:
            profile = await page.profile()
            verification = await page.verification()
            widgets = profile.feedback_widgets
            names.append(_t(profile.name))
            columns.append(
                [
                    page.platform.label,
                    str(profile.members_count),
                    _t(", ".join(profile.phones)) if profile.phones else "[red]—[/]",
                    _t(", ".join(profile.emails)) if profile.emails else "[red]—[/]",
                    _t(", ".join(profile.addresses)) if profile.addresses else "[red]—[/]",
                    _t(profile.site) if profile.site else "[red]—[/]",
                    "неизвестно"
                    if widgets is None
                    else _t(", ".join(w.title for w in widgets))
                    if widgets
                    else "нет",
                    _STATE_NAMES[verification.state],
                ]
            )
        rows = [[field, *(col[i] for col in columns)] for i, field in enumerate(fields)]
        self.table("2. Страницы: профили и госметка", ["", *names], rows)

    async def activity(self, pages: Sequence[OfficialPage]) -> None:
        week_ago = datetime.now(timezone.utc) - timedelta(days=7)
        rows: list[list[Cell]] = []
        for page in pages:
            posts = [p async for p in page.posts(since=week_ago)]
            last = max((p.date for p in posts), default=None)
            rows.append(
                [
                    page.platform.label,
                    _t((await page.profile()).name),
                    str(len(posts)),
                    last.astimezone(MSK).strftime("%d.%m %H:%M") if last else "[red]нет[/]",
                    str(sum(p.comments_count or 0 for p in posts)),
                ]
            )
        self.table(
            "3. Активность за 7 дней",
            ["площадка", "страница", "записей", "последняя (МСК)", "комментариев"],
            rows,
        )

    async def comments(self, page: VKPage) -> None:
        week_ago = datetime.now(timezone.utc) - timedelta(days=7)
        tree = Tree("4. Комментарии ВКонтакте с ветками")
        nodes: dict[str, Tree] = {}
        for comment in [c async for c in page.comments(since=week_ago)]:
            parent = nodes.get(comment.thread_id or "") if comment.thread_id else None
            nodes[comment.id] = (parent or tree).add(_comment_label(comment))
        self.console.print(tree)

    async def cross_post(self, pages: Sequence[OfficialPage]) -> None:
        self.console.rule("5. Одна публикация на все площадки")
        post = Post(
            text="Приглашаем на публичные слушания по бюджету района 10 декабря в 15:00.",
            attachments=[
                Photo.from_bytes(_SAMPLE_JPEG, filename="afisha.jpg"),
                Link(url="https://ensk.gosuslugi.ru/budget"),
            ],
        )
        rows = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for page in pages:
                receipt = await page.publish(post)
                rows.append(_receipt_row(page, receipt))
        self.table("Квитанции", ["площадка", "статус", "адрес", "примечание"], rows)
        for warning in {str(w.message) for w in caught}:
            self.say(Text.assemble(("Предупреждение:", "yellow"), " ", _t(warning, 1000)))

    async def vk_publishing(self, page: VKPage) -> None:
        self.console.rule("6. ВКонтакте: опрос, отложенная запись, потерянный ответ")
        poll = await page.publish(
            Post(
                text="Как вам удобнее участвовать в слушаниях?",
                attachments=[
                    Poll(question="Придёте на слушания?", answers=["Да", "Нет", "Посмотрю онлайн"])
                ],
            )
        )
        tomorrow = (datetime.now(MSK) + timedelta(days=1)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        scheduled = await page.publish(
            Post(text="Напоминание: слушания сегодня в 15:00.", publish_at=tomorrow)
        )
        self.vk.fake.fail_next("wall.post", lose_response=True)
        retried = Post(text="Изменение графика приёма граждан.")
        lost = await page.publish(retried)
        same = [p for p in self.vk.fake.groups[100001].posts if p.text == retried.text]
        self.table(
            "Публикации ВКонтакте",
            ["что", "статус", "адрес"],
            [
                ["опрос", poll.status.label, poll.url or ""],
                [
                    f"отложенная на {tomorrow:%d.%m %H:%M} МСК",
                    scheduled.status.label,
                    scheduled.url or "",
                ],
                [
                    f"ответ VK потерян, повтор с тем же guid (записей: {len(same)})",
                    lost.status.label,
                    lost.url or "",
                ],
            ],
        )

    async def answers(self, vk: VKPage, ok: OKPage, tg: OfficialPage | None) -> None:
        self.console.rule("7. Ответы жителям и удаление спама")
        week_ago = datetime.now(timezone.utc) - timedelta(days=7)
        rows: list[list[Cell]] = []
        cautions: set[str] = set()
        for page in (vk, ok, tg):
            if page is None:
                continue
            comments = [c async for c in page.comments(since=week_ago)]
            question = next(
                (
                    c
                    for c in comments
                    if c.parent_id is None and not c.from_page and not c.deleted and "?" in c.text
                ),
                None,
            )
            if question is not None:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    answer = await page.reply(question, "Спасибо за вопрос! Ответим в течение дня.")
                cautions.update(str(w.message) for w in caught)
                rows.append(
                    [
                        page.platform.label,
                        Text.assemble("ответ на «", _t(question.text, 40), "»"),
                        f"#{answer.id}",
                        "41-ФЗ, см. ниже" if caught else "",
                    ]
                )
            spam = next((c for c in comments if "аработок" in c.text), None)
            if spam is not None:
                await page.delete_comment(spam)
                rows.append(
                    [
                        page.platform.label,
                        Text.assemble("удалён спам «", _t(spam.text, 40), "»"),
                        _t(spam.id),
                        "",
                    ]
                )
        self.table("Действия", ["площадка", "что сделано", "комментарий", "предупреждение"], rows)
        for caution in sorted(cautions):
            self.say(Text.assemble(("Предупреждение:", "yellow"), " ", _t(caution, 1000)))

    async def errors(self) -> None:
        self.console.rule("8. Понятные ошибки до запроса")
        async with self.vk_page(community_token=self.vk.community_token) as weak:
            try:
                await weak.publish(Post(text="Без ключа пользователя"))
            except GospagesError as error:
                self.say(
                    Text.assemble((type(error).__name__, "yellow"), ": ", _t(str(error), 1000))
                )

    def check_posts(self) -> None:
        self.console.rule("9. Проверка поста до публикации")
        draft = Post(
            text=(
                "Потерялась собака, звоните хозяйке +7 913 555-12-34! Скидки в магазине «Уют» "
                "по промокоду ДВОР. Подписывайтесь: instagram.com/ensk"
            )
        )
        rows: list[list[Cell]] = [
            [f.rule_id, f.severity.label, _t(f.message, 1000), _t(f.evidence, 1000)]
            for f in check_post(draft, platforms=[Platform.VK, Platform.TELEGRAM])
        ]
        self.table("Что нашлось в черновике", ["правило", "степень", "что", "где"], rows)

    async def region_audit(self) -> None:
        self.console.rule("10. Аудит области: 8-ФЗ, 2523-р и порядок Томской области")
        region = build_region(seed=0, telegram=self.tg_fake is not None, clock=self.clock)

        open_ref = region.opener()

        with Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            console=self.console,
            transient=True,
        ) as progress:
            task = progress.add_task("Страницы области", total=len(region.registry.pages()))
            report = await audit_registry(
                region.registry,
                open_page=open_ref,
                policy="tomsk",
                removed=would_remove("tomsk"),
                progress=lambda done, total, what: progress.update(
                    task, completed=done, description=what[:50]
                ),
            )
        self.audit = report
        rows: list[list[Cell]] = []
        for audit in report.pages:
            worst = sorted(audit.findings, key=lambda f: list(Severity).index(f.severity))
            score = audit.score
            rows.append(
                [
                    _t(audit.org.name if audit.org else audit.snapshot.page),
                    audit.snapshot.platform.label,
                    f"[{score.color}]{score.total:.0f}%[/]" if score else "—",
                    str(sum(f.severity is Severity.ERROR for f in audit.findings)),
                    _t(worst[0].message, 1000)
                    if worst and worst[0].severity is not Severity.INFO
                    else "в порядке",
                ]
            )
        self.table(
            "Страницы области",
            ["организация", "площадка", "светофор", "нарушений", "главное"],
            rows,
        )
        for finding in report.findings:
            org = next(o for o in report.organizations if o.id == finding.org_id)
            self.say(
                Text.assemble(
                    (finding.rule_id, "red"), ": ", _t(f"{org.name} — {finding.message}", 1000)
                )
            )
        self.say(
            f"Итого: нарушений [red]{report.count(Severity.ERROR)}[/], предупреждений "
            f"[yellow]{report.count(Severity.WARNING)}[/] на {len(report.pages)} "
            f"{plural(len(report.pages), 'странице', 'страницах', 'страницах')}."
        )

    async def regional_cascade(self) -> None:
        await _cascade_demo(self)

    async def region_moderation(self) -> None:
        self.console.rule("11. Модерация комментариев области (пробный прогон)")
        from collections import Counter

        from .moderation import Action, ModerationStore, labels_text, moderate

        region = build_region(seed=0, telegram=self.tg_fake is not None, clock=self.clock)

        open_ref = region.opener()

        with tempfile.TemporaryDirectory() as folder:
            store = ModerationStore(Path(folder) / "inbox.sqlite")
            run = await moderate(region.registry, open_ref, "tomsk", store=store)
        truth: Counter[tuple[str, str, str]] = Counter()
        for decision in run.decisions:
            kind = region.comment_kinds.get(
                (decision.platform, decision.comment.page, decision.comment.id), "—"
            )
            kind = _COMMENT_KINDS.get(kind, kind)
            truth[(kind, labels_text(decision.labels) or "—", decision.action.label)] += 1
        rows: list[list[Cell]] = [
            [kind, _t(labels), action, str(n)]
            for (kind, labels, action), n in sorted(truth.items())
        ]
        self.table(
            "Что было бы сделано (вид в песочнице → метки → действие)",
            ["вид комментария", "метки", "действие", "сколько"],
            rows,
        )
        self.say(
            f"Удалить: {run.count(Action.DELETE)}, удалить и заблокировать: "
            f"{run.count(Action.BAN)}, человеку: {run.count(Action.REVIEW)}. Вопросов без "
            f"ответа дольше суток: {len(run.overdue)}. Ничего не изменено: без --apply "
            "модерация только показывает."
        )


async def _cascade_demo(demo: _Demo) -> None:
    """A regional post carried down to the settlements of a district, with receipts,
    through a publishing journal (a temporary SQLite file)."""
    import tempfile
    from pathlib import Path

    from .planning import Selection, SQLiteJournal, cascade

    demo.console.rule("12. Новость области — на страницы поселений района")
    region = build_region(seed=0, telegram=demo.tg_fake is not None, clock=demo.clock)
    post = Post(
        text="Правительство области продлило приём заявок на ремонт сельских клубов до "
        "20 декабря. Подробности — на сайте области."
    )
    selection = Selection.parse("уровень=поселение родитель=ensk площадка=вк,ок")
    with (
        tempfile.TemporaryDirectory(prefix="gospages-demo-") as folder,
        SQLiteJournal(Path(folder) / "journal.sqlite") as journal,
    ):
        async with region.opener() as open_page:
            async with region.open("region", Platform.VK) as regional:
                original = await regional.publish(post)
            state = await cascade(
                post,
                selection,
                region.registry,
                open_page,
                item="novost-kluby",
                source=original.url,
                journal=journal,
                clock=demo.clock,
            )
        entries = journal.entries()
    demo.say(
        Text.assemble(
            "Выборка «",
            str(selection),
            "» (",
            selection.describe(),
            "). Исходная запись: ",
            _t(original.url or "—"),
        )
    )
    rows: list[list[Cell]] = [
        [_t(t.org_name), t.platform.label, t.status.label, _t(t.url or t.error or "")]
        for t in state.targets.values()
    ]
    rows += [[_t(name), "—", "[red]нет страницы[/]", ""] for name in state.without_pages]
    demo.table(
        "Квитанции каскада (одна запись — один пункт)",
        ["организация", "площадка", "статус", "адрес"],
        rows,
    )
    demo.say(f"Итог каскада: {state.summary()}. Повторный запуск допубликует только недостающее.")
    demo.table(
        "Журнал публикаций: намерение записано до отправки, исход после",
        ["ключ", "состояние", "запись"],
        [[_t(e.key), e.state.label, _t(e.url or e.error or "")] for e in entries],
    )


def _telegram_fake(clock: Clock) -> Any:
    try:
        from .testing._telegram import FakeTelegram
    except ImportError:  # Telethon is an extra
        return None
    return FakeTelegram.sample(clock=clock)


#: The sandbox's kinds of comments (``Scenario.comment_kinds``), as the demo shows them.
_COMMENT_KINDS = {
    "question": "вопрос",
    "thanks": "благодарность",
    "complaint": "жалоба",
    "spam": "спам",
    "insult": "оскорбление",
    "obscene": "мат",
}


def _receipt_row(page: OfficialPage, receipt: PublishedPost) -> list[Cell]:
    return [
        page.platform.label,
        receipt.status.label,
        _t(receipt.url or ""),
        _t(receipt.note or ""),
    ]


def _comment_label(comment: Comment) -> Text:
    """A comment in the tree: a stranger's text, printed as it is (VK mentions included)."""
    if comment.deleted:
        return Text.assemble((f"#{_t(comment.id).plain} (удалён)", "dim"))
    who = ("сообщество", "bold cyan") if comment.from_page else _t(f"id{comment.author_id}")
    return Text.assemble(f"#{_t(comment.id).plain} ", who, ": ", _t(comment.text, 70))
