"""The receipt of a Telegram publication."""

from __future__ import annotations

from pydantic import Field

from .._models import PublishedPost

__all__ = ["TelegramReceipt"]


class TelegramReceipt(PublishedPost):
    """The receipt of `TelegramChannel.publish`: a `gospages.PublishedPost` that also
    names every message the post went out as.

    A long text, an album or a poll makes several messages; ``post_id`` and ``url`` are
    the first one's.
    """

    message_ids: list[str] = Field(default_factory=list)
    """The ids of the channel's messages of a published post, in order."""
    scheduled_ids: list[str] = Field(default_factory=list)
    """The ids of the scheduled messages of a scheduled post. Telegram numbers scheduled
    messages apart from the channel's history and gives the post its id when it goes out,
    so ``post_id`` is then ``None``."""
