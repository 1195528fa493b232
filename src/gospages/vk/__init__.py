"""VK (ВКонтакте) backend.

`VKPage` implements `gospages.OfficialPage` for a VK community. Which of
the three VK keys each operation needs is in `METHOD_TOKENS`;
`VKPage.capabilities` tells what the keys you passed allow.
"""

from .._deprecation import moved_names as _moved_names
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

__getattr__ = _moved_names(
    __name__,
    {
        "VK_LIMITS": (
            "gospages.vk._page:_VK_LIMITS",
            "лимиты площадки — в gospages.describe(Platform.VK).limits или VKPage(...).limits",
        )
    },
)
