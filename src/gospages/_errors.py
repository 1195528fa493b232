"""Errors raised by gospages.

Every error is a `GospagesError` and means the same thing on every platform.
Each carries the platform, the platform's native error code and the API method, and
never a token or the raw request parameters (platforms echo those back; we drop them).
The message and every text an error keeps from the platform (a captcha's or a check's
URL) go through `gospages.redact`, so a token echoed by a hostile server stays out of
``str``, ``repr`` and the attributes.

    GospagesError
    ├── ValidationError          bad input: ours (a post over the limit) or the platform's (VK 100)
    ├── AuthError                the token is invalid, expired or revoked (VK 5)
    │   └── ValidationRequired   the account must confirm itself in a browser (VK 17)
    ├── PermissionDenied         the token may not do this (VK 7, 15, 203, 210-214 ...)
    │   └── TokenTypeError       wrong kind of token for the method (VK 27), or none given
    ├── RateLimited              too many requests (VK 6, 9, 29); ``retry_after`` in seconds
    ├── CaptchaRequired          VK wants a captcha solved (VK 14); ``sid``, ``image_url``
    ├── NotFound                 the page, post or comment does not exist (VK 104)
    ├── ServerError              the platform failed (VK 10, HTTP 5xx, a body that is not JSON)
    ├── NetworkError             no answer: connection failed or timed out
    ├── OutcomeUnknown           a write's answer was lost and reading back could not tell
    └── PlatformError            any other error the platform returned
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ._models import Platform
from ._secrets import redact, redact_registered, redact_url

__all__ = [
    "AuthError",
    "CaptchaRequired",
    "GospagesError",
    "NetworkError",
    "NotFound",
    "OutcomeUnknown",
    "PermissionDenied",
    "PlatformError",
    "RateLimited",
    "ServerError",
    "TokenTypeError",
    "ValidationError",
    "ValidationRequired",
]

# What parsing an answer of the wrong shape raises in Python: a missing key, a list where
# an object was promised, a string where a number was, a number out of range.
SHAPE_ERRORS: tuple[type[Exception], ...] = (
    LookupError,
    TypeError,
    AttributeError,
    ValueError,
    ArithmeticError,
    OSError,
    RecursionError,
)


class GospagesError(Exception):
    """Base of every error raised by gospages.

    Attributes:
        message: what happened, in Russian, for the person running the script.
        platform: the platform that answered, or ``None`` for a local error.
        code: the platform's native error code, if it gave one.
        method: the API method that was called, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        platform: Platform | None = None,
        code: int | str | None = None,
        method: str | None = None,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.code = code
        self.method = method

    def __str__(self) -> str:
        where = []
        if self.platform is not None:
            where.append(self.platform.label)
        if self.method:
            where.append(self.method)
        if self.code is not None:
            where.append(f"код {self.code}")
        return f"{self.message} [{', '.join(where)}]" if where else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, platform={self.platform!r}, "
            f"code={self.code!r}, method={self.method!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep errors picklable (multiprocessing, task queues) with their keyword fields.
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))


def _url(value: object) -> str | None:
    """A URL the platform gave for a person to open, without secrets (VK's own
    ``session_token`` survives: the person's browser needs it)."""
    return None if value is None else redact_url(str(value))


def _rebuild(cls: type[GospagesError], message: str, state: dict[str, Any]) -> GospagesError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class ValidationError(GospagesError, ValueError):
    """The input is not acceptable: a post over a platform limit, a naive datetime,
    an unknown group, or a parameter the platform rejected (VK 100)."""


class AuthError(GospagesError):
    """The token is invalid, expired or revoked: get a new one."""


class ValidationRequired(AuthError):
    """The account must pass a check in a browser before the token works again (VK 17)."""

    def __init__(self, message: str, *, redirect_uri: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.redirect_uri = _url(redirect_uri)


class PermissionDenied(GospagesError):
    """The token is valid but may not do this (not an admin, comments closed, ...)."""


class TokenTypeError(PermissionDenied):
    """The method needs another kind of token (VK: user, community or service key).

    Raised before any request when no suitable token was configured (``code`` is then
    ``None``), or when the platform refused the token's kind (VK error 27).
    """

    def __init__(self, message: str, *, needed: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.needed = needed


class RateLimited(GospagesError):
    """Too many requests. ``retry_after`` is the wait in seconds the platform asked for,
    or ``None`` when it did not say."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class CaptchaRequired(GospagesError):
    """VK asks for a captcha (error 14).

    Show ``image_url`` to a person and call again with the answer, or pass
    ``captcha_handler=`` to the page so that gospages asks and retries by itself.
    Newer VK answers carry ``redirect_uri`` instead: the person opens it in a browser
    and the handler returns the ``success_token`` it yields.
    """

    def __init__(
        self,
        message: str,
        *,
        sid: str,
        image_url: str | None = None,
        redirect_uri: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.sid = redact_registered(str(sid))
        self.image_url = _url(image_url)
        self.redirect_uri = _url(redirect_uri)


class NotFound(GospagesError, LookupError):
    """The page, post or comment does not exist (or was deleted)."""


class ServerError(GospagesError):
    """The platform failed on its side: internal error, HTTP 5xx or a broken answer."""


class NetworkError(GospagesError):
    """No answer from the platform: the connection failed or timed out.

    For a write this means the outcome is unknown: the platform may have done it.
    """


class OutcomeUnknown(GospagesError):
    """A write was sent, its answer was lost, and reading back could not tell whether the
    platform did it. Look at the page before repeating: the platform has no protection
    against duplicates."""


class PlatformError(GospagesError):
    """Any other error the platform returned; see ``code`` and the message."""


def malformed(platform: Platform, method: str, error: BaseException | None = None) -> ServerError:
    """The `ServerError` for an answer that is not what the platform promised (wrong
    types, missing keys, nulls): it names the platform and the method, not the data."""
    why = f" ({type(error).__name__})" if error is not None else ""
    return ServerError(
        f"{platform.label} вернул ответ не той формы, что обещает API{why}",
        platform=platform,
        method=method,
    )


@contextlib.contextmanager
def answer_shape(platform: Platform, method: str) -> Iterator[None]:
    """Turn a parsing failure inside the block into :func:`malformed`'s `ServerError`.

    Keep ``yield`` of an async generator out of the block: only parsing goes in."""
    try:
        yield
    except GospagesError:
        raise
    except SHAPE_ERRORS as error:
        raise malformed(platform, method, error) from None
