"""gospages: one typed interface to the official pages of state bodies on VK, OK and Telegram.

The public surface is re-exported here; modules starting with ``_`` are private.
"""

import warnings as _warnings
from typing import Any as _Any

from ._errors import (
    AuthError,
    CaptchaRequired,
    GospagesError,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    PermissionDenied,
    PlatformError,
    RateLimited,
    ServerError,
    TokenTypeError,
    ValidationError,
    ValidationRequired,
)
from ._factory import OpenContext, PageFactory, open_page
from ._models import (
    Capabilities,
    Comment,
    FeedbackWidget,
    Link,
    Operation,
    PageProfile,
    Photo,
    Platform,
    Poll,
    Post,
    PostSummary,
    PublishedPost,
    PublishStatus,
    Verification,
    VerificationState,
)
from ._page import OfficialPage
from ._platforms import PlatformDescriptor, PlatformKind, PostLimits, describe, official_platforms
from ._secrets import RedactingFilter, redact
from ._settings import Settings
from ._transport import RetryPolicy
from ._version import __version__

__all__ = [
    "AuthError",
    "Capabilities",
    "CaptchaRequired",
    "Comment",
    "FeedbackWidget",
    "GospagesError",
    "Link",
    "NetworkError",
    "NotFound",
    "OfficialPage",
    "OpenContext",
    "Operation",
    "OutcomeUnknown",
    "PageFactory",
    "PageProfile",
    "PermissionDenied",
    "Photo",
    "Platform",
    "PlatformDescriptor",
    "PlatformError",
    "PlatformKind",
    "Poll",
    "Post",
    "PostLimits",
    "PostSummary",
    "PublishStatus",
    "PublishedPost",
    "RateLimited",
    "RedactingFilter",
    "RetryPolicy",
    "ServerError",
    "Settings",
    "TokenTypeError",
    "ValidationError",
    "ValidationRequired",
    "Verification",
    "VerificationState",
    "__version__",
    "describe",
    "official_platforms",
    "open_page",
    "redact",
]


def __getattr__(name: str) -> _Any:
    # RateLimiter was exported, but no page accepts one: pages share one limiter per
    # token by themselves. Still importable for one release.
    if name == "RateLimiter":
        _warnings.warn(
            "gospages.RateLimiter устарело и будет удалено в следующем выпуске: страницы "
            "сами делят один ограничитель на ключ, передать свой нельзя",
            DeprecationWarning,
            stacklevel=2,
        )
        from ._transport import RateLimiter

        return RateLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
