"""A whole region on the sandbox: bodies, their pages on three platforms, weeks of life.

:func:`build_region` makes a registry of a region, its districts, settlements and
subordinate institutions, puts their pages into :class:`FakeVK`, :class:`FakeOK` and (with
Telethon installed) ``FakeTelegram``, fills them with weeks of posts and with comments
of every kind users write, and keeps the ground truth: which page was made to break which
norm, and what each comment is. Some pages are exemplary, some are not (no contacts, no
«Госорганизация» mark, silent for weeks, comments closed) and one settlement has no page.
Everything is deterministic for a given ``seed``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .._clock import Clock, RealClock, VirtualClock
from .._factory import PageFactory, open_page
from .._models import Platform
from .._page import OfficialPage
from .._platforms import describe
from .._settings import Settings
from ..registry import Organization, OrgKind, OrgLevel, PageRef, Registry
from ._ok import FakeOK
from ._vk import FakeVK

__all__ = ["COMMENT_KINDS", "PageSetup", "Scenario", "build_region"]

DAY = 86400.0

#: Comments as people write them under municipal posts, by kind. Obscene ones are
#: masked the way people mask them; they are ground truth for moderation tests.
COMMENT_KINDS: dict[str, tuple[str, ...]] = {
    "question": (
        "Когда починят освещение на улице Мира?",
        "Подскажите, где получить справку о составе семьи?",
        "Будет ли автобус до райцентра в выходные?",
        "Куда обращаться по поводу вывоза мусора?",
        "Во сколько начинается приём у главы?",
    ),
    "thanks": (
        "Спасибо за оперативную работу!",
        "Благодарим администрацию за новую детскую площадку.",
        "Спасибо, что предупредили заранее.",
    ),
    "complaint": (
        "Третий день нет воды, и никто не отвечает на звонки!",
        "Дорогу так и не отремонтировали, хотя обещали весной.",
        "Снег не убирают, к остановке не пройти.",
    ),
    "spam": (
        "Заработок от 5000 в день без вложений! Пиши в лс",
        "Кредит без отказа за 5 минут, звоните +7 999 000-00-00",
        "Подписывайтесь на наш канал, розыгрыш айфона!",
    ),
    "insult": (
        "Глава — бездарь и вор, гнать таких надо",
        "Вы там все идиоты в администрации?",
    ),
    "obscene": (
        "Да что за х*йня опять с водой",
        "Задолбали, бл*ть, сколько можно ждать",
    ),
}
_KIND_WEIGHTS = {"question": 5, "thanks": 3, "complaint": 3, "spam": 2, "insult": 1, "obscene": 1}
_POST_TEXTS = (
    "Прошёл приём граждан: обсудили ремонт дорог и уличное освещение.",
    "Плановое отключение электроэнергии в четверг с 10:00 до 14:00.",
    "Открыта запись в кружки Дома культуры.",
    "Итоги заседания представительного органа.",
    "Стартовал конкурс «Лучший двор». Заявки принимаются до конца месяца.",
    "Напоминаем о правилах пожарной безопасности.",
    "Благодарим волонтёров за помощь в уборке территории.",
    "Опубликовано расписание автобусов на зимний период.",
    "Глава провёл встречу с жителями.",
    "Информация о работе пунктов выдачи гуманитарной помощи.",
)


@dataclass(frozen=True)
class PageSetup:
    """How a sandbox page was made: the ground truth an audit should find."""

    org_id: str
    platform: Platform
    page: str
    posts_per_week: float
    silent_days: int = 0
    """Days since the last post (0: posts up to today)."""
    contacts: bool = True
    mark: bool | None = True
    """«Госорганизация» mark: True, False, or None for "the platform does not say"."""
    comments_open: bool = True
    answers: bool = True
    """Whether the page answers most questions (VK and OK; Telegram channels never do,
    as 41-ФЗ wants)."""


@dataclass
class Scenario:
    """A region on the sandbox: the registry, the fakes, the keys and the ground truth."""

    registry: Registry
    vk: FakeVK
    ok: FakeOK
    telegram: Any
    """A ``FakeTelegram``, or ``None`` when Telethon is not installed."""
    setups: dict[tuple[str, Platform], PageSetup]
    comment_kinds: dict[tuple[Platform, str, str], str] = field(default_factory=dict)
    """``(platform, page, comment id) -> kind`` (a key of :data:`COMMENT_KINDS`)."""
    clock: Clock = field(default_factory=RealClock)
    """The time the fakes and the pages opened here run on (virtual unless real pace)."""
    # Sandbox keys, accepted by the fakes only.
    vk_user_token: str = "region-vk-user-token-0001"  # noqa: S105
    vk_service_token: str = "region-vk-service-token-0001"  # noqa: S105
    ok_application_key: str = "REGIONAPPKEYABABA"
    ok_application_secret_key: str = "region-ok-app-secret-0001"  # noqa: S105
    ok_access_token: str = "region-ok-access-token-0001"  # noqa: S105

    def open(self, org_id: str, platform: Platform, **options: Any) -> OfficialPage:
        """The page of ``org_id`` on ``platform``, wired to the sandbox (close it after use)."""
        ref = self.registry.get(org_id).page_on(platform)
        if ref is None:
            raise KeyError(f"{org_id} has no page on {platform.value}")
        return self.open_ref(ref, **options)

    def settings(self) -> Settings:
        """The sandbox keys as `gospages.Settings` (the environment is not read)."""
        return Settings.only(
            vk_user_token=self.vk_user_token,
            vk_service_token=self.vk_service_token,
            ok_application_key=self.ok_application_key,
            ok_application_secret_key=self.ok_application_secret_key,
            ok_access_token=self.ok_access_token,
        )

    def connections(self) -> dict[Platform, Any]:
        """The fakes as the connections `gospages.PageFactory` hands to the pages."""
        found: dict[Platform, Any] = {Platform.VK: self.vk.client(), Platform.OK: self.ok.client()}
        if self.telegram is not None:
            found[Platform.TELEGRAM] = self.telegram
        return found

    def open_ref(self, ref: PageRef, **options: Any) -> OfficialPage:
        """The page behind a registry entry, wired to the sandbox."""
        connection = self.connections().get(ref.platform)
        if connection is None:
            raise RuntimeError(
                f"{ref.platform.label} в песочнице недоступен: "
                f'pip install "gospages[{describe(ref.platform).extra}]"'
            )
        options.setdefault("clock", self.clock)
        return open_page(ref, self.settings(), connection=connection, **options)

    def opener(self, *, ok_requests_per_second: float = 20) -> PageFactory:
        """The `gospages.PageFactory` of this region, for
        :func:`~gospages.requirements.audit_registry` and :func:`~gospages.moderation.moderate`.

        VK keeps its real limits; OK's self-imposed pace (1 request/s against the real
        OK) is raised, as a sandbox has no reason to wait.
        """
        values = self.settings().model_dump(exclude_none=True)
        settings = Settings.only(**{**values, "ok_requests_per_second": ok_requests_per_second})
        return PageFactory(settings, connections=self.connections(), clock=self.clock)

    def pages(self) -> Iterator[tuple[Organization, PageRef]]:
        yield from self.registry.pages()


def build_region(
    *,
    seed: int = 0,
    weeks: int = 4,
    now: float | None = None,
    telegram: bool = True,
    vk_rate_limits: bool = True,
    clock: Clock | None = None,
    real_pace: bool = False,
) -> Scenario:
    """A region with two districts, their settlements and institutions, on the sandbox.

    ``weeks`` of posts and comments end at ``now``. ``telegram=False`` (or no Telethon)
    leaves Telegram channels out. The fakes and the pages `Scenario.open_ref` opens run
    on ``clock`` (`Scenario.clock`): a `~gospages.VirtualClock` starting at ``now`` by
    default, so VK's 3 requests a second hold in virtual seconds and cost no real time;
    ``real_pace=True`` (or ``clock=RealClock()``) keeps real time.
    """
    rng = random.Random(seed)  # noqa: S311 (test data, not security)
    if clock is None:
        clock = RealClock() if real_pace else VirtualClock(start=now)
    t0 = clock.time() if now is None else now
    vk = FakeVK(rate_limits=vk_rate_limits, clock=clock)
    ok = FakeOK(clock=clock)
    tg = _telegram(clock) if telegram else None
    scenario = Scenario(Registry(), vk, ok, tg, {}, clock=clock)
    vk.add_token(scenario.vk_service_token, kind="service")
    ok.add_app(scenario.ok_application_key, secret_key=scenario.ok_application_secret_key)
    ok.add_token(scenario.ok_access_token, user_id="575000000001")

    orgs: list[Organization] = []
    setups: list[PageSetup] = []
    ids = _Ids()

    def org(
        org_id: str,
        name: str,
        kind: OrgKind,
        level: OrgLevel,
        parent: str | None,
        *pages: tuple[Platform, PageSetup],
    ) -> None:
        refs = []
        for platform, setup in pages:
            ref = _make_page(scenario, rng, ids, name, platform, setup, t0, weeks)
            refs.append(ref)
            setups.append(PageSetup(**{**setup.__dict__, "org_id": org_id, "page": ref.page}))
        orgs.append(
            Organization(id=org_id, name=name, kind=kind, level=level, parent=parent, pages=refs)
        )

    def good(posts: float = 3.0) -> PageSetup:
        return PageSetup("", Platform.VK, "", posts_per_week=posts)

    org(
        "region",
        "Правительство Энской области",
        OrgKind.STATE_BODY,
        OrgLevel.REGION,
        None,
        (Platform.VK, good(7)),
        (Platform.OK, good(5)),
        (Platform.TELEGRAM, good(7)),
    )
    districts = [
        ("ensk", "Администрация Энского района", "Энского района"),
        ("zarechny", "Администрация Заречного района", "Заречного района"),
    ]
    settlements: dict[str, list[tuple[str, str, PageSetup | None]]] = {
        "ensk": [
            ("lugovoe", "Администрация Луговского сельского поселения", good(3)),
            (
                "berezovka",
                "Администрация Берёзовского сельского поселения",
                PageSetup("", Platform.VK, "", posts_per_week=2, silent_days=30),
            ),
            ("kamenka", "Администрация Каменского сельского поселения", None),  # no page
        ],
        "zarechny": [
            (
                "ozernoe",
                "Администрация Озёрного сельского поселения",
                PageSetup("", Platform.VK, "", posts_per_week=1, contacts=False, mark=None),
            ),
            (
                "sosnovka",
                "Администрация Сосновского сельского поселения",
                PageSetup("", Platform.VK, "", posts_per_week=3, comments_open=False, mark=False),
            ),
            ("rechnoe", "Администрация Речного сельского поселения", good(5)),
        ],
    }
    for index, (key, name, of_district) in enumerate(districts):
        pages: list[tuple[Platform, PageSetup]] = [(Platform.VK, good(5)), (Platform.OK, good(3))]
        if index == 0:
            pages.append((Platform.TELEGRAM, good(5)))
        org(key, name, OrgKind.LOCAL_GOVERNMENT, OrgLevel.DISTRICT, "region", *pages)
        for skey, sname, setup in settlements[key]:
            spages: list[tuple[Platform, PageSetup]] = (
                [] if setup is None else [(Platform.VK, setup)]
            )
            org(f"{key}.{skey}", sname, OrgKind.LOCAL_GOVERNMENT, OrgLevel.SETTLEMENT, key, *spages)
        org(
            f"{key}.school1",
            f"МБОУ «Средняя школа № 1 {of_district}»",
            OrgKind.SUBORDINATE,
            OrgLevel.INSTITUTION,
            key,
            (Platform.VK, good(2)),
            (Platform.OK, good(1)),
        )
        org(
            f"{key}.library",
            f"МКУК «Центральная библиотека {of_district}»",
            OrgKind.SUBORDINATE,
            OrgLevel.INSTITUTION,
            key,
            (Platform.VK, PageSetup("", Platform.VK, "", posts_per_week=0.5, mark=False)),
        )

    scenario.registry = Registry(organizations=orgs)
    scenario.setups = {(s.org_id, s.platform): s for s in setups}
    admin_of = [
        int(ref.page.removeprefix("club")) for _, ref in scenario.registry.pages(Platform.VK)
    ]
    vk.add_token(scenario.vk_user_token, kind="user", user_id=575000000001, admin_of=admin_of)
    return scenario


class _Ids:
    def __init__(self) -> None:
        self.vk = 200000
        self.ok = 54000000000000
        self.tg = 3000


def _make_page(
    scenario: Scenario,
    rng: random.Random,
    ids: _Ids,
    name: str,
    platform: Platform,
    setup: PageSetup,
    t0: float,
    weeks: int,
) -> PageRef:
    if platform is Platform.TELEGRAM and scenario.telegram is None:
        platform = Platform.VK  # keep the registry valid: the channel becomes a VK page
    contacts = (
        "Приёмная: +7 (38247) 2-11-00, adm@ensk.example.ru. "
        "Адрес: 636130, с. Энское, ул. Ленина, д. 7."
        if setup.contacts
        else ""
    )
    description = f"Официальная страница: {name}. {contacts}".strip()
    members = rng.randint(150, 9000)
    posts = _post_dates(rng, setup, t0, weeks)
    if platform is Platform.VK:
        ids.vk += 1
        gid = ids.vk
        fields: dict[str, Any] = {
            "description": description,
            "members_count": members,
            "wall": 2 if setup.comments_open else 3,
        }
        if setup.contacts:
            fields["contacts"] = [
                {
                    "user_id": 1,
                    "desc": "Приёмная",
                    "phone": "+7 (38247) 2-11-00",
                    "email": "adm@ensk.example.ru",
                }
            ]
            fields["site"] = "https://ensk.gosuslugi.ru"
        if setup.mark is not None:
            fields["is_government_organization"] = setup.mark
        scenario.vk.add_group(gid, name, f"club{gid}", **fields)
        for date in posts:
            post = scenario.vk.add_post(
                gid,
                rng.choice(_POST_TEXTS),
                date=date,
                views=rng.randint(50, 3000),
                likes=rng.randint(0, 90),
            )
            if setup.comments_open:
                for kind, text, when in _comments(rng, date, t0):
                    comment = scenario.vk.add_comment(
                        gid, post.id, text, from_id=rng.randint(10**6, 10**8), date=when
                    )
                    scenario.comment_kinds[(Platform.VK, str(gid), str(comment.id))] = kind
                    if _answers(rng, setup, kind):
                        scenario.vk.add_comment(
                            gid,
                            post.id,
                            _ANSWER,
                            from_id=-gid,
                            reply_to=comment.id,
                            date=min(t0 - 60, when + rng.uniform(1, 20) * 3600),
                        )
            else:
                post.comments_closed = True
        return PageRef(platform=Platform.VK, page=f"club{gid}", url=f"https://vk.com/club{gid}")
    if platform is Platform.OK:
        ids.ok += 1
        ok_gid = str(ids.ok)
        ok_fields: dict[str, Any] = {
            "description": description,
            "members_count": members,
            "pic_avatar": f"https://i.mycdn.me/fake/{ids.ok}.jpg",
        }
        if setup.contacts:
            ok_fields.update(phone="+7 (38247) 2-11-00", homepage_url="https://ensk.gosuslugi.ru")
        scenario.ok.add_group(ok_gid, name, admins=["575000000001"], **ok_fields)
        for date in posts:
            topic = scenario.ok.add_topic(
                ok_gid, rng.choice(_POST_TEXTS), date=date, likes=rng.randint(0, 40)
            )
            for kind, text, when in _comments(rng, date, t0):
                ok_comment = scenario.ok.add_comment(
                    ok_gid, topic.id, text, author_id=str(rng.randint(10**11, 10**12)), date=when
                )
                scenario.comment_kinds[(Platform.OK, ok_gid, ok_comment.id)] = kind
                if _answers(rng, setup, kind):
                    scenario.ok.add_comment(
                        ok_gid,
                        topic.id,
                        _ANSWER,
                        author_id=ok_gid,
                        reply_to=ok_comment.id,
                        from_group=True,
                        date=min(t0 - 60, when + rng.uniform(1, 20) * 3600),
                    )
        return PageRef(platform=Platform.OK, page=ok_gid, url=f"https://ok.ru/group/{ok_gid}")
    ids.tg += 1
    tg = scenario.telegram
    username = f"channel_{ids.tg}"
    tg.add_channel(ids.tg, name, username=username, about=description, participants=members)
    tg.add_discussion_group(ids.tg, ids.tg + 100000, f"{name}: обсуждение")
    for date in posts:
        message = tg.add_post(
            ids.tg,
            rng.choice(_POST_TEXTS),
            date=datetime.fromtimestamp(date, tz=timezone.utc),
            views=rng.randint(50, 2000),
        )
        for kind, text, when in _comments(rng, date, t0):
            comment = tg.add_comment(
                ids.tg,
                message.id,
                text,
                from_user=rng.randint(10**6, 10**8),
                date=datetime.fromtimestamp(when, tz=timezone.utc),
            )
            scenario.comment_kinds[(Platform.TELEGRAM, username, str(comment.id))] = kind
    return PageRef(platform=Platform.TELEGRAM, page=username, url=f"https://t.me/{username}")


_ANSWER = "Спасибо за обращение! Ответ направили в личные сообщения, подробности — в ПОС."


def _answers(rng: random.Random, setup: PageSetup, kind: str) -> bool:
    return setup.answers and kind == "question" and rng.random() < 0.85


def _post_dates(rng: random.Random, setup: PageSetup, t0: float, weeks: int) -> list[float]:
    end = t0 - setup.silent_days * DAY
    start = t0 - (weeks * 7 + setup.silent_days) * DAY
    total = round(setup.posts_per_week * (end - start) / (7 * DAY))
    # Oldest first: ids grow with time on every platform, as they do for real.
    return sorted(rng.uniform(start, end - 3600) for _ in range(total))


def _comments(rng: random.Random, posted: float, t0: float) -> list[tuple[str, str, float]]:
    out = []
    kinds = list(_KIND_WEIGHTS)
    weights = list(_KIND_WEIGHTS.values())
    for _ in range(rng.choice((0, 0, 1, 2, 3))):
        kind = rng.choices(kinds, weights)[0]
        when = min(t0 - 60, posted + rng.uniform(600, 2 * DAY))
        out.append((kind, rng.choice(COMMENT_KINDS[kind]), when))
    return out


def _telegram(clock: Clock) -> Any:
    try:
        from ._telegram import FakeTelegram
    except ImportError:  # Telethon is an extra
        return None
    return FakeTelegram(clock=clock)
