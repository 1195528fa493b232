"""The real `TelegramAPI`: a Telethon ``TelegramClient`` with a ``StringSession``."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from pydantic import SecretStr
from telethon import TelegramClient, functions
from telethon.sessions import StringSession

from .._errors import AuthError, ValidationError
from .._models import Platform
from .._secrets import register_secret
from .._version import __version__

__all__ = [
    "DEFAULT_FLOOD_SLEEP_THRESHOLD",
    "DEFAULT_REQUEST_RETRIES",
    "TelethonClient",
    "connect",
]

DEFAULT_REQUEST_RETRIES = 3
"""How many times Telethon repeats a request after a Telegram internal error or a short
flood wait. The only retry layer: gospages adds none on top."""

DEFAULT_FLOOD_SLEEP_THRESHOLD = 60
"""Flood waits up to this many seconds are slept through by Telethon; longer ones are
raised, and `TelegramChannel` turns them into `gospages.RateLimited`."""


class TelethonClient:
    """`TelegramAPI` over a Telethon ``TelegramClient``.

    The client connects on the first call, in the event loop that makes it (a Telethon
    client must stay in the loop it connected in), and checks there that the session is
    authorised. Build it with `connect`, or wrap a ``TelegramClient`` of your own (then
    configure its ``request_retries`` and ``flood_sleep_threshold`` yourself, and pass
    ``raise_last_call_error=True`` so that the last Telegram error is raised rather than
    a bare ``ValueError``).
    """

    def __init__(self, client: TelegramClient) -> None:
        self._client = client
        self._lock: asyncio.Lock | None = None
        self._ready = False

    def __repr__(self) -> str:
        return f"TelethonClient(api_id={self._client.api_id!r}, session=StringSession(***))"

    @property
    def client(self) -> TelegramClient:
        """The underlying ``TelegramClient``, for calls gospages does not wrap."""
        return self._client

    async def _connected(self) -> TelegramClient:
        if self._ready and self._client.is_connected():
            return self._client
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if not self._client.is_connected():
                await self._client.connect()
            if not self._ready:
                if not await self._client.is_user_authorized():
                    await self._client.disconnect()
                    raise AuthError(
                        "Сессия Telegram не авторизована: создайте строку сессии заново "
                        "(см. раздел «Telegram» документации)",
                        platform=Platform.TELEGRAM,
                    )
                self._ready = True
        return self._client

    async def get_entity(self, entity: str | int) -> Any:
        client = await self._connected()
        return await client.get_entity(entity)

    async def get_full_channel(self, channel: Any) -> Any:
        client = await self._connected()
        return await client(functions.channels.GetFullChannelRequest(channel))

    async def iter_messages(
        self,
        entity: Any,
        *,
        limit: int | None = None,
        offset_date: datetime | None = None,
        reply_to: int | None = None,
        reverse: bool = False,
        scheduled: bool = False,
    ) -> AsyncIterator[Any]:
        client = await self._connected()
        async for message in client.iter_messages(
            entity,
            limit=limit,
            offset_date=offset_date,
            reply_to=reply_to,
            reverse=reverse,
            scheduled=scheduled,
        ):
            yield message

    async def send_message(
        self,
        entity: Any,
        text: str,
        *,
        reply_to: int | None = None,
        send_as: Any | None = None,
        schedule: datetime | None = None,
    ) -> Any:
        client = await self._connected()
        return await client.send_message(
            entity,
            text,
            parse_mode=None,
            reply_to=reply_to,
            send_as=send_as,
            schedule=schedule,
        )

    async def send_photos(
        self,
        entity: Any,
        photos: Sequence[tuple[str, bytes]],
        *,
        caption: str = "",
        schedule: datetime | None = None,
    ) -> list[Any]:
        client = await self._connected()
        files = [_named_file(name, data) for name, data in photos]
        # One photo goes as a plain media message: an "album" of one is refused.
        sent = await client.send_file(
            entity,
            files[0] if len(files) == 1 else files,
            caption=caption,
            parse_mode=None,
            schedule=schedule,
        )
        messages = list(sent) if isinstance(sent, list) else [sent]
        return sorted(messages, key=lambda m: int(m.id))

    async def send_poll(self, entity: Any, poll: Any, *, schedule: datetime | None = None) -> Any:
        client = await self._connected()
        return await client.send_file(entity, poll, schedule=schedule)

    async def delete_messages(self, entity: Any, ids: Sequence[int]) -> list[Any]:
        client = await self._connected()
        return list(await client.delete_messages(entity, list(ids)))

    async def disconnect(self) -> None:
        self._ready = False
        if self._client.is_connected():
            await self._client.disconnect()


def _named_file(name: str, data: bytes) -> io.BytesIO:
    # Telethon tells a photo from a document by the file name's extension.
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def connect(
    api_id: int | str,
    api_hash: SecretStr | str,
    session: SecretStr | str,
    *,
    request_retries: int = DEFAULT_REQUEST_RETRIES,
    flood_sleep_threshold: int = DEFAULT_FLOOD_SLEEP_THRESHOLD,
    timeout: int = 10,
    **client_kwargs: Any,
) -> TelethonClient:
    """A `TelethonClient` for ``TelegramChannel(..., client=connect(...))``.

    Builds ``TelegramClient(StringSession(session), api_id, api_hash, ...)`` with
    ``request_retries`` and ``flood_sleep_threshold`` set, the last Telegram error raised
    as itself, and no update handling (gospages only makes requests). Nothing is sent
    yet: the client connects on the first call, in the loop that makes it.

    Args:
        api_id: the application's id from my.telegram.org.
        api_hash: the application's hash from my.telegram.org.
        session: a ``StringSession`` string of an authorised account (see the docs).
            Use one session per process: two clients on one session disconnect each other.
        request_retries: Telethon's own retries after internal errors and short flood waits.
        flood_sleep_threshold: flood waits up to this many seconds are slept through;
            longer ones raise `gospages.RateLimited`.
        timeout: seconds to wait for a connection.
        client_kwargs: more ``TelegramClient`` arguments (``proxy=``, ``connection=`` ...).

    The session string and the hash are registered with `gospages.redact`, and appear
    in no repr, message or log line of gospages.
    """
    hash_secret = api_hash if isinstance(api_hash, SecretStr) else SecretStr(api_hash)
    session_secret = session if isinstance(session, SecretStr) else SecretStr(session)
    register_secret(hash_secret)
    register_secret(session_secret)
    try:
        app_id = int(api_id)
    except (TypeError, ValueError):
        raise ValidationError(
            "connect: api_id — это число с my.telegram.org", platform=Platform.TELEGRAM
        ) from None
    if not hash_secret.get_secret_value().strip():
        raise ValidationError("connect: пустой api_hash", platform=Platform.TELEGRAM)
    raw_session = session_secret.get_secret_value().strip()
    if not raw_session:
        raise ValidationError(
            "connect: пустая строка сессии; как её получить — в разделе «Telegram» документации",
            platform=Platform.TELEGRAM,
        )
    try:
        string_session = StringSession(raw_session)
    except Exception:  # ValueError, binascii.Error, struct.error: never echo the string
        raise ValidationError(
            "connect: строка сессии повреждена: это не строка StringSession Telethon",
            platform=Platform.TELEGRAM,
        ) from None
    if request_retries < 0 or flood_sleep_threshold < 0:
        raise ValidationError(
            "connect: request_retries и flood_sleep_threshold не могут быть отрицательными",
            platform=Platform.TELEGRAM,
        )
    client_kwargs.setdefault("device_model", "gospages")
    client_kwargs.setdefault("app_version", __version__)
    client = TelegramClient(
        string_session,
        app_id,
        hash_secret.get_secret_value(),
        request_retries=request_retries,
        flood_sleep_threshold=flood_sleep_threshold,
        timeout=timeout,
        raise_last_call_error=True,
        receive_updates=False,
        **client_kwargs,
    )
    return TelethonClient(client)
