"""Calling OK (Odnoklassniki) API methods: signing, throttling, retries, typed errors."""

from __future__ import annotations

import functools
import hashlib
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
    TokenTypeError,
    ValidationError,
)
from .._models import Platform
from .._secrets import redact
from .._transport import (
    RateLimiter,
    RetryCodes,
    RetryMode,
    Transport,
    form_value,
    limiter_for,
)

__all__ = ["DEFAULT_API_URL", "OK_RETRY_CODES", "OKApi", "error_from_ok", "sign"]

log = logging.getLogger("gospages.ok")

DEFAULT_API_URL = "https://api.ok.ru/fb.do"

#: 2 SERVICE and 5000 INVALID_RESPONSE are transient; 8 FLOOD_BLOCKED, 9 IP_BLOCKED and
#: 11 LIMIT_REACHED ask to back off. OK has no idempotency key, so a write is resent only
#: after 8 (refused before it was done); after 2 or 5000 its outcome is unknown.
OK_RETRY_CODES = RetryCodes(
    read=frozenset({2, 5000, 8, 9, 11}),
    idempotent=frozenset({2, 5000, 8, 9, 11}),
    unsafe=frozenset({8}),
)


def sign(params: Mapping[str, str], access_token: str, application_secret_key: str) -> str:
    """The ``sig`` of an OK request.

    ``secret = md5(access_token + application_secret_key)``; the parameters other than
    ``access_token`` and ``session_key``, empty ones dropped, sorted by key and joined as
    ``key=value`` with no separator (raw values), then ``sig = md5(joined + secret)``.
    """
    secret = hashlib.md5((access_token + application_secret_key).encode()).hexdigest()  # noqa: S324 (OK's protocol)
    joined = "".join(
        f"{key}={value}"
        for key, value in sorted(params.items())
        if key not in ("access_token", "session_key", "sig") and value != ""
    )
    return hashlib.md5((joined + secret).encode()).hexdigest()  # noqa: S324 (OK's protocol)


def error_from_ok(error: Mapping[str, Any], method: str) -> GospagesError:
    """Turn OK's ``{"error_code": ..., "error_msg": ...}`` into a typed error."""
    raw_code = error.get("error_code")
    code = raw_code if isinstance(raw_code, int) else None
    native = redact(str(error.get("error_msg") or "")).strip()
    kw: dict[str, Any] = {"platform": Platform.OK, "code": code, "method": method}

    def msg(text: str) -> str:
        return f"{text}: {native}" if native else text

    if code in (102, 103):
        return AuthError(msg("Ключ доступа Одноклассников недействителен или истёк"), **kw)
    if code in (101, 104):
        return AuthError(msg("Одноклассники отклонили ключ приложения или подпись"), **kw)
    if code in (8, 9):
        return RateLimited(msg("Одноклассники ограничили частоту запросов"), **kw)
    if code == 11:
        return RateLimited(msg("Достигнут лимит Одноклассников"), **kw)
    if code == 200:
        return TokenTypeError(
            msg("У приложения или ключа нет нужного права (например, GROUP_CONTENT)"), **kw
        )
    if code in (7, 10, 50, 456):
        return PermissionDenied(msg("Нет прав на это действие в Одноклассниках"), **kw)
    if code in (160, 300, 700):
        return NotFound(msg("Не найдено"), **kw)
    if code in (100, 454) or (code is not None and (500 <= code <= 514 or 600 <= code <= 607)):
        return ValidationError(msg("Одноклассники отклонили параметры запроса"), **kw)
    if code in (1, 2, 5000, 9999):
        return ServerError(msg("Ошибка на стороне Одноклассников"), **kw)
    return PlatformError(msg("Одноклассники вернули ошибку"), **kw)


class OKApi:
    """Low-level OK API caller shared by :class:`gospages.ok.OKPage`.

    Signs every request, sends the parameters in the POST body, throttles itself
    (OK publishes no limits; about one request a second is the norm), retries per
    :class:`gospages.vk.RetryMode` with :data:`OK_RETRY_CODES`, and maps errors.
    """

    def __init__(
        self,
        *,
        application_key: str,
        application_secret_key: SecretStr,
        access_token: SecretStr,
        transport: Transport,
        api_url: str = DEFAULT_API_URL,
        requests_per_second: float = 1.0,
    ) -> None:
        self.application_key = application_key
        self._secret_key = application_secret_key
        self._token = access_token
        self.transport = transport
        self.api_url = api_url
        self._limiter: RateLimiter = _limiter(access_token, requests_per_second, transport.clock)

    def signed(self, method: str, params: Mapping[str, Any]) -> dict[str, str]:
        """The full, signed form of a call (with the token: never log it)."""
        form = {k: form_value(v) for k, v in params.items() if v is not None}
        form.update({"method": method, "application_key": self.application_key, "format": "json"})
        token = self._token.get_secret_value()
        form["sig"] = sign(form, token, self._secret_key.get_secret_value())
        form["access_token"] = token
        return form

    async def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        retry: RetryMode | None = None,
    ) -> Any:
        """Call ``method`` and return its answer (an object, a list or a bare string).

        ``retry`` defaults to :attr:`RetryMode.READ` for ``*.get*`` methods and to
        :attr:`RetryMode.UNSAFE` for writes.
        """
        if retry is None:
            verb = method.rsplit(".", 1)[-1]
            retry = RetryMode.READ if verb.startswith("get") else RetryMode.UNSAFE
        return await self.transport.run(
            functools.partial(self._once, method, dict(params or {})),
            retry_if=OK_RETRY_CODES.predicate(retry),
            method=method,
        )

    async def _once(self, method: str, params: Mapping[str, Any]) -> Any:
        data = self.signed(method, params)
        log.debug("ok %s", method)
        async with self._limiter.sending() as sent:
            response = await self.transport.post(
                self.api_url, method=method, data=data, on_send=sent
            )
        body = self.transport.json(response, method)
        if isinstance(body, dict) and "error_code" in body:
            raise error_from_ok(body, method)
        return body

    async def upload(self, url: str, files: Mapping[str, tuple[str, bytes]]) -> Any:
        """POST photos to an OK upload URL; returns the parsed JSON answer."""
        method = "upload"
        response = await self.transport.post(url, method=method, files=files)
        body = self.transport.json(response, method)
        if isinstance(body, dict) and "error_code" in body:
            raise error_from_ok(body, method)
        return body


def _limiter(token: SecretStr, per_second: float, clock: Clock) -> RateLimiter:
    if per_second <= 0:
        raise ValidationError("OKPage: requests_per_second должен быть больше нуля")
    if per_second >= 1:
        return limiter_for("ok", token.get_secret_value(), int(per_second), clock=clock)
    # Slower than once a second: one request per 1/per_second seconds.
    return limiter_for("ok", token.get_secret_value(), 1, period=1 / per_second, clock=clock)
