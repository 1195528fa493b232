"""Text lengths as the platforms count them, and cutting text into messages.

Free of Telethon on purpose: post checks use it without the Telegram extra.
"""

from __future__ import annotations

import re

__all__ = ["TELEGRAM_LIMITS", "split_text", "telegram_length"]

TELEGRAM_LIMITS = {
    "text": 4096,
    "caption": 1024,
    "album": 10,
    "polls": 1,
    "poll_question": 255,
    "poll_answer": 100,
    "photo_bytes": 10 * 1024 * 1024,
    "schedule_days": 365,
}
"""Limits of Telegram checked before any request. Lengths count UTF-16 code units, as
Telegram does (an emoji may count as two)."""


def telegram_length(text: str) -> int:
    """The length of ``text`` as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


# Where a text may be cut, best first. A match is the whitespace dropped at the cut.
_BOUNDARIES = (
    re.compile(r"\n[ \t]*\n\s*"),  # between paragraphs
    re.compile(r"\n\s*"),  # between lines
    re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"»”)]))\s+"),  # after a sentence
    re.compile(r"(?<=[;:,])\s+"),  # after a clause
    re.compile(r"\s+"),  # between words
)


def _prefix_within(text: str, limit: int, utf16: bool = True) -> int:
    """The number of characters of ``text`` that fit in ``limit`` UTF-16 units (characters
    when not ``utf16``)."""
    if not utf16:
        return min(len(text), limit)
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def split_text(
    text: str, limit: int, *, first_limit: int | None = None, utf16: bool = True
) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` UTF-16 units (``first_limit`` for the
    first part), each ending on a paragraph, else a line, a sentence, a clause or a word,
    and only as a last resort in the middle of a word. With ``utf16=False`` the limits
    count characters (MAX) instead of UTF-16 units (Telegram).

    A boundary is used only past the first quarter of a part, so that parts stay
    reasonably full. Whitespace at the cuts is dropped (Telegram trims it).
    """
    if limit < 2 or (first_limit is not None and first_limit < 2):
        # A character outside the BMP takes two UTF-16 units: a smaller part cannot hold it.
        raise ValueError("split_text: limit must be at least 2 UTF-16 units")
    parts: list[str] = []
    rest = text.strip()
    while rest:
        size = first_limit if first_limit is not None and not parts else limit
        if (telegram_length(rest) if utf16 else len(rest)) <= size:
            parts.append(rest)
            break
        window = _prefix_within(rest, size, utf16)
        cut = end = window
        for boundary in _BOUNDARIES:
            found = [m for m in boundary.finditer(rest, 0, window + 1) if m.start() > window // 4]
            if found:
                cut, end = found[-1].start(), found[-1].end()
                break
        part = rest[:cut].rstrip()
        if not part:  # nothing fits before the first boundary: cut hard
            part, end = rest[:window], window
        parts.append(part)
        rest = rest[end:].lstrip()
    return parts
