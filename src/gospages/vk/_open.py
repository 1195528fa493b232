"""Opening a VK page from a registry reference and settings (see `gospages.open_page`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._factory import OpenContext, missing_settings
from .._platforms import Platform
from ._page import VKPage

if TYPE_CHECKING:
    from ..registry import PageRef

__all__ = ["open_page"]


def open_page(ref: PageRef, context: OpenContext) -> VKPage:
    """A `VKPage` with every VK key the settings hold."""
    settings = context.settings
    tokens: dict[str, Any] = {
        "user_token": settings.vk_user_token,
        "community_token": settings.vk_community_token,
        "service_token": settings.vk_service_token,
    }
    if not any(tokens.values()):
        raise missing_settings(Platform.VK, "vk_user_token", "vk_service_token")
    return VKPage(
        ref.page,
        **context.kwargs(
            timeout=settings.timeout, http_client=context.http_client("vk.http"), **tokens
        ),
    )
