"""The receipt of a MAX publication."""

from __future__ import annotations

from pydantic import Field

from .._models import PublishedPost

__all__ = ["MaxReceipt"]


class MaxReceipt(PublishedPost):
    """The receipt of `MaxChannel.publish`: a `gospages.PublishedPost` that also names
    every message the post went out as.

    A text over MAX's 4,000 characters goes out as several messages (``long_text="split"``);
    ``post_id`` and ``url`` are the first one's, the one with the photos.
    """

    message_ids: list[str] = Field(default_factory=list)
    """The ids (``mid``) of the channel's messages of the post, in order."""
