"""OK (Одноклассники) backend.

:class:`OKPage` implements :class:`gospages.OfficialPage` for an OK group. Every request
is signed (:func:`sign`), throttled to about one a second, and writes are never resent
blindly: OK has no idempotency key, so a lost answer is read back.
"""

from ._api import DEFAULT_API_URL, OK_RETRY_CODES, OKApi, error_from_ok, sign
from ._page import MSK, OKPage, to_moscow

__all__ = [
    "DEFAULT_API_URL",
    "MSK",
    "OK_RETRY_CODES",
    "OKApi",
    "OKPage",
    "error_from_ok",
    "sign",
    "to_moscow",
]
