"""The shipped contract against live pages, behind ``GOSPAGES_LIVE_*`` variables.

Nothing here runs unless the variables of a platform are set (docs/testing.md lists
them); without network or keys every test is skipped. Only reading tests run unless
``GOSPAGES_LIVE_WRITE=1``: the writing ones publish, reply, delete and ban for real.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from gospages.testing.contract import ContractEnv, OfficialPageContract

if not any(name.startswith("GOSPAGES_LIVE_") for name in os.environ):
    pytest.skip(
        "живые проверки выключены: не задано ни одной GOSPAGES_LIVE_*", allow_module_level=True
    )

_WRITE = os.environ.get("GOSPAGES_LIVE_WRITE") == "1"
_DAYS = int(os.environ.get("GOSPAGES_LIVE_DAYS") or 7)


_SECRET = ("TOKEN", "SECRET_KEY", "API_HASH", "SESSION")


def _env(platform: str, *names: str) -> dict[str, Any]:
    """The variables ``GOSPAGES_LIVE_<platform>_<name>`` that are set, by name; keys and
    sessions as ``SecretStr``, so that no traceback or ``--showlocals`` prints them."""
    found: dict[str, Any] = {}
    for name in names:
        value = os.environ.get(f"GOSPAGES_LIVE_{platform}_{name}", "").strip()
        if value:
            found[name] = SecretStr(value) if name.endswith(_SECRET) else value
    return found


def _needs(platform: str, *required: str) -> pytest.MarkDecorator:
    have = _env(platform, *required)
    missing = [f"GOSPAGES_LIVE_{platform}_{n}" for n in required if n not in have]
    return pytest.mark.skipif(
        bool(missing), reason=f"живая проверка выключена: не заданы {', '.join(missing)}"
    )


class _Live(OfficialPageContract):
    read_only = not _WRITE
    # A live post need not have a deleted comment under it.
    supports_deleted_comments = False
    recent = timedelta(days=_DAYS)


@_needs("VK", "GROUP", "POST")
class TestLiveVK(_Live):
    @pytest.fixture
    async def contract_env(self) -> AsyncIterator[ContractEnv]:
        from gospages.vk import VKPage

        env = _env("VK", "GROUP", "POST", "USER_TOKEN", "COMMUNITY_TOKEN", "SERVICE_TOKEN")
        tokens = {
            "user_token": env.get("USER_TOKEN"),
            "community_token": env.get("COMMUNITY_TOKEN"),
            "service_token": env.get("SERVICE_TOKEN"),
        }
        async with AsyncExitStack() as stack:
            page = await stack.enter_async_context(VKPage(env["GROUP"], **tokens))
            limited = None
            if tokens["service_token"] and (tokens["user_token"] or tokens["community_token"]):
                limited = await stack.enter_async_context(
                    VKPage(env["GROUP"], service_token=tokens["service_token"])
                )
            yield ContractEnv(page=page, post_with_comments=env["POST"], limited_page=limited)


@_needs("OK", "GROUP", "POST", "APPLICATION_KEY", "APPLICATION_SECRET_KEY", "ACCESS_TOKEN")
class TestLiveOK(_Live):
    @pytest.fixture
    async def contract_env(self) -> AsyncIterator[ContractEnv]:
        from gospages.ok import OKPage

        env = _env(
            "OK", "GROUP", "POST", "APPLICATION_KEY", "APPLICATION_SECRET_KEY", "ACCESS_TOKEN"
        )
        async with OKPage(
            env["GROUP"],
            application_key=env["APPLICATION_KEY"],
            application_secret_key=env["APPLICATION_SECRET_KEY"],
            access_token=env["ACCESS_TOKEN"],
        ) as page:
            yield ContractEnv(page=page, post_with_comments=env["POST"])


@_needs("TG", "CHANNEL", "POST", "API_ID", "API_HASH", "SESSION")
@pytest.mark.filterwarnings("ignore::gospages.telegram.ForeignServiceWarning")
class TestLiveTelegram(_Live):
    @pytest.fixture
    async def contract_env(self) -> AsyncIterator[ContractEnv]:
        pytest.importorskip("telethon")
        from gospages.telegram import TelegramChannel, connect

        env = _env("TG", "CHANNEL", "POST", "API_ID", "API_HASH", "SESSION")
        client = connect(api_id=env["API_ID"], api_hash=env["API_HASH"], session=env["SESSION"])
        async with TelegramChannel(env["CHANNEL"], client=client) as page:
            yield ContractEnv(page=page, post_with_comments=env["POST"])
