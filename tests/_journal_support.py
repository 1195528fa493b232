"""What the journal tests share: a sandbox under faults and counting posts on the fakes."""

from __future__ import annotations

import asyncio
import collections
import random
from collections.abc import Callable
from typing import Any

from gospages import Platform, Post
from gospages.planning import EntryState, Journal, publish_once, run_due
from gospages.registry import PageRef
from gospages.testing import build_region
from gospages.testing._scenario import Scenario


def text_of(i: int) -> str:
    return f"Новость номер {i}: журнал публикаций"


def region(
    faults: float = 0.0, *, seeds: tuple[int, int] = (1, 2), now: float | None = None
) -> Scenario:
    """The sandbox region; ``faults``: that share of VK's and OK's calls fail, drawn from
    ``seeds`` (VK's, OK's)."""
    scenario = build_region(seed=0, weeks=1, now=now)
    if faults:
        scenario.vk.inject_faults(faults, seed=seeds[0])
        scenario.ok.inject_faults(faults, seed=seeds[1])
        scenario.max.inject_faults(faults, seed=seeds[1] + 2)
    return scenario


def refs(scenario: Scenario) -> list[PageRef]:
    return [ref for _, ref in scenario.registry.pages()]


def telegram_chaos(scenario: Scenario, rng: random.Random, rate: float) -> None:
    """FakeTelegram has no random faults: queue one before a publish, now and then (a lost
    answer after the message is out, a refused send, an unreadable channel)."""
    if scenario.telegram is None or rng.random() >= rate:
        return
    kind = rng.choice(["lose", "refuse", "read"])
    if kind == "lose":
        scenario.telegram.fail_next("send_message", lose_response=True)
    elif kind == "refuse":
        scenario.telegram.fail_next("send_message", exception=ConnectionError())
    else:
        scenario.telegram.fail_next("iter_messages", exception=ConnectionError())


def counted(scenario: Scenario) -> collections.Counter[str]:
    """How often each text is on the fakes' pages (channels only, not discussion groups)."""
    texts: collections.Counter[str] = collections.Counter()
    for group in scenario.vk.groups.values():
        texts.update(p.text for p in group.posts)
    for ok_group in scenario.ok.groups.values():
        texts.update(t.text for t in ok_group.topics)
    if scenario.telegram is not None:
        for chat in scenario.telegram.chats.values():
            if chat.broadcast:
                texts.update(m.text for m in chat.messages)
    for channel in scenario.max.channels.values():
        texts.update(m.text for m in channel.messages)
    return texts


async def publish_many(
    journal: Journal,
    scenario: Scenario,
    opened: dict[tuple[Platform, str], Any],
    indexes: range,
    *,
    chaos: random.Random | None = None,
    key: Callable[[int], str] = lambda i: f"item-{i}",
) -> None:
    targets = refs(scenario)
    for i in indexes:
        ref = targets[i % len(targets)]
        if chaos is not None and ref.platform is Platform.TELEGRAM:
            telegram_chaos(scenario, chaos, 0.2)
        page = opened[ref.platform, ref.page]
        await publish_once(journal, key(i), page, Post(text=text_of(i)), clock=scenario.clock)
        await asyncio.sleep(0)


async def drain(journal: Journal, open_page: Any, clock: Any, *, total: int) -> int:
    """Start the runner as a cron job would, pass after pass, until ``total`` entries are
    published (a send that fails again leaves its entry for the next pass); the passes."""
    passes = 0
    while journal.counts()[EntryState.PUBLISHED] < total:
        passes += 1
        assert passes <= 8, journal.counts()
        await run_due(journal, open_page, clock=clock, max_attempts=10)
    return passes
