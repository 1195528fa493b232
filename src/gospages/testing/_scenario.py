"""A whole region on the sandbox: bodies, their pages on four platforms, weeks of life.

:func:`build_region` makes a registry of a region, its districts, settlements and
subordinate institutions, puts their pages into :class:`FakeVK`, :class:`FakeOK`,
:class:`FakeMax` and (with Telethon installed) ``FakeTelegram``, fills them with weeks of
posts and with comments of every kind users write, and keeps the ground truth: which page
was made to break which norm, and what each comment is. Some pages are exemplary, some
are not (no contacts, no «Госорганизация» mark, silent for weeks, comments closed) and one
settlement has no page.
Everything is deterministic for a given ``seed``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
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
from ._max import ALL_RIGHTS, FakeMax
from ._ok import FakeOK
from ._vk import FakeVK

__all__ = ["COMMENT_KINDS", "PageSetup", "Scenario", "build_region", "sandbox_for"]

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
    max: FakeMax = field(default_factory=FakeMax)
    """The MAX fake (its bot, :attr:`max_token`, administers every channel made)."""
    skipped: list[tuple[PageRef, str]] = field(default_factory=list)
    """Pages of the registry the sandbox could not make, with the reason in Russian
    (`Scenario.from_registry`); opening one fails."""
    # Sandbox keys, accepted by the fakes only.
    vk_user_token: str = "region-vk-user-token-0001"  # noqa: S105
    vk_service_token: str = "region-vk-service-token-0001"  # noqa: S105
    ok_application_key: str = "REGIONAPPKEYABABA"
    ok_application_secret_key: str = "region-ok-app-secret-0001"  # noqa: S105
    ok_access_token: str = "region-ok-access-token-0001"  # noqa: S105
    max_token: str = "region-max-bot-token-0001"  # noqa: S105

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
            max_token=self.max_token,
        )

    def connections(self) -> dict[Platform, Any]:
        """The fakes as the connections `gospages.PageFactory` hands to the pages."""
        found: dict[Platform, Any] = {
            Platform.VK: self.vk.client(),
            Platform.OK: self.ok.client(),
            Platform.MAX: self.max.client(),
        }
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

    @classmethod
    def from_registry(
        cls,
        registry: Registry,
        *,
        seed: int = 0,
        weeks: int = 4,
        now: float | None = None,
        telegram: bool = True,
        vk_rate_limits: bool = True,
        clock: Clock | None = None,
        real_pace: bool = False,
    ) -> Scenario:
        """The sandbox with the pages of *your* registry, filled with invented content.

        Every page of ``registry`` is made on the fakes under the id or name the registry
        gives (a VK group by id, ``clubNNN`` or screen name; an OK group by id; a
        Telegram channel by @name or id when Telethon is installed) and gets ``weeks`` of
        posts and comments of every kind. Most pages are kept as the rules want; some
        are made to break them (silent for a month, no contacts or «Госорганизация»
        mark, comments closed, questions unanswered), as `PageSetup` records in
        :attr:`setups`. The registry is kept as it is: a page the sandbox cannot make
        (a Telegram channel without Telethon, an id a backend would refuse) is listed in
        :attr:`skipped` and fails when opened, as it would for real. The same registry
        and ``seed`` give the same content. Other arguments as for :func:`build_region`.
        """
        rng = random.Random(seed)  # noqa: S311 (test data, not security)
        scenario, t0 = _empty(now, telegram, vk_rate_limits, clock, real_pace)
        scenario.registry = registry
        pages: list[tuple[Organization, PageRef, tuple[Platform, int | str]]] = []
        for org, ref in registry.pages():
            try:
                pages.append((org, ref, _identity(scenario, ref)))
            except _CannotMake as why:
                scenario.skipped.append((ref, str(why)))
        ids = _Ids((platform, ident) for _, _, (platform, ident) in pages if isinstance(ident, int))
        made: set[tuple[Platform, int | str]] = set()
        for (org, ref, identity), failing in zip(pages, _deck(rng, len(pages)), strict=True):
            setup = PageSetup(
                org.id,
                ref.platform,
                ref.page,
                **{"posts_per_week": _POSTS_PER_WEEK[org.level], **failing},
            )
            scenario.setups.setdefault((org.id, ref.platform), setup)
            if identity in made:  # two organisations name one page: make it once
                continue
            made.add(identity)
            _make_page(scenario, rng, ids, org.name, ref.platform, setup, t0, weeks, ref, _INVENTED)
        _administer(scenario)
        return scenario


def sandbox_for(registry: Registry, *, seed: int = 0, **options: Any) -> Scenario:
    """`Scenario.from_registry`: the sandbox filled with the pages of ``registry``."""
    return Scenario.from_registry(registry, seed=seed, **options)


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
    scenario, t0 = _empty(now, telegram, vk_rate_limits, clock, real_pace)
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
            # MAX channels draw from their own generator, so the content of the other
            # pages stays what it was before MAX joined the region.
            own = (
                random.Random(f"{seed}-{org_id}-{platform.value}")  # noqa: S311
                if platform is Platform.MAX
                else rng
            )
            ref = _make_page(scenario, own, ids, name, platform, setup, t0, weeks)
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
        (Platform.MAX, good(5)),
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
        else:
            pages.append((Platform.MAX, PageSetup("", Platform.MAX, "", posts_per_week=2)))
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
    _administer(scenario)
    return scenario


def _empty(
    now: float | None,
    telegram: bool,
    vk_rate_limits: bool,
    clock: Clock | None,
    real_pace: bool,
) -> tuple[Scenario, float]:
    """A scenario with empty fakes that accept its keys, and the time its weeks end at."""
    if clock is None:
        clock = RealClock() if real_pace else VirtualClock(start=now)
    t0 = clock.time() if now is None else now
    vk = FakeVK(rate_limits=vk_rate_limits, clock=clock)
    ok = FakeOK(clock=clock)
    tg = _telegram(clock) if telegram else None
    scenario = Scenario(Registry(), vk, ok, tg, {}, clock=clock, max=FakeMax(clock=clock))
    scenario.max.add_bot(scenario.max_token, user_id=_MAX_BOT)
    vk.add_token(scenario.vk_service_token, kind="service")
    ok.add_app(scenario.ok_application_key, secret_key=scenario.ok_application_secret_key)
    ok.add_token(scenario.ok_access_token, user_id=_ADMIN)
    return scenario, t0


def _administer(scenario: Scenario) -> None:
    """The sandbox's user key: an administrator of every VK group made."""
    scenario.vk.add_token(
        scenario.vk_user_token, kind="user", user_id=int(_ADMIN), admin_of=list(scenario.vk.groups)
    )


