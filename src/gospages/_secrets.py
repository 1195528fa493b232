"""Keeping secrets out of logs, reprs, exceptions and reports.

Every token a page is configured with is registered here. `redact` replaces any
registered secret, and anything that looks like a token parameter, with ``***``.
`RedactingFilter` applies it to log records; attach it to your own handlers as a
second line of defence (gospages itself never logs a token or a request body).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from pydantic import SecretStr

__all__ = ["RedactingFilter", "redact", "register_secret"]

_MIN_SECRET_LENGTH = 6
_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None

# access_token=..., "access_token": "...", sig=..., Bearer ...; vk1.a.... tokens anywhere.
_PARAM_RE = re.compile(
    r"(?i)((?:access_token|session_key|session_secret_key|application_secret_key|"
    r"client_secret|secret_key|success_token|sig|token)[\"']?\s*[:=]\s*[\"']?)[^\s&\"',;}]+"
)
_BEARER_RE = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_VK_TOKEN_RE = re.compile(r"vk1\.a\.[A-Za-z0-9._-]+")


def register_secret(secret: SecretStr | str | None) -> None:
    """Remember ``secret`` so that `redact` hides it wherever it appears."""
    global _pattern
    if secret is None:
        return
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if len(value) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def register_secrets(secrets: Iterable[SecretStr | str | None]) -> None:
    for secret in secrets:
        register_secret(secret)


def redact(text: str) -> str:
    """``text`` with every registered secret and token-like parameter replaced by ``***``."""
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub("***", text)
    text = _PARAM_RE.sub(r"\1***", text)
    text = _BEARER_RE.sub(r"\1***", text)
    return _VK_TOKEN_RE.sub("***", text)


class RedactingFilter(logging.Filter):
    """A logging filter that removes secrets from records.

    Attach it to a handler so it sees records of every logger (httpx included)::

        handler.addFilter(gospages.RedactingFilter())
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
