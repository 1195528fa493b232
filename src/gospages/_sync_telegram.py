"""`gospages.sync.TelegramChannel`, in its own module: it imports Telethon."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._sync import SyncPage
from .telegram import TelegramAPI
from .telegram import TelegramChannel as _AsyncTelegramChannel

__all__ = ["TelegramChannel"]


class TelegramChannel(SyncPage[_AsyncTelegramChannel]):
    """Blocking `gospages.telegram.TelegramChannel`; takes the same arguments.

    A Telethon client belongs to the event loop it first runs in: pass
    ``client_factory=lambda: connect(...)`` instead of ``client=`` to build it in the
    background loop of `gospages.sync` (``client=`` fits a fake).
    """

    def __init__(
        self,
        channel: int | str,
        *,
        client: TelegramAPI | None = None,
        client_factory: Callable[[], TelegramAPI] | None = None,
        **kwargs: Any,
    ) -> None:
        if (client is None) == (client_factory is None):
            from ._errors import ValidationError

            raise ValidationError(
                "sync.TelegramChannel: передайте ровно одно из client= или client_factory="
            )

        def build() -> _AsyncTelegramChannel:
            made = client if client is not None else client_factory()  # type: ignore[misc]
            return _AsyncTelegramChannel(channel, client=made, **kwargs)

        super().__init__(build)
