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
from ._page import VK_LIMITS, VKPage

__all__ = [
    "API_VERSION",
    "DEFAULT_API_URL",
    "METHOD_TOKENS",
    "VK_LIMITS",
    "CaptchaHandler",
    "RetryMode",
    "TokenKind",
    "VKApi",
    "VKLimits",
    "VKPage",
]
