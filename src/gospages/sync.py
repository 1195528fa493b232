"""Synchronous facade for plain scripts.

The same coroutines as the async API run on one background event loop in a daemon
thread. That loop is shared by every sync page of the process, so connections and rate
limiters are shared too, and it works where a loop is already running in the calling
thread (Jupyter): the call simply waits for the background loop.

::

    from gospages.sync import VKPage

    with VKPage("mycity", service_token="...") as page:
        print(page.profile().name)
        for post in page.posts(since=week_ago):
            print(post.date, post.text[:60])

`VKPage`, `OKPage` and `TelegramChannel` take the same arguments as their async
classes; `SyncPage` wraps any `gospages.OfficialPage` (a backend of your own). Every
method of `OfficialPage` is offered, derived from the interface rather than copied.
`TelegramChannel` needs Telethon and is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._sync import SyncPage, run
from .ok import OKPage as _AsyncOKPage
from .vk import VKPage as _AsyncVKPage

if TYPE_CHECKING:
    from ._sync_telegram import TelegramChannel

__all__ = ["OKPage", "SyncPage", "TelegramChannel", "VKPage", "run"]


class VKPage(SyncPage[_AsyncVKPage]):
    """Blocking `gospages.vk.VKPage`; takes the same arguments."""

    def __init__(self, group: int | str, **kwargs: Any) -> None:
        super().__init__(lambda: _AsyncVKPage(group, **kwargs))


class OKPage(SyncPage[_AsyncOKPage]):
    """Blocking `gospages.ok.OKPage`; takes the same arguments."""

    def __init__(self, group_id: int | str, **kwargs: Any) -> None:
        super().__init__(lambda: _AsyncOKPage(group_id, **kwargs))


def __getattr__(name: str) -> Any:
    # Telethon is optional: the Telegram facade is imported only when asked for.
    if name == "TelegramChannel":
        from ._sync_telegram import TelegramChannel

        return TelegramChannel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