_ADMIN = "575000000001"
_MAX_BOT = 910000001


class _Ids:
    """Ids for the pages made, skipping those a user's registry names."""

    def __init__(self, reserved: Iterable[tuple[Platform, int]] = ()) -> None:
        self._last = {
            Platform.VK: 200000,
            Platform.OK: 54000000000000,
            Platform.TELEGRAM: 3000,
            Platform.MAX: -71000000000000,
        }
        self._reserved = set(reserved)

    def next(self, platform: Platform) -> int:
        value = self._last[platform] + 1
        while (platform, value) in self._reserved:
            value += 1
        self._last[platform] = value
        return value


@dataclass(frozen=True)
class _Contacts:
    """The contacts written on the pages made (invented, obviously so for a user's registry)."""

    phone: str
    email: str
    address: str
    site: str


_ENSK = _Contacts(
    "+7 (38247) 2-11-00",
    "adm@ensk.example.ru",
    "636130, с. Энское, ул. Ленина, д. 7",
    "https://ensk.gosuslugi.ru",
)
_INVENTED = _Contacts(
    "+7 (800) 000-00-00",
    "priemnaya@example.ru",
    "ул. Ленина, д. 1",
    "https://example.gosuslugi.ru",
)


def _make_page(
    scenario: Scenario,
    rng: random.Random,
    ids: _Ids,
    name: str,
    platform: Platform,
    setup: PageSetup,
    t0: float,
    weeks: int,
    ref: PageRef | None = None,
    where: _Contacts = _ENSK,
) -> PageRef:
    """Make a page of ``name`` on ``platform`` as ``setup`` says, with weeks of posts and
    comments; its reference. With ``ref`` (a user's registry entry) the page is made
    under the id or name ``ref`` gives and ``ref`` is returned; without, under new ids."""
    if platform is Platform.TELEGRAM and scenario.telegram is None:
        platform = Platform.VK  # keep the registry valid: the channel becomes a VK page
    contacts = (
        f"Приёмная: {where.phone}, {where.email}. Адрес: {where.address}." if setup.contacts else ""
    )
    description = f"Официальная страница: {name}. {contacts}".strip()
    members = rng.randint(150, 9000)
    posts = _post_dates(rng, setup, t0, weeks)
    if platform is Platform.VK:
        given_id, text = _vk_ref(ref) if ref is not None else (None, "")
        gid = given_id if given_id is not None else ids.next(Platform.VK)
        screen_name = text if given_id is None else None
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
                    "phone": where.phone,
                    "email": where.email,
                }
            ]
            fields["site"] = where.site
        if setup.mark is not None:
            fields["is_government_organization"] = setup.mark
        scenario.vk.add_group(gid, name, screen_name or f"club{gid}", **fields)
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
        return ref or PageRef(
            platform=Platform.VK, page=f"club{gid}", url=f"https://vk.com/club{gid}"
        )
    if platform is Platform.OK:
        ok_gid = ref.page.strip() if ref is not None else str(ids.next(Platform.OK))
        ok_fields: dict[str, Any] = {
            "description": description,
            "members_count": members,
            "pic_avatar": f"https://i.mycdn.me/fake/{ok_gid}.jpg",
        }
        if setup.contacts:
            ok_fields.update(phone=where.phone, homepage_url=where.site)
        scenario.ok.add_group(ok_gid, name, admins=[_ADMIN], **ok_fields)
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
        return ref or PageRef(
            platform=Platform.OK, page=ok_gid, url=f"https://ok.ru/group/{ok_gid}"
        )
    if platform is Platform.MAX:
        return _make_max(scenario, rng, ids, name, setup, t0, posts, description, members, ref)
    tg = scenario.telegram
    made = ids.next(Platform.TELEGRAM)
    channel_id, username = (
        _telegram_ref(ref, made) if ref is not None else (made, f"channel_{made}")
    )
    tg.add_channel(channel_id, name, username=username, about=description, participants=members)
    # The discussion group's id comes from the sandbox's own range, as a channel's would.
    tg.add_discussion_group(channel_id, made + 100000, f"{name}: обсуждение")
    key = username or str(channel_id)
    for date in posts:
        message = tg.add_post(
            channel_id,
            rng.choice(_POST_TEXTS),
            date=datetime.fromtimestamp(date, tz=timezone.utc),
            views=rng.randint(50, 2000),
        )
        for kind, text, when in _comments(rng, date, t0):
            comment = tg.add_comment(
                channel_id,
                message.id,
                text,
                from_user=rng.randint(10**6, 10**8),
                date=datetime.fromtimestamp(when, tz=timezone.utc),
            )
            scenario.comment_kinds[(Platform.TELEGRAM, key, str(comment.id))] = kind
    return ref or PageRef(platform=Platform.TELEGRAM, page=key, url=f"https://t.me/{key}")


