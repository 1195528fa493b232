"""gospages: one typed interface to the official pages of state bodies on VK, OK and Telegram.

The public surface is re-exported here; modules starting with ``_`` are private.
"""

from ._clock import Clock, RealClock, VirtualClock
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
from ._secrets import RedactingFilter, redact
from ._transport import RateLimiter, RetryPolicy
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
    "Operation",
    "OutcomeUnknown",
    "PageProfile",
    "PermissionDenied",
    "Photo",
    "Platform",
    "PlatformError",
    "Poll",
    "Post",
    "PostSummary",
    "PublishStatus",
    "PublishedPost",
    "RateLimited",
    "RateLimiter",
    "RealClock",
    "RedactingFilter",
    "RetryPolicy",
    "ServerError",
    "TokenTypeError",
    "ValidationError",
    "ValidationRequired",
    "Verification",
    "VerificationState",
    "VirtualClock",
    "__version__",
    "redact",
]
