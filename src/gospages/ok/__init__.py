"""OK (Одноклассники) backend.

:class:`OKPage` implements :class:`gospages.OfficialPage` for an OK group. Every request
is signed, throttled to about one a second, and writes are never resent blindly: OK has
no idempotency key, so a lost answer is read back.
"""

from .._deprecation import moved_names as _moved_names
from ._api import DEFAULT_API_URL, OK_RETRY_CODES, OKApi, error_from_ok
from ._page import OKPage, to_moscow

__all__ = [
    "DEFAULT_API_URL",
    "OK_RETRY_CODES",
    "OKApi",
    "OKPage",
    "error_from_ok",
    "to_moscow",
]

# Implementation details that used to be exported: still importable for one release.
__getattr__ = _moved_names(
    __name__,
    {
        "MSK": (
            "gospages.ok._page:MSK",
            "часовой пояс Москвы: используйте zoneinfo.ZoneInfo('Europe/Moscow')",
        ),
        "sign": (
            "gospages.ok._api:sign",
            "подпись запросов — внутренняя деталь OKApi, она подписывает каждый запрос сама",
        ),
    },
)
