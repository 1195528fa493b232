"""A stateful fake of Telegram behind `gospages.telegram.TelegramAPI` (needs Telethon).

``_model``: chats, messages, recorded calls, limits, Telegram's errors; ``_objects``: the
Telethon objects it answers with; ``_fake``: `FakeTelegram` itself (state for tests, the
protocol, the client's retry and flood-wait behaviour).
"""

from ._fake import FakeTelegram
from ._model import FakeTelegramChat, FakeTelegramMessage, TelegramCall

__all__ = ["FakeTelegram", "FakeTelegramChat", "FakeTelegramMessage", "TelegramCall"]
