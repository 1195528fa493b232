"""Calling the MAX Bot API: the token header, pacing, retries of reads, typed errors."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from .._clock import Clock
from .._errors import (
    AuthError,
    GospagesError,
    NotFound,
    PermissionDenied,
    PlatformError,
    RateLimited,
    ServerError,
    ValidationError,
)
from .._models import Platform
from .._secrets import redact
from .._transport import RateLimiter, RetryCodes, RetryMode, Transport, limiter_for

__all__ = [
    "DEFAULT_API_URL",
    "MAX_RETRY_CODES",
    "REQUESTS_PER_SECOND",
    "MaxApi",
    "error_from_max",
]

log = logging.getLogger("gospages.max")

DEFAULT_API_URL = "https://platform-api2.max.ru"
"""The Bot API (the older ``platform-api.max.ru`` is refused)."""

REQUESTS_PER_SECOND = 30
"""MAX's published limit for one bot token."""

NOT_READY = "attachment.not.ready"
"""MAX has not finished processing an uploaded file: the message was refused, try again."""

#: ``attachment.not.ready`` refuses a message before it is sent: resent in every mode.
#: HTTP 429 and 5xx (reads only) are the transport's business.
MAX_RETRY_CODES = RetryCodes(
    read=frozenset({NOT_READY}),
    idempotent=frozenset({NOT_READY}),
    unsafe=frozenset({NOT_READY}),
)


def error_from_max(status: int, body: Any, method: str) -> GospagesError:
    """Turn an HTTP status and MAX's ``{"code": ..., "message": ...}`` into a typed error."""
    code = body.get("code") if isinstance(body, Mapping) else None
    code = code if isinstance(code, str) and code else None
    message = body.get("message") if isinstance(body, Mapping) else None
    native = redact(str(message or "")).strip()[:300]
    kw: dict[str, Any] = {"platform": Platform.MAX, "code": code or f"HTTP {status}"}
    kw["method"] = method

    def msg(text: str) -> str:
        return f"{text}: {native}" if native else text

    if code == NOT_READY:
        return ServerError(msg("MAX ещё обрабатывает загруженный файл"), **kw)
    if status == 401 or code == "verify.token":
        return AuthError(msg("Токен бота MAX недействителен или отозван"), **kw)
    if status == 403 or code in ("chat.denied", "access.denied"):
        return PermissionDenied(
            msg("У бота нет прав на это действие в канале MAX (права администратора)"), **kw
        )
    if status == 404 or (code is not None and code.endswith("not.found")):
        return NotFound(msg("Не найдено в MAX"), **kw)
    if status == 429:
        return RateLimited(msg("MAX ограничил частоту запросов"), **kw)
    if status == 400:
        return ValidationError(msg("MAX отклонил параметры запроса"), **kw)
    return PlatformError(msg(f"MAX вернул ошибку (HTTP {status})"), **kw)


class MaxApi:
    """Low-level MAX Bot API caller shared by :class:`gospages.max.MaxChannel`.

    The token goes in the ``Authorization`` header as it is (no ``Bearer``), never in the
    URL. Requests are paced at 30 a second per token (shared by every channel on it);
    reads are retried on HTTP 429/5xx and ``attachment.not.ready``, writes only on
    ``attachment.not.ready`` (MAX refused them before doing anything).
    """

    def __init__(
        self,
        *,
        token: SecretStr,
        transport: Transport,
        api_url: str = DEFAULT_API_URL,
        requests_per_second: int = REQUESTS_PER_SECOND,
        clock: Clock | None = None,
    ) -> None:
        self._token = token
        self.transport = transport
        self.api_url = api_url.rstrip("/")
        self._limiter: RateLimiter = limiter_for(
            "max", token.get_secret_value(), requests_per_second, clock=clock or transport.clock
        )

    def __repr__(self) -> str:
        return f"MaxApi(api_url={self.api_url!r})"

    async def call(
        self,
        verb: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        retry: RetryMode | None = None,
    ) -> Any:
        """``verb path`` with ``params`` in the query and ``json`` as the body; the JSON
        answer. ``retry`` defaults to READ for GET and UNSAFE for the rest."""
        if retry is None:
            retry = RetryMode.READ if verb == "GET" else RetryMode.UNSAFE
        method = f"{verb} {_template(path)}"
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        return await self.transport.run(
            functools.partial(self._once, verb, path, query, json, method),
            retry_if=MAX_RETRY_CODES.predicate(retry),
            method=method,
        )

    async def _once(
        self, verb: str, path: str, query: Mapping[str, str], body: Any, method: str
    ) -> Any:
        await self._limiter.acquire()
        log.debug("max %s", method)
        response = await self.transport.request(
            verb,
            self.api_url + path,
            method=method,
            params=query,
            json=body,
            headers={"Authorization": self._token.get_secret_value()},
        )
        answer = self.transport.json(response, method) if response.content else {}
        if response.status_code >= 400:
            raise error_from_max(response.status_code, answer, method)
        if isinstance(answer, Mapping) and answer.get("success") is False:
            raise error_from_max(400, answer, method)
        return answer

    async def upload(self, url: str, name: str, data: bytes) -> Any:
        """POST a file (multipart field ``data``) to an upload URL MAX handed out.

        The token is not sent there: the URL carries its own authorisation, and the host
        is not the API's."""
        method = "upload"
        response = await self.transport.post(url, method=method, files={"data": (name, data)})
        answer = self.transport.json(response, method)
        if response.status_code >= 400:
            raise error_from_max(response.status_code, answer, method)
        return answer


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _template(path: str) -> str:
    """``/messages/mid.1/comments`` as ``/messages/{id}/comments``: errors and logs name
    the endpoint, not the ids."""
    parts = path.split("/")
    return "/".join(
        "{id}" if i > 1 and (p.lstrip("-").isdigit() or p.startswith("mid") or "." in p) else p
        for i, p in enumerate(parts)
    )
