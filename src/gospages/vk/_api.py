"""Calling VK API methods: the right token, bounded retries, typed errors, captcha."""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import SecretStr

from .._errors import (
    AuthError,
    CaptchaRequired,
    GospagesError,
    NetworkError,
    NotFound,
    PermissionDenied,
    PlatformError,
    RateLimited,
    ServerError,
    TokenTypeError,
    ValidationError,
    ValidationRequired,
    malformed,
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

__all__ = [
    "API_VERSION",
    "DEFAULT_API_URL",
    "METHOD_TOKENS",
    "CaptchaHandler",
    "RetryMode",
    "TokenKind",
    "VKApi",
    "VKLimits",
]

log = logging.getLogger("gospages.vk")

DEFAULT_API_URL = "https://api.vk.ru/method"
API_VERSION = "5.199"


class TokenKind(str, Enum):
    """The three kinds of VK access keys."""

    USER = "user"
    COMMUNITY = "community"
    SERVICE = "service"

    @property
    def label(self) -> str:
        return {
            "user": "ключ пользователя (администратора сообщества)",
            "community": "ключ сообщества",
            "service": "сервисный ключ приложения",
        }[self.value]


_U, _C, _S = TokenKind.USER, TokenKind.COMMUNITY, TokenKind.SERVICE

#: Which token kinds each method accepts (VK schema ``access_token_type``), in the order
#: gospages prefers them: reads go through the service key first so as not to spend the
#: user's quota; replies through the community key so they come from the community.
METHOD_TOKENS: dict[str, tuple[TokenKind, ...]] = {
    "groups.getById": (_S, _C, _U),
    "wall.get": (_S, _U),
    "wall.getComments": (_S, _U),
    "wall.getById": (_S, _U),
    "wall.post": (_U,),
    "wall.edit": (_U,),
    "wall.delete": (_U,),
    "wall.deleteComment": (_U,),
    "wall.restoreComment": (_U,),
    "wall.createComment": (_C, _U),
    "wall.closeComments": (_C, _U),
    "wall.openComments": (_C, _U),
    "execute": (_C, _U),
    "photos.getWallUploadServer": (_U,),
    "photos.saveWallPhoto": (_U,),
    "polls.create": (_U,),
    "stats.get": (_U,),
    "groups.ban": (_U,),
    "groups.getBanned": (_U, _C),
}


@dataclass(frozen=True)
class VKLimits:
    """Requests per second allowed for each kind of token (VK: 3, 3 and 20)."""

    user: int = 3
    service: int = 3
    community: int = 20

    def for_kind(self, kind: TokenKind) -> int:
        return int(getattr(self, kind.value))


CaptchaHandler = Callable[[CaptchaRequired], "Awaitable[str] | str"]

#: VK answers 6 (too many requests) before doing anything, 9 is flood control, 10 an
#: internal error. A ``guid`` write is resent on 6 and 10, any other write only on 6.
VK_RETRY_CODES = RetryCodes(
    read=frozenset({6, 9, 10}), idempotent=frozenset({6, 10}), unsafe=frozenset({6})
)


def error_from_vk(error: Mapping[str, Any], method: str) -> GospagesError:
    """Turn VK's ``{"error": {...}}`` into a typed error, without ``request_params``."""
    if not isinstance(error, Mapping):
        return malformed(Platform.VK, method)
    raw_code = error.get("error_code")
    code = raw_code if isinstance(raw_code, int) else None
    native = redact(str(error.get("error_msg") or "")).strip()
    kw: dict[str, Any] = {"platform": Platform.VK, "code": code, "method": method}

    def msg(text: str) -> str:
        return f"{text}: {native}" if native else text

    if code == 5:
        return AuthError(msg("Ключ доступа ВКонтакте недействителен, истёк или отозван"), **kw)
    if code == 17:
        return ValidationRequired(
            msg("ВКонтакте требует подтвердить аккаунт в браузере"),
            redirect_uri=error.get("redirect_uri"),
            **kw,
        )
    if code in (27, 28):
        needed = tuple(k.value for k in METHOD_TOKENS.get(method, ()))
        return TokenTypeError(
            msg(f"Метод {method} недоступен с этим видом ключа"), needed=needed, **kw
        )
    if code == 6:
        return RateLimited(msg("Слишком много запросов в секунду"), retry_after=1.0, **kw)
    if code == 9:
        return RateLimited(msg("Сработал контроль флуда ВКонтакте"), **kw)
    if code == 29:
        return RateLimited(msg("Исчерпана суточная квота метода"), **kw)
    if code in (219, 224):
        return RateLimited(msg("Слишком много рекламных записей"), **kw)
    if code == 14:
        return CaptchaRequired(
            msg("ВКонтакте требует ввести капчу"),
            sid=str(error.get("captcha_sid") or ""),
            image_url=error.get("captcha_img"),
            redirect_uri=error.get("redirect_uri"),
            **kw,
        )
    if code in (7, 15, 30, 203, 210, 211, 212, 213, 214, 222, 225):
        return PermissionDenied(msg("Нет прав на это действие"), **kw)
    if code in (18, 104):
        return NotFound(msg("Не найдено"), **kw)
    if code in (100, 113, 220, 223):
        return ValidationError(msg("ВКонтакте отклонил параметры запроса"), **kw)
    if code in (1, 10):
        return ServerError(msg("Внутренняя ошибка ВКонтакте"), **kw)
    return PlatformError(msg("ВКонтакте вернул ошибку"), **kw)


_TIGHT = (",", ":")
"""JSON separators of an ``execute``'s code: no spaces to percent-encode in every form."""


class VKApi:
    """Low-level VK API caller shared by `gospages.vk.VKPage`.

    Picks the token kind for each method from `METHOD_TOKENS`, sends it in the POST
    body (never the URL), spaces requests with a per-token limiter, retries per
    `RetryMode`, maps errors, and runs the captcha handler (at most
    ``max_captcha_attempts`` times per call).
    """

    def __init__(
        self,
        *,
        tokens: Mapping[TokenKind, SecretStr],
        transport: Transport,
        api_url: str = DEFAULT_API_URL,
        version: str = API_VERSION,
        limits: VKLimits | None = None,
        captcha_handler: CaptchaHandler | None = None,
        max_captcha_attempts: int = 2,
    ) -> None:
        self.tokens = dict(tokens)
        self._kinds: dict[str, tuple[TokenKind, ...]] = {}
        self.transport = transport
        self.api_url = api_url.rstrip("/")
        self.version = version
        self.limits = limits or VKLimits()
        self.captcha_handler = captcha_handler
        self.max_captcha_attempts = max_captcha_attempts
        self._limiters: dict[TokenKind, RateLimiter] = {
            kind: limiter_for(
                "vk",
                token.get_secret_value(),
                self.limits.for_kind(kind),
                clock=transport.clock,
            )
            for kind, token in self.tokens.items()
        }

    def kinds_for(self, method: str) -> tuple[TokenKind, ...]:
        """The configured token kinds that may call ``method``, best first."""
        kinds = self._kinds.get(method)
        if kinds is None:  # asked for every call of a fleet: worked out once per method
            accepted = METHOD_TOKENS.get(method, (_U, _C, _S))
            kinds = self._kinds[method] = tuple(k for k in accepted if k in self.tokens)
        return kinds

    def require(self, method: str) -> TokenKind:
        """The token kind to call ``method`` with, or `TokenTypeError` before any request."""
        kinds = self.kinds_for(method)
        if kinds:
            return kinds[0]
        accepted = METHOD_TOKENS.get(method, ())
        names = " или ".join(k.label for k in accepted)
        raise TokenTypeError(
            f"Для метода {method} нужен {names}; он не передан в VKPage",
            platform=Platform.VK,
            method=method,
            needed=tuple(k.value for k in accepted),
        )

    def _least_busy(self, method: str) -> TokenKind:
        """The configured kind for ``method`` whose key can go soonest (the preferred one
        on a tie): a service key and a user key together read twice as fast."""
        kinds = self.kinds_for(method)
        if len(kinds) < 2:
            return self.require(method)
        return min(kinds, key=lambda k: (self._limiters[k].delay(), kinds.index(k)))

    async def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        retry: RetryMode | None = None,
        token: TokenKind | None = None,
        whole: bool = False,
    ) -> Any:
        """Call ``method`` and return its ``response`` (``whole``: the whole answer object,
        ``execute_errors`` included).

        ``retry`` defaults to `RetryMode.READ` for reading methods (``*.get*``) and
        `RetryMode.UNSAFE` for everything else: a write is never resent unless the
        caller says it is idempotent.
        """
        if retry is None:
            verb = method.rsplit(".", 1)[-1]
            retry = RetryMode.READ if verb.startswith("get") else RetryMode.UNSAFE
        kind = token or self._least_busy(method)
        if kind not in self.tokens:
            raise TokenTypeError(
                f"Для метода {method} нужен {kind.label}; он не передан в VKPage",
                platform=Platform.VK,
                method=method,
                needed=(kind.value,),
            )
        form = {k: form_value(v) for k, v in (params or {}).items() if v is not None}
        captcha: dict[str, str] = {}
        # A write resent after a lost answer (guid) may have been done by the first
        # attempt: when a later attempt is refused (error 6, flood control...), the
        # outcome is unknown, not a failure. The lost answer's error is raised instead, so
        # the page reads back before reporting anything.
        lost: list[GospagesError] = []

        async def attempt_once(form: Mapping[str, str]) -> Any:
            try:
                return await self._once(method, form, kind, whole=whole)
            except (NetworkError, ServerError) as error:
                lost.append(error)
                raise

        for attempt in range(self.max_captcha_attempts + 1):
            try:
                return await self.transport.run(
                    functools.partial(attempt_once, {**form, **captcha}),
                    retry_if=VK_RETRY_CODES.predicate(retry),
                    method=method,
                )
            except GospagesError as error:
                if (
                    retry is not RetryMode.READ
                    and lost
                    and not isinstance(error, (NetworkError, ServerError))
                ):
                    raise lost[0] from error
                if not isinstance(error, CaptchaRequired):
                    raise
                if self.captcha_handler is None or attempt == self.max_captcha_attempts:
                    raise
                answer = self.captcha_handler(error)
                if inspect.isawaitable(answer):
                    answer = await answer
                if error.redirect_uri:
                    captcha = {"success_token": str(answer)}
                else:
                    captcha = {"captcha_sid": error.sid, "captcha_key": str(answer)}
        raise AssertionError("unreachable")  # pragma: no cover

    async def execute_many(self, method: str, calls: list[dict[str, Any]]) -> list[Any]:
        """Run up to 25 calls of a reading ``method`` in one ``execute`` request (user key).

        Returns each call's ``response``, or ``None`` where VK answered ``false`` for it
        (the caller repeats that one alone to get its error; :meth:`execute_calls` gives
        the error instead).
        """
        answers = await self.execute_calls([(method, call) for call in calls])
        return [None if isinstance(a, GospagesError) else a for a in answers]

    async def execute_calls(
        self, calls: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> list[Any | GospagesError]:
        """Run up to 25 reading calls (any methods) in one ``execute`` request (user key).

        Returns, slot by slot, the call's ``response``, or the typed error VK gave for
        that slot: VK answers ``false`` in the slot and lists the error in
        ``execute_errors``, in the order of the failed slots. A ``false`` slot VK gave no
        error for is ``None`` (read it alone). One failed slot never fails the others.
        """
        if not 0 < len(calls) <= 25:
            raise ValueError("execute runs 1 to 25 API calls")
        code = (
            "return ["
            + ",".join(
                f"API.{method}({json.dumps(dict(params), ensure_ascii=False, separators=_TIGHT)})"
                for method, params in calls
            )
            + "];"
        )
        body = await self.call(
            "execute", {"code": code}, token=TokenKind.USER, retry=RetryMode.READ, whole=True
        )
        answers = body.get("response")
        if not isinstance(answers, list) or len(answers) != len(calls):
            raise ServerError(
                "execute вернул неожиданный ответ", platform=Platform.VK, method="execute"
            )
        errors = body.get("execute_errors")
        reasons = iter(errors if isinstance(errors, list) else [])
        out: list[Any | GospagesError] = []
        for (method, _), answer in zip(calls, answers, strict=True):
            if answer is not False:
                out.append(answer)
                continue
            reason = next(reasons, None)
            out.append(
                error_from_vk(reason, str(reason.get("method") or method))
                if isinstance(reason, Mapping)
                else None
            )
        return out

    async def _once(
        self, method: str, form: Mapping[str, str], kind: TokenKind, *, whole: bool = False
    ) -> Any:
        data = {
            **form,
            "v": self.version,
            "access_token": self.tokens[kind].get_secret_value(),
        }
        log.debug("vk %s (%s)", method, kind.value)
        async with self._limiters[kind].sending() as sent:
            response = await self.transport.post(
                f"{self.api_url}/{method}", method=method, data=data, on_send=sent
            )
        body = self.transport.json(response, method)
        if not isinstance(body, dict):
            raise malformed(Platform.VK, method)
        if "error" in body:
            raise error_from_vk(body["error"], method)
        if "response" not in body:
            raise ServerError(
                "ВКонтакте вернул ответ без поля response", platform=Platform.VK, method=method
            )
        return body if whole else body["response"]

    async def upload(self, url: str, *, field: str, filename: str, data: bytes) -> Any:
        """POST a file to a VK upload server; returns the parsed JSON answer."""
        method = "upload"
        # The upload URL is single-use and carries no token of ours; not retried blindly.
        response = await self.transport.post(url, method=method, files={field: (filename, data)})
        body = self.transport.json(response, method)
        if not isinstance(body, dict):
            raise malformed(Platform.VK, method)
        if "error" in body:
            err = body["error"]
            if isinstance(err, Mapping):
                raise error_from_vk(err, method)
            raise ValidationError(
                f"Сервер загрузки ВКонтакте отклонил файл {filename}: {redact(str(err))}",
                platform=Platform.VK,
                method=method,
            )
        return body
