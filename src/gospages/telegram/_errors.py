"""Telethon errors as `gospages.GospagesError` subclasses, and the wrappers that translate
them around a call or an iteration."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from telethon import errors

from .._errors import (
    AuthError,
    GospagesError,
    NetworkError,
    NotFound,
    PermissionDenied,
    PlatformError,
    RateLimited,
    ServerError,
    ValidationError,
)
from .._models import Platform
from .._secrets import redact

__all__ = ["translate_error"]

# Telethon error class -> (our error class, what to tell the person). Checked in order:
# the specific classes first, then the bases that catch whole HTTP-like families.
_ERRORS: tuple[tuple[type[BaseException], type[GospagesError], str], ...] = (
    (errors.FloodWaitError, RateLimited, "Telegram просит подождать {seconds} с (flood wait)"),
    (errors.FloodPremiumWaitError, RateLimited, "Telegram просит подождать {seconds} с"),
    (errors.SlowModeWaitError, RateLimited, "В чате медленный режим: подождите {seconds} с"),
    (
        errors.ChatAdminRequiredError,
        PermissionDenied,
        "Нужны права администратора канала или группы обсуждений",
    ),
    (errors.ChatWriteForbiddenError, PermissionDenied, "Этому аккаунту нельзя писать в этот чат"),
    (
        errors.MessageDeleteForbiddenError,
        PermissionDenied,
        "Нет права удалять сообщения: нужен администратор группы с правом «удаление сообщений»",
    ),
    (
        errors.SendAsPeerInvalidError,
        PermissionDenied,
        "Нельзя писать от имени канала: аккаунт не администратор канала",
    ),
    (errors.UserBannedInChannelError, PermissionDenied, "Аккаунт заблокирован в этом чате"),
    (
        errors.ChannelPrivateError,
        NotFound,
        "Канал закрыт для этого аккаунта, аккаунт в нём заблокирован, или канала нет",
    ),
    (errors.UsernameNotOccupiedError, NotFound, "Канала с таким именем нет"),
    (errors.UsernameInvalidError, NotFound, "Канала с таким именем нет"),
    (errors.ChannelInvalidError, NotFound, "Канал не найден"),
    (errors.MessageIdInvalidError, NotFound, "Сообщение не найдено (удалено или чужое)"),
    (errors.MsgIdInvalidError, NotFound, "Сообщение не найдено (удалено или без обсуждения)"),
    (
        errors.AuthKeyUnregisteredError,
        AuthError,
        "Сессия Telegram не авторизована или удалена: создайте строку сессии заново",
    ),
    (
        errors.SessionRevokedError,
        AuthError,
        "Сессия Telegram отозвана (завершены все сеансы): создайте строку сессии заново",
    ),
    (errors.UnauthorizedError, AuthError, "Telegram не принял сессию"),
    (errors.AuthKeyError, AuthError, "Telegram не принял ключ сессии"),
    (errors.MessageTooLongError, ValidationError, "Текст длиннее 4096 символов"),
    (errors.MediaCaptionTooLongError, ValidationError, "Подпись к фото длиннее 1024 символов"),
    (errors.MessageEmptyError, ValidationError, "Пустое сообщение"),
    (errors.MultiMediaTooLongError, ValidationError, "В альбоме больше 10 фото"),
    (
        errors.ScheduleDateTooLateError,
        ValidationError,
        "Отложить публикацию можно не больше чем на год",
    ),
    (errors.ScheduleDateInvalidError, ValidationError, "Неверное время отложенной публикации"),
    (errors.ScheduleTooMuchError, ValidationError, "В канале уже 100 отложенных сообщений"),
    (
        errors.BroadcastPublicVotersForbiddenError,
        ValidationError,
        "В каналах опросы только анонимные",
    ),
    (errors.ForbiddenError, PermissionDenied, "Telegram запретил это действие"),
    (errors.FloodError, RateLimited, "Слишком много запросов к Telegram"),
    (errors.ServerError, ServerError, "Сбой на стороне Telegram"),
    (errors.TimedOutError, ServerError, "Telegram не ответил вовремя"),
    (errors.BadRequestError, ValidationError, "Telegram отклонил запрос"),
)


_NATIVE_NAMES: dict[type[BaseException], str] = {}


def _native_name(cls: type[BaseException]) -> str | None:
    """Telegram's own name of a Telethon error class (``CHAT_ADMIN_REQUIRED``)."""
    if not _NATIVE_NAMES:  # built on the first error, not at import
        for name, known in errors.rpcerrorlist.rpc_errors_dict.items():
            _NATIVE_NAMES.setdefault(known, str(name))
        for pattern, known in errors.rpcerrorlist.rpc_errors_re:
            _NATIVE_NAMES.setdefault(known, str(pattern).split("_(", 1)[0])
    return _NATIVE_NAMES.get(cls)


def translate_error(error: BaseException, method: str) -> GospagesError:
    """The `gospages.GospagesError` for a Telethon (or network) error."""
    platform = Platform.TELEGRAM
    if isinstance(error, GospagesError):
        return error
    if isinstance(error, (ConnectionError, TimeoutError, asyncio.TimeoutError, OSError)):
        return NetworkError(
            f"Нет ответа от Telegram ({type(error).__name__}): соединение прервано или "
            "истекло время ожидания",
            platform=platform,
            method=method,
        )
    if not isinstance(error, errors.RPCError):
        return PlatformError(
            f"Ошибка клиента Telegram: {redact(str(error))}", platform=platform, method=method
        )
    request = getattr(error, "request", None)
    if request is not None:
        method = type(request).__name__
    code: str | int | None = _native_name(type(error)) or error.message or error.code
    seconds = getattr(error, "seconds", None)
    for cls, ours, text in _ERRORS:
        if isinstance(error, cls):
            message = text.format(seconds=seconds)
            if ours is RateLimited:
                return RateLimited(
                    message,
                    retry_after=float(seconds) if seconds is not None else None,
                    platform=platform,
                    code=code,
                    method=method,
                )
            return ours(message, platform=platform, code=code, method=method)
    status = abs(int(error.code or 0))
    if status >= 500:
        return ServerError("Сбой на стороне Telegram", platform=platform, code=code, method=method)
    return PlatformError(
        f"Telegram вернул ошибку: {redact(str(error))}", platform=platform, code=code, method=method
    )


_T = TypeVar("_T")


async def _call(method: str, make: Callable[[], Awaitable[_T]]) -> _T:
    try:
        return await make()
    except GospagesError:
        raise
    except Exception as error:
        raise translate_error(error, method) from None


async def _iterate(method: str, iterator: AsyncIterator[Any]) -> AsyncIterator[Any]:
    while True:
        try:
            item = await iterator.__anext__()
        except StopAsyncIteration:
            return
        except GospagesError:
            raise
        except Exception as error:
            raise translate_error(error, method) from None
        yield item
