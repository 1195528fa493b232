"""Opening a Telegram channel from a registry reference and settings
(see `gospages.open_page`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._factory import OpenContext, missing_settings
from .._platforms import Platform
from ._channel import TelegramChannel
from ._protocol import TelegramAPI
from ._telethon import connect

if TYPE_CHECKING:
    from ..registry import PageRef

__all__ = ["open_page"]


def _connect(context: OpenContext) -> TelegramAPI:
    settings = context.settings
    if settings.tg_api_id is None or settings.tg_api_hash is None or settings.tg_session is None:
        raise missing_settings(Platform.TELEGRAM, "tg_api_id", "tg_api_hash", "tg_session")
    return connect(settings.tg_api_id, settings.tg_api_hash, settings.tg_session)


async def _close(client: TelegramAPI) -> None:
    await client.disconnect()


def open_page(ref: PageRef, context: OpenContext) -> TelegramChannel:
    """A `TelegramChannel`. The pages of one run share one Telegram connection (two
    clients on one session would disconnect each other); no channel closes it."""
    if context.connection is not None:
        client, owns = context.connection, False
    elif context.run:
        client, owns = context.shared("telegram", lambda: _connect(context), _close), False
    else:
        client, owns = _connect(context), True
    kwargs = context.kwargs(connection_as=None, client=client, close_client=owns)
    return TelegramChannel(ref.page, **kwargs)
