"""gospages: one typed interface to the official pages of state bodies on VK, OK and Telegram.

The public surface is re-exported here; modules starting with ``_`` are private.
"""

from ._clock import Clock, RealClock, VirtualClock
from ._deprecation import moved_names as _moved_names
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
from ._page import OfficialPage, PageReading
from ._platforms import PlatformDescriptor, PlatformKind, PostLimits, describe, official_platforms
from ._secrets import RedactingFilter, redact
from ._settings import Settings
from ._transport import RetryPolicy
from ._version import __version__

__all__ = [
    "AuthError",
    "Capabilities",
    "CaptchaRequired",
    "Clock",
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
    "PageReading",
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
    "RealClock",
    "RedactingFilter",
    "RetryPolicy",
    "ServerError",
    "Settings",
    "TokenTypeError",
    "ValidationError",
    "ValidationRequired",
    "Verification",
    "VerificationState",
    "VirtualClock",
    "__version__",
    "describe",
    "official_platforms",
    "open_page",
    "redact",
]

# RateLimiter was exported, but no page accepts one: pages share one limiter per token.
__getattr__ = _moved_names(
    __name__,
    {
        "RateLimiter": (
            "gospages._transport:RateLimiter",
            "страницы сами делят один ограничитель на ключ, передать свой нельзя",
        )
    },
)
