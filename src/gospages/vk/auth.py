"""Getting VK keys, with the help of the ``vk_api`` package (``pip install gospages[vk-auth]``).

gospages calls the API through its own transport; ``vk_api`` is used only for what it
already does well: its permission enum, its login flow with a two-factor prompt, and
sessions that a script may already have.

* `user_authorization_url` builds the OAuth link an administrator opens to give a
  user key with the rights gospages needs (`RECOMMENDED_SCOPE`);
* `token_from_vk_api` adopts the key of an existing ``vk_api.VkApi`` session;
* `login` runs ``vk_api``'s login flow (with a 2FA prompt) and keeps nothing on disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from pydantic import SecretStr

from .._errors import AuthError, ValidationError
from .._models import Platform
from .._secrets import redact, register_secret
from ._api import API_VERSION

__all__ = [
    "RECOMMENDED_SCOPE",
    "login",
    "recommended_scope",
    "token_from_vk_api",
    "user_authorization_url",
]

OAUTH_URL = "https://oauth.vk.ru/authorize"
BLANK_REDIRECT = "https://oauth.vk.ru/blank.html"

_RECOMMENDED = ("WALL", "PHOTOS", "GROUPS", "STATS", "OFFLINE")
RECOMMENDED_SCOPE = _RECOMMENDED
"""Names of the ``vk_api.VkUserPermissions`` rights gospages needs for a user key:
the wall (publish, delete comments), photos (upload), groups, statistics, offline access."""


def _vk_api() -> Any:
    try:
        import vk_api
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "Для этой функции нужен пакет vk_api: pip install 'gospages[vk-auth]'"
        ) from None
    return vk_api


def recommended_scope() -> int:
    """The bit mask of `RECOMMENDED_SCOPE`, computed from ``vk_api``'s enum."""
    perms = _vk_api().VkUserPermissions
    mask = 0
    for name in _RECOMMENDED:
        mask |= int(perms[name])
    return mask


def _scope_mask(scope: int | Iterable[Any] | None) -> int:
    if scope is None:
        return recommended_scope()
    if isinstance(scope, int):
        return scope
    perms = _vk_api().VkUserPermissions
    mask = 0
    for item in scope:
        mask |= int(perms[item] if isinstance(item, str) else item)
    return mask


def user_authorization_url(
    app_id: int,
    *,
    scope: int | Iterable[Any] | None = None,
    redirect_uri: str = BLANK_REDIRECT,
    api_version: str = API_VERSION,
    state: str | None = None,
) -> str:
    """The link an administrator of the community opens to grant a user key.

    Args:
        app_id: your VK application id (a "standalone" application).
        scope: ``vk_api.VkUserPermissions`` members, their names, or a bit mask;
            `RECOMMENDED_SCOPE` by default.
        redirect_uri: where VK sends the key; the blank page shows it in the address bar.

    After consent the browser lands on ``redirect_uri#access_token=...``: copy the key
    from there into your secret store (never into code or a log).
    """
    if app_id <= 0:
        raise ValidationError("user_authorization_url: app_id должен быть положительным числом")
    query = {
        "client_id": app_id,
        "display": "page",
        "redirect_uri": redirect_uri,
        "scope": _scope_mask(scope),
        "response_type": "token",
        "v": api_version,
    }
    if state:
        query["state"] = state
    return f"{OAUTH_URL}?{urlencode(query)}"


def token_from_vk_api(session: Any) -> SecretStr:
    """The key of an authorised ``vk_api.VkApi`` session, as a `SecretStr`.

    >>> page = VKPage("mycity", user_token=token_from_vk_api(vk_session))  # doctest: +SKIP
    """
    token = getattr(session, "token", None)
    value = token.get("access_token") if isinstance(token, dict) else None
    if not value:
        raise AuthError(
            "В сессии vk_api нет ключа: сначала вызовите vk_session.auth()",
            platform=Platform.VK,
        )
    secret = SecretStr(str(value))
    register_secret(secret)
    return secret


def login(
    login: str,
    password: SecretStr | str,
    *,
    two_factor: Callable[[], str] | None = None,
    app_id: int | None = None,
    scope: int | Iterable[Any] | None = None,
) -> SecretStr:
    """Log in with ``vk_api``'s flow and return the user key.

    ``two_factor`` is asked for the confirmation code when the account has 2FA
    (``input`` is a fine choice in a terminal). Nothing is written to disk: ``vk_api``
    gets an in-memory config instead of its ``vk_config.v2.json``.
    """
    vk_api = _vk_api()
    from jconfig.memory import MemoryConfig

    secret = password if isinstance(password, SecretStr) else SecretStr(password)
    register_secret(secret)

    def auth_handler() -> tuple[str, bool]:
        if two_factor is None:
            raise AuthError("Аккаунт требует код 2FA: передайте two_factor=input")
        return two_factor(), False

    kwargs: dict[str, Any] = {"scope": _scope_mask(scope)}
    if app_id is not None:
        kwargs["app_id"] = app_id
    session = vk_api.VkApi(
        login,
        secret.get_secret_value(),
        auth_handler=auth_handler,
        config=MemoryConfig,
        **kwargs,
    )
    try:
        session.auth(token_only=True)
    except vk_api.exceptions.AuthError as exc:
        raise AuthError(
            f"Вход во ВКонтакте не удался: {redact(str(exc))}", platform=Platform.VK
        ) from None
    return token_from_vk_api(session)
