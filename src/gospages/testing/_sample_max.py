"""A ready MAX sandbox: the district administration's channel with posts and comments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._clock import Clock, VirtualClock
from ._max import ALL_RIGHTS, FakeMax

if TYPE_CHECKING:
    from ..max import MaxChannel

__all__ = ["SampleMax", "sample_max"]

DAY = 86400


@dataclass(frozen=True)
class SampleMax:
    """The MAX sandbox and the keys that open it."""

    fake: FakeMax
    chat_id: int
    name: str
    token: str
    bot_id: int
    reader_token: str
    """A bot that may only read the channel (no write, no delete)."""

    def page(self, *, token: str | None = None, **options: Any) -> MaxChannel:
        """The channel as a :class:`~gospages.max.MaxChannel` wired to this sandbox;
        ``options`` go to ``MaxChannel`` (``retry=``, ``text_format=`` ...)."""
        from ..max import MaxChannel

        return MaxChannel(
            options.pop("chat_id", self.chat_id),
            token=token or self.token,
            http_client=self.fake.client(),
            **options,
        )


def sample_max(*, now: float | None = None, clock: Clock | None = None) -> SampleMax:
    """A :class:`FakeMax` with the district administration's channel ``adm_ensk``: four
    posts over ten days, a question answered in a thread, a thanks and a spam comment.

    ``clock`` as in :func:`~gospages.testing.sample_vk` (a virtual clock by default)."""
    if clock is not None and now is not None:
        raise TypeError("укажите либо now, либо clock")
    clock = clock or VirtualClock(start=now)
    t0 = clock.time() if now is None else now
    fake = FakeMax(clock=clock)
    sample = SampleMax(
        fake=fake,
        chat_id=-70000000000005,
        name="adm_ensk",
        token="sandbox-max-bot-token-0001",  # noqa: S106
        bot_id=900001,
        reader_token="sandbox-max-reader-token-0001",  # noqa: S106
    )
    fake.add_bot(sample.token, user_id=sample.bot_id)
    fake.add_bot(sample.reader_token, user_id=900002)
    fake.add_channel(
        sample.chat_id,
        "Администрация Энского района",
        name=sample.name,
        description="Официальный канал администрации. Приёмная: +7 (38247) 2-11-00",
        participants=812,
        icon_url="https://i.oneme.ru/fake/adm_ensk.webp",
        bots={sample.bot_id: ALL_RIGHTS, 900002: ("read_all_messages",)},
    )
    texts = [
        "Прошёл приём граждан главой района.",
        "Плановое отключение электроэнергии 5 декабря с 10:00 до 14:00.",
        "Итоги сессии районной Думы: утверждён бюджет на 2027 год.",
        "Конкурс «Лучший двор»: заявки до 20 декабря.",
    ]
    posts = [
        fake.add_post(sample.chat_id, text, date=t0 - (i * 2.5 + 0.5) * DAY, views=300 + 40 * i)
        for i, text in enumerate(texts)
    ]
    first = posts[0].mid
    question = fake.add_comment(
        sample.chat_id,
        first,
        "Когда починят освещение на улице Мира?",
        user_id=7001,
        date=t0 - 0.4 * DAY,
    )
    fake.add_comment(
        sample.chat_id,
        first,
        "Заявка передана подрядчику, срок — до пятницы.",
        user_id=None,
        reply_to=question.mid,
        date=t0 - 0.3 * DAY,
    )
    fake.add_comment(sample.chat_id, first, "Спасибо!", user_id=7002, date=t0 - 0.2 * DAY)
    fake.add_comment(
        sample.chat_id,
        first,
        "Быстрый заработок, пишите в личку",
        user_id=7003,
        date=t0 - 0.25 * DAY,
    )
    return sample
