"""Opening a MAX channel from a registry reference and settings (see `gospages.open_page`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._factory import OpenContext, missing_settings
from .._platforms import Platform
from ._page import MaxChannel
from ._tls import max_http_client

if TYPE_CHECKING:
    from ..registry import PageRef

__all__ = ["open_page"]


async def _close(client: Any) -> None:
    await client.aclose()


def open_page(ref: PageRef, context: OpenContext) -> MaxChannel:
    """A `MaxChannel` with the bot's token. The channels of one run share one client
    (one connection pool and one SSL context with the Минцифры CA for the API host)."""
    settings = context.settings
    token = settings.max_token
    if token is None:
        raise missing_settings(Platform.MAX, "max_token", "max_ca_file")
    ca_file = settings.max_ca_file
    given: dict[str, Any] = {"token": token, "timeout": settings.timeout}
    if context.connection is None and context.run:
        given["http_client"] = context.shared(
            "max", lambda: max_http_client(ca_file, timeout=settings.timeout), _close
        )
    elif context.connection is None:
        given["ca_file"] = ca_file
    # The API cannot report the «Госорганизация» mark: the registry's goes as verified=.
    return MaxChannel(ref.page, **context.kwargs(ref=ref, **given))
