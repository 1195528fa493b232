"""Paging through VK walls and comments: the requests one page's read and a fleet's
batched read (:mod:`gospages.vk._fleet`) both send."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .._errors import answer_shape
from .._models import Platform, PostSummary
from .._page import in_window
from ._parse import _count, _is_undated, _items, _post_from

__all__ = ["GROUP_FIELDS", "PAGE_SIZE", "THREAD_PREVIEW", "comments_params"]

GROUP_FIELDS = (
    "screen_name,is_closed,type,deactivated,verified,photo_200,description,status,activity,"
    "site,members_count,contacts,links,addresses,cover,wall,can_post,is_admin,admin_level,"
    "fixed_post,main_section,is_government_organization,trust_mark,menu,app_buttons"
)

PAGE_SIZE = 100
THREAD_PREVIEW = 10


def comments_params(gid: int, post_id: str, offset: int) -> dict[str, Any]:
    """``wall.getComments`` of one post's top level from ``offset``, threads previewed."""
    return {
        "owner_id": -gid,
        "post_id": post_id,
        "offset": offset,
        "count": PAGE_SIZE,
        "sort": "asc",
        "preview_length": 0,
        "thread_items_count": THREAD_PREVIEW,
    }


class _Wall:
    """Paging through one community's wall newest first (``wall.get``), as requests to
    send and answers to take, so that one page's read and a fleet's batched read
    (:mod:`gospages.vk._fleet`) page the same way.

    VK lists the pinned post first whatever its date; it is held back and given in its
    place by date, so the order is newest first as promised. Paging stops once past
    ``since`` (an undated post says nothing of where the window ends).
    """

    def __init__(self, gid: int, since: datetime | None, until: datetime | None) -> None:
        self.gid, self.since, self.until = gid, since, until
        self.offset = 0
        self.done = False
        self._seen: set[str] = set()
        self._pinned: PostSummary | None = None

    def params(self) -> dict[str, Any] | None:
        """The next ``wall.get`` to send, ``None`` when the window is read."""
        if self.done:
            return None
        return {
            "owner_id": -self.gid,
            "offset": self.offset,
            "count": PAGE_SIZE,
            "filter": "owner",
        }

    def feed(self, page: Any) -> list[PostSummary]:
        """The posts of the window in ``page`` (the answer to :meth:`params`), in order."""
        with answer_shape(Platform.VK, "wall.get"):
            items, _ = _items(page)
            total = _count(page, "count")
        out: list[PostSummary] = []
        since, until, gid, seen = self.since, self.until, self.gid, self._seen
        # (one block for the loop: nothing but _post_from in it raises)
        with answer_shape(Platform.VK, "wall.get"):
            for item in items:
                # Parsed one by one: the posts past the window's start are never built.
                post = _post_from(item, gid)
                if post is None or post.id in seen:  # offsets shift when a post appears
                    continue
                seen.add(post.id)
                if not in_window(post.date, since, until):
                    if (
                        since is not None
                        and post.date < since
                        and not post.is_pinned
                        and not _is_undated(post)
                    ):
                        self._finish(out)
                        return out
                    continue
                if post.is_pinned:
                    self._pinned = post
                    continue
                if self._pinned is not None and self._pinned.date >= post.date:
                    out.append(self._pinned)
                    self._pinned = None
                out.append(post)
        self.offset += len(items)
        if not items or self.offset >= total:
            self._finish(out)
        return out

    def _finish(self, out: list[PostSummary]) -> None:
        if self._pinned is not None:
            out.append(self._pinned)
            self._pinned = None
        self.done = True
