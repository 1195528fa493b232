from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gospages import RetryPolicy
from gospages.testing import SampleVK
from gospages.vk import VKLimits, VKPage

# Tests run without retries unless they test retries (a retry layer would hide a
# request that matched nothing), and with limits high enough not to slow them down.
NO_RETRY = RetryPolicy.none()
FAST = VKLimits(user=1000, service=1000, community=1000)
QUICK_RETRY = RetryPolicy(attempts=4, initial_delay=0.001, max_delay=0.002)


@pytest.fixture
def sandbox(vk_sandbox: SampleVK) -> SampleVK:
    # vk_sandbox comes from gospages' own pytest plugin, as users get it.
    return vk_sandbox


def make_page(sandbox: SampleVK, group: str | None = None, **kwargs: object) -> VKPage:
    tokens = {
        "user_token": sandbox.user_token,
        "community_token": sandbox.community_token,
        "service_token": sandbox.service_token,
    }
    for key in list(tokens):
        if key in kwargs:
            value = kwargs.pop(key)
            if value is None:
                del tokens[key]
            else:
                tokens[key] = value  # type: ignore[assignment]
    kwargs.setdefault("retry", NO_RETRY)
    kwargs.setdefault("limits", FAST)
    return VKPage(
        group or sandbox.district,
        http_client=sandbox.fake.client(),
        **tokens,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
async def page(sandbox: SampleVK) -> AsyncIterator[VKPage]:
    async with make_page(sandbox) as p:
        yield p
