"""OK (Одноклассники) backend.

:class:`OKPage` implements :class:`gospages.OfficialPage` for an OK group. Every request
is signed, throttled to about one a second, and writes are never resent blindly: OK has
no idempotency key, so a lost answer is read back.
"""

import warnings as _warnings
from typing import Any as _Any

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
_DEPRECATED = {
    "MSK": "часовой пояс Москвы: используйте zoneinfo.ZoneInfo('Europe/Moscow')",
    "sign": "подпись запросов — внутренняя деталь OKApi, она подписывает каждый запрос сама",
}


def __getattr__(name: str) -> _Any:
    if name in _DEPRECATED:
        _warnings.warn(
            f"gospages.ok.{name} устарело и будет удалено в следующем выпуске: {_DEPRECATED[name]}",
            DeprecationWarning,
            stacklevel=2,
        )
        if name == "MSK":
            from ._page import MSK

            return MSK
        from ._api import sign

        return sign
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
