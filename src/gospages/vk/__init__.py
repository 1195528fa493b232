"""VK (ВКонтакте) backend.

`VKPage` implements `gospages.OfficialPage` for a VK community. Which of
the three VK keys each operation needs is in `METHOD_TOKENS`;
`VKPage.capabilities` tells what the keys you passed allow.
"""

from ._api import (
    API_VERSION,
    DEFAULT_API_URL,
    METHOD_TOKENS,
    CaptchaHandler,
    RetryMode,
    TokenKind,
    VKApi,
    VKLimits,
)
from ._page import VKPage

__all__ = [
    "API_VERSION",
    "DEFAULT_API_URL",
    "METHOD_TOKENS",
    "CaptchaHandler",
    "RetryMode",
    "TokenKind",
    "VKApi",
    "VKLimits",
    "VKPage",
]


def __getattr__(name: str) -> object:
    if name == "VK_LIMITS":  # deprecated: the limits live in the platform descriptor
        from . import _page

        return _page.__getattr__(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