#: Posts a week of a page kept as the rules want, by the organisation's level.
_POSTS_PER_WEEK = {
    OrgLevel.REGION: 7.0,
    OrgLevel.DISTRICT: 5.0,
    OrgLevel.SETTLEMENT: 3.0,
    OrgLevel.INSTITUTION: 2.0,
}
#: How the failing pages of a user's registry fail (`PageSetup` fields).
_FAILINGS: tuple[dict[str, Any], ...] = (
    {"posts_per_week": 2.0, "silent_days": 30},
    {"posts_per_week": 1.0, "contacts": False, "mark": None},
    {"posts_per_week": 3.0, "comments_open": False, "mark": False},
    {"posts_per_week": 0.5, "mark": False},
    {"answers": False},
)


def _deck(rng: random.Random, pages: int) -> list[dict[str, Any]]:
    """What each of ``pages`` pages breaks (``{}``: nothing), shuffled: about two pages
    in five fail, each in its own way, and with two pages or more at least one page
    fails and one does not."""
    if pages == 1:
        failing = int(rng.random() < 0.4)
    else:
        failing = min(max(1, round(pages * 0.4)), pages - 1) if pages else 0
    start = rng.randrange(len(_FAILINGS))
    deck = [_FAILINGS[(start + i) % len(_FAILINGS)] for i in range(failing)]
    deck += [{}] * (pages - failing)
    rng.shuffle(deck)
    return deck


