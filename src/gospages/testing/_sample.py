"""A small ready-made VK sandbox: a district administration and a settlement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._clock import Clock, VirtualClock
from ._ok import FakeOK

if TYPE_CHECKING:
    from ..ok import OKPage
from ._vk import FakeVK

__all__ = ["SampleOK", "SampleVK", "sample_ok", "sample_vk"]

DAY = 86400


@dataclass(frozen=True)
class SampleVK:
    """The sandbox and the keys that open it."""

    fake: FakeVK
    district: str
    settlement: str
    user_token: str
    community_token: str
    service_token: str


def sample_vk(
    *, now: float | None = None, rate_limits: bool = True, clock: Clock | None = None
) -> SampleVK:
    """A `FakeVK` with two communities, three weeks of posts and real-looking comments.

    It runs on ``clock``: by default a `~gospages.VirtualClock` starting at ``now`` (or
    the present), so VK's limits hold in virtual seconds and nobody waits for real;
    pages built on ``fake.client()`` share that clock. ``clock=RealClock()`` keeps real time.

    * ``adm_ensk``: the district administration; full contacts, the «Госорганизация»
      mark, the ПОС widget, posts three times a week, comments with threads, one spam
      comment and one deleted.
    * ``selo_lugovoe``: a settlement; no contacts, no mark, silent for two weeks.
    """
    clock = _clock(clock, now)
    t0 = clock.time() if now is None else now
    fake = FakeVK(rate_limits=rate_limits, clock=clock)
    fake.add_group(
        100001,
        "Администрация Энского района",
        "adm_ensk",
        description=(
            "Официальная страница Администрации Энского района. "
            "Приёмная: +7 (38247) 2-11-00, пн–пт 9:00–17:00."
        ),
        site="https://ensk.gosuslugi.ru",
        members_count=2421,
        status="Новости района",
        contacts=[
            {
                "user_id": 501,
                "desc": "Приёмная",
                "phone": "+7 (38247) 2-11-00",
                "email": "adm@ensk.tomsk.ru",
            },
        ],
        addresses={
            "is_enabled": True,
            "main_address_id": 1,
            "count": 1,
            "main_address": {
                "id": 1,
                "title": "Администрация",
                "address": "ул. Ленина, 7, с. Энское",
            },
        },
        cover={
            "enabled": 1,
            "images": [
                {
                    "url": "https://sun.userapi.com/fake/cover_1590.jpg",
                    "width": 1590,
                    "height": 400,
                },
                {"url": "https://sun.userapi.com/fake/cover_795.jpg", "width": 795, "height": 200},
            ],
        },
        wall=2,
        verified=0,
        is_government_organization=True,
        trust_mark=3,
        menu={
            "items": [
                {
                    "id": 1,
                    "title": "Сообщить о проблеме",
                    "type": "link",
                    "url": "https://pos.gosuslugi.ru/form/?opaId=1",
                },
            ]
        },
    )
    fake.add_group(
        100002,
        "Луговское сельское поселение",
        "selo_lugovoe",
        description="Группа поселения",
        members_count=318,
        wall=3,
    )
    texts = [
        "Прошёл приём граждан главой района. Обсудили ремонт дорог и освещение улиц.",
        "Внимание! Плановое отключение электроэнергии в с. Энское 5 декабря с 10:00 до 14:00.",
        "Открыта запись в кружки Дома культуры. Подробности по телефону 2-14-50.",
        "Итоги сессии районной Думы: утверждён бюджет на 2027 год.",
        "В районе стартовал конкурс «Лучший двор». Заявки принимаются до 20 декабря.",
        "Расписание автобусов на зимний период опубликовано на сайте администрации.",
        "Благодарим волонтёров за помощь в уборке парка!",
        "Напоминаем о правилах пожарной безопасности при использовании печей.",
        "Глава района вручил награды лучшим учителям.",
    ]
    posts = []
    for i, text in enumerate(texts):
        posts.append(
            fake.add_post(
                100001, text, date=t0 - (i * 2.3 + 0.5) * DAY, views=300 + 37 * i, likes=12 + i
            )
        )
    fake.add_post(
        100001,
        "Добро пожаловать на официальную страницу администрации!",
        date=t0 - 400 * DAY,
        views=5000,
        likes=80,
        is_pinned=True,
    )
    fake.add_post(100002, "С днём села!", date=t0 - 16 * DAY, views=140, likes=9)

    p1, p2 = posts[0].id, posts[1].id
    q = fake.add_comment(
        100001, p1, "Когда отремонтируют дорогу на ул. Садовой?", from_id=20001, date=t0 - 0.4 * DAY
    )
    fake.add_comment(
        100001,
        p1,
        "Ремонт запланирован на май, подрядчик определён.",
        from_id=-100001,
        date=t0 - 0.3 * DAY,
        reply_to=q.id,
    )
    fake.add_comment(
        100001, p1, "Спасибо за ответ!", from_id=20001, date=t0 - 0.2 * DAY, reply_to=q.id
    )
    fake.add_comment(
        100001,
        p1,
        "Заработок от 5000 в день без вложений! Пиши в лс",
        from_id=20002,
        date=t0 - 0.25 * DAY,
    )
    fake.add_comment(100001, p1, "", from_id=20003, date=t0 - 0.35 * DAY, deleted=True)
    fake.add_comment(
        100001,
        p2,
        "А почему предупреждаете так поздно? У нас холодильники!",
        from_id=20004,
        date=t0 - 1.2 * DAY,
    )
    fake.add_comment(100001, p2, "Спасибо, что предупредили.", from_id=20005, date=t0 - 1.1 * DAY)

    # Sandbox keys, accepted by the fake only.
    tokens = SampleVK(
        fake=fake,
        district="adm_ensk",
        settlement="selo_lugovoe",
        user_token="sandbox-user-token-ensk-0001",  # noqa: S106
        community_token="sandbox-community-token-ensk-0001",  # noqa: S106
        service_token="sandbox-service-token-0001",  # noqa: S106
    )
    fake.add_token(tokens.user_token, kind="user", user_id=501, admin_of=[100001, 100002])
    fake.add_token(tokens.community_token, kind="community", group_id=100001)
    fake.add_token(tokens.service_token, kind="service")
    return tokens


@dataclass(frozen=True)
class SampleOK:
    """The OK sandbox and the keys that open it."""

    fake: FakeOK
    group_id: str
    application_key: str
    application_secret_key: str
    access_token: str

    def page(self, **options: Any) -> OKPage:
        """The group as an :class:`~gospages.ok.OKPage` wired to this sandbox; ``options``
        go to ``OKPage`` (``requests_per_second=``, ``retry=`` ...)."""
        from ..ok import OKPage

        return OKPage(
            self.group_id,
            application_key=self.application_key,
            application_secret_key=self.application_secret_key,
            access_token=self.access_token,
            http_client=self.fake.client(),
            **options,
        )


def sample_ok(*, now: float | None = None, clock: Clock | None = None) -> SampleOK:
    """A :class:`FakeOK` with the district administration's OK group, topics and comments.

    ``clock`` as in :func:`sample_vk` (a virtual clock by default)."""
    clock = _clock(clock, now)
    t0 = clock.time() if now is None else now
    fake = FakeOK(clock=clock)
    sample = SampleOK(
        fake=fake,
        group_id="53038939046008",
        application_key="CBAFJIICABABABABA",
        application_secret_key="sandbox-ok-app-secret-0001",  # noqa: S106
        access_token="sandbox-ok-access-token-0001",  # noqa: S106
    )
    fake.add_app(sample.application_key, secret_key=sample.application_secret_key)
    fake.add_token(sample.access_token, user_id="575662066926")
    fake.add_group(
        sample.group_id,
        "Администрация Энского района",
        admins=["575662066926"],
        description="Официальная группа администрации. Приёмная: 8 (38247) 2-11-00",
        members_count=1114,
        homepage_url="https://ensk.gosuslugi.ru",
        phone="+7 (38247) 2-11-00",
        address="с. Энское, ул. Ленина, 7",
        shortname="adm.ensk",
        pic_avatar="https://i.mycdn.me/fake/adm.ensk.jpg",
    )
    texts = [
        "Прошёл приём граждан главой района.",
        "Плановое отключение электроэнергии 5 декабря с 10:00 до 14:00.",
        "Итоги сессии районной Думы: утверждён бюджет на 2027 год.",
        "Конкурс «Лучший двор»: заявки до 20 декабря.",
    ]
    topics = [
        fake.add_topic(sample.group_id, text, date=t0 - (i * 2.5 + 0.5) * DAY, likes=5 + i)
        for i, text in enumerate(texts)
    ]
    first = topics[0].id
    q = fake.add_comment(
        sample.group_id,
        first,
        "Когда будет следующий приём?",
        author_id="910000000001",
        date=t0 - 0.4 * DAY,
    )
    fake.add_comment(
        sample.group_id,
        first,
        "В следующий четверг с 10:00.",
        author_id=sample.group_id,
        date=t0 - 0.3 * DAY,
        reply_to=q.id,
        from_group=True,
    )
    fake.add_comment(
        sample.group_id,
        first,
        "Спасибо!",
        author_id="910000000001",
        date=t0 - 0.2 * DAY,
        reply_to=q.id,
    )
    fake.add_comment(
        sample.group_id,
        first,
        "Быстрый заработок, пишите в личку",
        author_id="910000000002",
        date=t0 - 0.25 * DAY,
    )
    return sample


def _clock(clock: Clock | None, now: float | None) -> Clock:
    if clock is not None and now is not None:
        raise TypeError("укажите либо now, либо clock")
    return clock or VirtualClock(start=now)
