"""Opening an OK group from a registry reference and settings (see `gospages.open_page`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._factory import OpenContext, missing_settings
from .._platforms import Platform
from ._page import OKPage

if TYPE_CHECKING:
    from ..registry import PageRef

__all__ = ["open_page"]


def open_page(ref: PageRef, context: OpenContext) -> OKPage:
    """An `OKPage` with the application's keys and the administrator's token."""
    settings = context.settings
    key = settings.ok_application_key
    secret = settings.ok_application_secret_key
    token = settings.ok_access_token
    if key is None or secret is None or token is None:
        raise missing_settings(
            Platform.OK, "ok_application_key", "ok_application_secret_key", "ok_access_token"
        )
    return OKPage(
        ref.page,
        **context.kwargs(
            application_key=key,
            application_secret_key=secret,
            access_token=token,
            timeout=settings.timeout,
            http_client=context.http_client("ok.http"),
            requests_per_second=settings.ok_requests_per_second,
        ),
    )