class _CannotMake(Exception):
    """A registry page the sandbox cannot make (the message says why, in Russian)."""


def _identity(scenario: Scenario, ref: PageRef) -> tuple[Platform, int | str]:
    """The page ``ref`` names as the fakes will hold it: a numeric id or a name."""
    from .._errors import ValidationError

    try:
        if ref.platform is Platform.VK:
            given_id, text = _vk_ref(ref)
            return Platform.VK, given_id if given_id is not None else text
        if ref.platform is Platform.OK:
            if not ref.page.strip().isdigit():
                raise _CannotMake(f"«{ref.page}» — не числовой id группы Одноклассников")
            return Platform.OK, int(ref.page.strip())
        if ref.platform is Platform.MAX:
            chat = _max_ref(ref)
            return Platform.MAX, chat if isinstance(chat, int) else chat.casefold()
        if scenario.telegram is None:
            raise _CannotMake(
                f"Telegram в песочнице недоступен: pip install "
                f'"gospages[{describe(Platform.TELEGRAM).extra}]"'
            )
        channel_id, username = _telegram_ref(ref, 0)
        return Platform.TELEGRAM, channel_id if username is None else username.casefold()
    except ValidationError as error:
        raise _CannotMake(str(error)) from error


def _vk_ref(ref: PageRef) -> tuple[int | None, str]:
    """``(group id or None, screen name or id as text)``, as `gospages.vk.VKPage` reads
    ``ref.page``."""
    from ..vk._parse import _parse_group

    return _parse_group(ref.page)


def _telegram_ref(ref: PageRef, made: int) -> tuple[int, str | None]:
    """``(channel id, None)`` for a channel given by id, ``(made, username)`` for one
    given by name, as `gospages.telegram.TelegramChannel` reads ``ref.page``."""
    from telethon import utils

    from ..telegram._parse import _parse_channel

    entity, _text = _parse_channel(ref.page)
    if isinstance(entity, int):
        return utils.resolve_id(entity)[0], None
    return made, entity


def _max_ref(ref: PageRef) -> int | str:
    """The chat id or the public name ``ref.page`` gives, as `gospages.max.MaxChannel`
    reads it."""
    from .._errors import ValidationError

    text = ref.page.strip().lstrip("@")
    if text.lstrip("-").isdigit():
        chat = int(text)
        if chat >= 0:
            raise ValidationError(f"«{ref.page}» — не id канала MAX (он отрицательный)")
        return chat
    return text


def _make_max(
    scenario: Scenario,
    rng: random.Random,
    ids: _Ids,
    name: str,
    setup: PageSetup,
    t0: float,
    posts: list[float],
    description: str,
    members: int,
    ref: PageRef | None,
) -> PageRef:
    """A MAX channel (the sandbox's bot administers it) with posts and comments; MAX
    channels may answer residents (41-ФЗ does not apply), so questions get answers."""
    given = _max_ref(ref) if ref is not None else None
    chat_id = given if isinstance(given, int) else ids.next(Platform.MAX)
    public = given if isinstance(given, str) else f"channel{abs(chat_id) % 100000}"
    fake = scenario.max
    fake.add_channel(
        chat_id,
        name,
        name=public,
        description=description,
        participants=members,
        icon_url=f"https://i.oneme.ru/fake/{public}.webp",
        bots={_MAX_BOT: ALL_RIGHTS},
    )
    for date in posts:
        message = fake.add_post(
            chat_id, rng.choice(_POST_TEXTS), date=date, views=rng.randint(50, 2000)
        )
        if not setup.comments_open:
            continue
        for kind, text, when in _comments(rng, date, t0):
            comment = fake.add_comment(
                chat_id, message.mid, text, user_id=rng.randint(10**6, 10**8), date=when
            )
            key = public if ref is None or isinstance(given, str) else str(chat_id)
            scenario.comment_kinds[(Platform.MAX, key, comment.mid)] = kind
            if _answers(rng, setup, kind):
                fake.add_comment(
                    chat_id,
                    message.mid,
                    _ANSWER,
                    user_id=None,
                    reply_to=comment.mid,
                    date=min(t0 - 60, when + rng.uniform(1, 20) * 3600),
                )
    return ref or PageRef(platform=Platform.MAX, page=public, url=f"https://max.ru/{public}")


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
