"""MAX backend: a body's channel in the national messenger, through the official Bot API.

:class:`MaxChannel` implements :class:`gospages.OfficialPage` on our own httpx transport
(30 requests a second per token, reads retried on HTTP 429/5xx and
``attachment.not.ready``). The token travels in the ``Authorization`` header; the
Минцифры root CA is trusted for the API host only (``ca_file=``).
"""

from ._api import DEFAULT_API_URL, MAX_RETRY_CODES, MaxApi, error_from_max
from ._page import LongText, MaxChannel, TextFormat
from ._receipt import MaxReceipt
from ._tls import CA_DOWNLOAD_URL, max_http_client, max_ssl_context

__all__ = [
    "CA_DOWNLOAD_URL",
    "DEFAULT_API_URL",
    "MAX_RETRY_CODES",
    "LongText",
    "MaxApi",
    "MaxChannel",
    "MaxReceipt",
    "TextFormat",
    "error_from_max",
    "max_http_client",
    "max_ssl_context",
]
