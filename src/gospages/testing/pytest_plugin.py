"""pytest fixtures for testing code built on gospages (registered as a ``pytest11`` plugin).

Installed with gospages, they are available in any test without an import:

* ``fake_vk``: an empty :class:`~gospages.testing.FakeVK` with VK's rate limits on;
* ``vk_sandbox``: :func:`~gospages.testing.sample_vk` (two communities, posts, comments);
* ``fake_ok``: an empty :class:`~gospages.testing.FakeOK`;
* ``ok_sandbox``: :func:`~gospages.testing.sample_ok`;
* ``fake_max``: an empty :class:`~gospages.testing.FakeMax` with MAX's 30 requests/s;
* ``max_sandbox``: :func:`~gospages.testing.sample_max`;
* ``fake_telegram``: an empty :class:`~gospages.testing.FakeTelegram` (needs Telethon:
  ``pip install gospages[telegram]``).

Each test gets fresh state and its own :class:`~gospages.VirtualClock` (``fake.clock``):
rate limits and retry pauses hold in virtual seconds and cost no real time. Pages built
on ``fake.client()`` (or on ``client=fake_telegram``) run on the fake's clock.
"""

from __future__ import annotations

from typing import Any

import pytest

from .._clock import VirtualClock
from ._max import FakeMax
from ._ok import FakeOK
from ._sample import SampleOK, SampleVK, sample_ok, sample_vk
from ._sample_max import SampleMax, sample_max
from ._vk import FakeVK

__all__ = [
    "fake_max",
    "fake_ok",
    "fake_telegram",
    "fake_vk",
    "max_sandbox",
    "ok_sandbox",
    "vk_sandbox",
]


@pytest.fixture
def fake_vk() -> FakeVK:
    """An empty FakeVK: add groups and tokens, then pass ``http_client=fake_vk.client()``."""
    return FakeVK(clock=VirtualClock())


@pytest.fixture
def vk_sandbox() -> SampleVK:
    """A ready VK sandbox (rate limits off so tests run at full speed)."""
    return sample_vk(rate_limits=False)


@pytest.fixture
def fake_ok() -> FakeOK:
    """An empty FakeOK: add an app, a group and a token, then pass ``http_client=``."""
    return FakeOK(clock=VirtualClock())


@pytest.fixture
def ok_sandbox() -> SampleOK:
    """A ready OK sandbox with the district administration's group."""
    return sample_ok()


@pytest.fixture
def fake_max() -> FakeMax:
    """An empty FakeMax: add a bot and a channel, then pass ``http_client=fake_max.client()``."""
    return FakeMax(clock=VirtualClock())


@pytest.fixture
def max_sandbox() -> SampleMax:
    """A ready MAX sandbox with the district administration's channel."""
    return sample_max()


@pytest.fixture
def fake_telegram() -> Any:
    """An empty FakeTelegram: pass it as ``TelegramChannel(..., client=fake_telegram)``."""
    pytest.importorskip("telethon", reason="FakeTelegram needs Telethon (gospages[telegram])")
    from ._telegram import FakeTelegram

    return FakeTelegram()
