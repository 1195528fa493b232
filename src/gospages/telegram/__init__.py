"""Telegram backend, over Telethon (MTProto).

`TelegramChannel` implements `gospages.OfficialPage` for a channel; comments live in
the channel's linked discussion group. It talks to Telegram through `TelegramAPI`, a
small protocol of our own: `connect` builds the real one (a Telethon ``TelegramClient``
with a ``StringSession``), `gospages.testing.FakeTelegram` a fake one::

    from gospages.telegram import TelegramChannel, connect

    client = connect(api_id=..., api_hash=..., session=...)
    async with TelegramChannel("adm_ensk", client=client) as channel:
        print((await channel.profile()).members_count)

Telegram is not on the 2523-р list: a channel is an additional channel, not an official
page under 8-ФЗ. Answering citizens there runs into 41-ФЗ (from 01.06.2025):
`TelegramChannel.reply` warns with `ForeignServiceWarning`.

Needs Telethon: ``pip install 'gospages[telegram]'``.
"""

try:
    import telethon as _telethon  # noqa: F401
except ImportError as _exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "Для gospages.telegram нужен пакет Telethon: pip install 'gospages[telegram]' "
        "(или pip install telethon)"
    ) from _exc

from .._deprecation import moved_names as _moved_names
from ._channel import (
    FOREIGN_SERVICE_NOTICE,
    ForeignServiceWarning,
    LongText,
    TelegramChannel,
    TelegramReceipt,
    split_text,
    telegram_length,
    translate_error,
)
from ._protocol import TelegramAPI
from ._telethon import (
    DEFAULT_FLOOD_SLEEP_THRESHOLD,
    DEFAULT_REQUEST_RETRIES,
    TelethonClient,
    connect,
)

__all__ = [
    "DEFAULT_FLOOD_SLEEP_THRESHOLD",
    "DEFAULT_REQUEST_RETRIES",
    "FOREIGN_SERVICE_NOTICE",
    "ForeignServiceWarning",
    "LongText",
    "TelegramAPI",
    "TelegramChannel",
    "TelegramReceipt",
    "TelethonClient",
    "connect",
    "split_text",
    "telegram_length",
    "translate_error",
]

__getattr__ = _moved_names(
    __name__,
    {
        "TELEGRAM_LIMITS": (
            "gospages._text:TELEGRAM_LIMITS",
            "лимиты площадки — в gospages.describe(Platform.TELEGRAM).limits или "
            "TelegramChannel(...).limits",
        )
    },
)
