"""Keeping secrets out of logs, reprs, exceptions and reports.

Every token a page is configured with is registered here. `redact` replaces any
registered secret, and anything that looks like a token parameter, with ``***``.
`RedactingFilter` applies it to log records; attach it to your own handlers as a
second line of defence (gospages itself never logs a token or a request body).

A platform, or a server pretending to be one, can echo a token back: in an error
message, a URL, a response header. So the errors of gospages redact what they keep
(`gospages.GospagesError`), and once a secret is registered every log record of the
``httpx``, ``httpcore`` and ``gospages`` loggers, and of any logger under them (httpcore
logs response headers at DEBUG from ``httpcore.http11``), is redacted when it is created,
whatever handler receives it.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from pydantic import SecretStr

__all__ = ["RedactingFilter", "install_log_redaction", "redact", "register_secret"]

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


#: Loggers whose records are redacted once a secret is registered (children included).
GUARDED_LOGGERS = ("httpx", "httpcore", "gospages")
_factory_installed = False


def register_secret(secret: SecretStr | str | None) -> None:
    """Remember ``secret`` so that `redact` hides it wherever it appears, and make sure
    the logs of httpx, httpcore and gospages are redacted (`install_log_redaction`)."""
    global _pattern
    if secret is None:
        return
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if len(value) < _MIN_SECRET_LENGTH:
        return
    install_log_redaction()
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact_registered(text: str) -> str:
    """``text`` with registered secrets and VK tokens replaced by ``***``, and nothing
    else: for URLs a person must open (VK's captcha ``redirect_uri`` carries a
    ``session_token`` of its own that must survive)."""
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub("***", text)
    return _VK_TOKEN_RE.sub("***", text)


def redact_url(text: str) -> str:
    """A URL the platform gave for a person to open (a captcha, an account check), with
    registered secrets and token parameters replaced by ``***`` except VK's own
    ``session_token``, which the person's browser needs."""

    def hide(match: re.Match[str]) -> str:
        start = match.start()
        if match.string[max(0, start - 8) : start].lower() == "session_":
            return match.group(0)
        return match.group(1) + "***"

    return _BEARER_RE.sub(r"\1***", _PARAM_RE.sub(hide, redact_registered(text)))


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


def _guarded(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in GUARDED_LOGGERS)


def install_log_redaction() -> None:
    """Redact every log record of the `GUARDED_LOGGERS` and the loggers under them.

    A `RedactingFilter` on a logger sees only that logger's own records, not its
    children's, and httpcore logs from ``httpcore.http11``, ``httpcore.connection`` and
    others created on demand; so the redaction runs where records are made (the logging
    module's record factory, the previous factory kept and called first). Idempotent;
    gospages calls it when the first secret is registered.
    """
    global _factory_installed
    with _lock:
        if _factory_installed:
            return
        previous = logging.getLogRecordFactory()
        redacting = RedactingFilter()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _guarded(record.name):
                redacting.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True
