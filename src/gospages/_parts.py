"""A post's text as several messages, for messengers that split a long text (Telegram,
MAX): the text a message gets, where it is cut, how many parts it makes and what is said
when it is refused. Free of any backend: the messenger backends share it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._russian import plural
from ._text import split_text

if TYPE_CHECKING:
    from ._models import Post
    from ._platforms import PostLimits

__all__ = [
    "MAX_PARTS",
    "long_text_problem",
    "message_text",
    "split_post_text",
    "split_sentence",
    "text_parts",
    "too_many_parts",
]

MAX_PARTS = 10
"""How many messages a long text may be split into by default (``max_parts``)."""

_FALLBACK = 4096


def message_text(post: Post) -> str:
    """The text a message gets: the post's text with its links appended (a link already
    in the text is not repeated)."""
    text = post.text.strip()
    for link in post.links:
        url = str(link.url)
        if url not in text:
            text = f"{text}\n\n{url}" if text else url
    return text


def split_post_text(post: Post, limits: PostLimits) -> list[str]:
    """The texts of the messages ``post`` goes out as, in order. With photos the first
    part is their caption (the caption limit, where the platform has one)."""
    text = message_text(post)
    if not text:
        return []
    limit = limits.text or _FALLBACK
    first = (limits.caption or limit) if post.photos else None
    return split_text(text, limit, first_limit=first, utf16=limits.utf16)


def text_parts(post: Post, limits: PostLimits) -> int:
    """How many messages the text of ``post`` goes out as (the photos' caption counted)."""
    return len(split_post_text(post, limits))


def long_text_problem(post: Post, limits: PostLimits, platform: str) -> str | None:
    """Why a text over the limit is refused (``long_text="refuse"``), or ``None``.
    ``platform`` is the platform's name («Telegram»)."""
    text = message_text(post)
    length = limits.length(text)
    limit = limits.text_limit(post)
    if limit is None or length <= limit:
        return None
    caption = bool(post.photos and limits.caption is not None)
    what = "подпись к фото" if caption else "текст сообщения"
    return (
        f"{what} длиннее {limit} символов ({length}); лимит {platform} — {limit} "
        f"символов для {'подписи' if caption else 'сообщения'}. Сократите текст или "
        'создайте канал с long_text="split"'
    )


def too_many_parts(post: Post, limits: PostLimits, max_parts: int, owner: str) -> str | None:
    """Why a text that splits into more than ``max_parts`` messages is refused, or ``None``.
    ``owner`` names the class whose ``max_parts`` it is («TelegramChannel»).

    Checked before anything is sent: a 10 MB text would otherwise go out as thousands of
    messages."""
    length = limits.length(message_text(post))
    text_limit = limits.text or _FALLBACK
    if length <= text_limit:
        return None  # one message (or a caption and one message): nothing to count
    # Each part holds at most text_limit characters: that many parts at least, found
    # without cutting a huge text.
    least = -(-length // text_limit)
    if least > max_parts:
        parts, about = least, "не меньше чем "
    else:
        parts, about = text_parts(post, limits), ""
    if parts <= max_parts:
        return None
    return (
        f"текст разбился бы {about}на {parts} сообщений, а допустимо не больше {max_parts} "
        f"({owner}.max_parts). Сократите текст, опубликуйте его ссылкой или "
        "увеличьте max_parts"
    )


def split_sentence(parts: int, platform: str) -> str:
    """How the text went out, without a full stop: split into ``parts``, or not."""
    if parts > 1:
        return (
            f"Текст длиннее лимита {platform} и разбит на {parts} "
            f"{plural(parts, 'часть', 'части', 'частей')} по границам абзацев и предложений"
        )
    return "Текст не разбивался" if parts else "Без текста"
