"""Shared by the examples: real VK keys from the environment, or the built-in sandbox.

With ``GOSPAGES_VK_GROUP`` and at least one of ``GOSPAGES_VK_USER_TOKEN``,
``GOSPAGES_VK_COMMUNITY_TOKEN``, ``GOSPAGES_VK_SERVICE_TOKEN`` set (in the environment or a
``.env`` file: the keys are read by `gospages.Settings`), the examples talk to the real VK.
With none of them set, they run on :func:`gospages.testing.sample_vk`: no keys, no network.

Examples that write (publish, reply, delete) also need ``GOSPAGES_EXAMPLES_WRITE=1``
before they change a real page.

Usage in an example (run as ``python examples/NN_name.py``, the script's folder is on
``sys.path``)::

    from _connect import connect

    conn = connect()
    async with VKPage(conn.group, **conn.kwargs()) as page:
        ...
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from gospages import Settings
from gospages.testing import SampleVK, sample_vk

__all__ = ["ENV_GROUP", "ENV_TOKENS", "ENV_WRITE", "Connection", "connect"]

ENV_GROUP = "GOSPAGES_VK_GROUP"
ENV_TOKENS = {
    "user_token": "GOSPAGES_VK_USER_TOKEN",
    "community_token": "GOSPAGES_VK_COMMUNITY_TOKEN",
    "service_token": "GOSPAGES_VK_SERVICE_TOKEN",
}
ENV_WRITE = "GOSPAGES_EXAMPLES_WRITE"


@dataclass(frozen=True)
class Connection:
    """Where the examples connect: a real community or the sandbox."""

    group: str
    """The community: id, screen name or URL."""
    tokens: dict[str, SecretStr]
    """VKPage keyword -> key, only the keys that are set."""
    sandbox: SampleVK | None = None
    """The sandbox, when no real keys are configured."""

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox is not None

    def kwargs(self, *only: str) -> dict[str, Any]:
        """Keyword arguments for ``VKPage(conn.group, **conn.kwargs())``.

        ``only`` limits the keys, e.g. ``kwargs("community_token")``; a key that is not
        configured is simply left out.
        """
        chosen = {k: v for k, v in self.tokens.items() if not only or k in only}
        if self.sandbox is not None:
            # The sandbox runs on virtual time: VK's limits hold, nobody waits for real.
            fake = self.sandbox.fake
            return {**chosen, "http_client": fake.client(), "clock": fake.clock}
        return chosen

    def describe(self) -> str:
        """One line, in Russian, saying where the example runs (never the keys)."""
        keys = ", ".join(self.tokens) or "нет"
        if self.sandbox is not None:
            return f"Песочница gospages (FakeVK), сообщество «{self.group}», ключи: {keys}"
        return f"ВКонтакте, сообщество «{self.group}», ключи: {keys}"

    def may_write(self) -> bool:
        """Whether an example may change the page: always in the sandbox; on a real
        page only with ``GOSPAGES_EXAMPLES_WRITE=1``. Prints why not."""
        if self.sandbox is not None or os.environ.get(ENV_WRITE) == "1":
            return True
        print(
            f"Это настоящее сообщество «{self.group}»: пример ничего не меняет на нём. "
            f"Чтобы разрешить запись, задайте {ENV_WRITE}=1."
        )
        return False


def connect() -> Connection:
    """The connection the examples use: real keys from the environment, else the sandbox."""
    group = os.environ.get(ENV_GROUP, "").strip()
    settings = Settings.from_environment()
    tokens = {
        kwarg: value
        for kwarg in ENV_TOKENS
        if (value := getattr(settings, f"vk_{kwarg}")) is not None
    }
    if group and tokens:
        return Connection(group=group, tokens=tokens)
    if group or tokens:
        missing = ENV_GROUP if not group else " или ".join(ENV_TOKENS.values())
        sys.exit(
            f"Настройка неполная: задайте {missing} "
            "или уберите все эти переменные, чтобы запустить пример на песочнице."
        )
    sandbox = sample_vk()
    return Connection(
        group=sandbox.district,
        tokens={
            "user_token": SecretStr(sandbox.user_token),
            "community_token": SecretStr(sandbox.community_token),
            "service_token": SecretStr(sandbox.service_token),
        },
        sandbox=sandbox,
    )
