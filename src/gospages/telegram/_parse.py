"""Parsing Telethon objects: what the user gave as a channel, and the posts, comments,
profile and marks Telegram returns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from telethon import utils
from telethon.tl import types

from .._errors import ValidationError
from .._models import (
    Comment,
    PageProfile,
    Platform,
    PostSummary,
    Verification,
    VerificationState,
)

__all__: list[str] = []

_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def _parse_channel(channel: int | str) -> tuple[str | int, str]:
    """``(what get_entity takes, the page id as text)`` from what the user gave."""
    if isinstance(channel, bool):
        raise ValidationError("TelegramChannel: channel — имя канала (@name) или его id")
    if isinstance(channel, int):
        marked = channel if channel < 0 else utils.get_peer_id(types.PeerChannel(channel))
        return marked, str(marked)
    ref = channel.strip()
    ref = re.sub(r"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?", "", ref)
    ref = ref.strip("/").lstrip("@")
    if re.fullmatch(r"-?\d+", ref):
        return _parse_channel(int(ref))
    if not _USERNAME_RE.match(ref):
        raise ValidationError(
            f"TelegramChannel: «{channel}» не похоже на имя канала Telegram (@name), "
            "ссылку t.me/name или id канала"
        )
    return ref, ref


def _message_id(value: str | int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0:
        raise ValidationError(
            f"«{value}» — не номер сообщения Telegram", platform=Platform.TELEGRAM
        )
    return number


def _page_of(channel: Any) -> str:
    """The page id on receipts, posts and comments: the username, else the marked id."""
    return str(channel.username or utils.get_peer_id(types.PeerChannel(channel.id)))


def _post_url(channel: Any, message_id: str) -> str:
    if channel.username:
        return f"https://t.me/{channel.username}/{message_id}"
    return f"https://t.me/c/{channel.id}/{message_id}"


def _media_kind(media: Any) -> str | None:
    if media is None:
        return None
    if isinstance(media, types.MessageMediaPhoto):
        return "photo"
    if isinstance(media, types.MessageMediaPoll):
        return "poll"
    if isinstance(media, types.MessageMediaWebPage):
        return "link"
    if isinstance(media, types.MessageMediaDocument):
        return "document"
    name = type(media).__name__
    return name.removeprefix("MessageMedia").lower() or None


def _reactions(message: Any) -> int | None:
    reactions = message.reactions
    if not isinstance(reactions, types.MessageReactions):
        return None
    return sum(int(r.count) for r in reactions.results)


def _post_from(album: Sequence[Any], channel: Any) -> PostSummary:
    """One post from a message, or from the messages of one album (same ``grouped_id``)."""
    ordered = sorted(album, key=lambda m: int(m.id))
    first = ordered[0]
    text = next((m.message for m in ordered if m.message), "")
    replies = [m.replies for m in ordered if isinstance(m.replies, types.MessageReplies)]
    views = [int(m.views) for m in ordered if m.views is not None]
    forwards = [int(m.forwards) for m in ordered if m.forwards is not None]
    likes = [n for n in (_reactions(m) for m in ordered) if n is not None]
    kinds = [k for k in (_media_kind(m.media) for m in ordered) if k]
    message_id = str(first.id)
    return PostSummary(
        platform=Platform.TELEGRAM,
        page=_page_of(channel),
        id=message_id,
        date=first.date,
        text=text,
        url=_post_url(channel, message_id),
        views=max(views) if views else None,
        likes=max(likes) if likes else None,
        reposts=max(forwards) if forwards else None,
        comments_count=max(int(r.replies) for r in replies) if replies else None,
        is_pinned=any(bool(m.pinned) for m in ordered),
        attachments=kinds,
        message_ids=[str(m.id) for m in ordered],
    )


def _comment_from(
    message: Any, page: str, post_id: str, channel: Any, roots: dict[int, int]
) -> Comment:
    """A comment from a message of the discussion group's thread of a post.

    A comment answering the post replies to the thread's top message (the group's copy
    of the post) and carries no ``reply_to_top_id``; an answer to a comment replies to
    that comment and carries the top id as ``reply_to_top_id``.
    """
    header = message.reply_to
    parent: int | None = None
    if (
        isinstance(header, types.MessageReplyHeader)
        and header.reply_to_top_id
        and header.reply_to_msg_id
        and header.reply_to_msg_id != header.reply_to_top_id
    ):
        parent = int(header.reply_to_msg_id)
    thread = roots.get(parent, parent) if parent is not None else None
    roots[int(message.id)] = thread if thread is not None else int(message.id)
    sender = message.from_id
    from_page = isinstance(sender, types.PeerChannel) and sender.channel_id == channel.id
    return Comment(
        platform=Platform.TELEGRAM,
        page=page,
        id=str(message.id),
        post_id=post_id,
        author_id=str(utils.get_peer_id(sender)) if sender is not None else None,
        date=message.date,
        text=message.message or "",
        parent_id=str(parent) if parent is not None else None,
        thread_id=str(thread) if thread is not None else None,
        from_page=from_page,
    )


def _profile_from(channel: Any, full: Any, group: Any) -> PageProfile:
    username = channel.username
    marked = utils.get_peer_id(types.PeerChannel(channel.id))
    has_photo = isinstance(channel.photo, types.ChatPhoto) or isinstance(
        full.chat_photo, types.Photo
    )
    members = full.participants_count
    if members is None:
        members = channel.participants_count
    extras: dict[str, Any] = {
        "channel_id": marked,
        "has_photo": has_photo,
        "verified": bool(channel.verified),
        "scam": bool(channel.scam),
        "fake": bool(channel.fake),
        "linked_chat_id": (
            utils.get_peer_id(types.PeerChannel(full.linked_chat_id))
            if full.linked_chat_id
            else None
        ),
        "linked_chat_title": group.title if group is not None else None,
        "linked_chat_username": group.username if group is not None else None,
        "admins_count": full.admins_count,
        "pinned_msg_id": full.pinned_msg_id,
    }
    return PageProfile(
        platform=Platform.TELEGRAM,
        id=str(marked),
        name=channel.title or "",
        screen_name=username,
        url=f"https://t.me/{username}" if username else None,
        description=full.about or "",
        avatar_url=None,
        members_count=members,
        comments_open=full.linked_chat_id is not None,
        wall_open=False,
        is_closed=not username,
        feedback_widgets=None,
        extras=extras,
    )


def _verification_from(channel: Any) -> Verification:
    marks = {
        "verified": bool(channel.verified),
        "scam": bool(channel.scam),
        "fake": bool(channel.fake),
    }
    page = _page_of(channel)
    not_gov_mark = (
        "Отметки «Госорганизация» (подтверждения через Госуслуги) в Telegram нет: она есть "
        "во ВКонтакте и Одноклассниках, а Telegram не входит в перечень 2523-р. "
    )
    if marks["scam"] or marks["fake"]:
        label = "SCAM (мошенничество)" if marks["scam"] else "FAKE (выдаёт себя за другого)"
        return Verification(
            platform=Platform.TELEGRAM,
            page=page,
            state=VerificationState.NOT_CONFIRMED,
            marks=marks,
            explanation=(
                f"Telegram пометил канал как {label}: подписчики видят предупреждение. "
                + not_gov_mark
            ),
        )
    tick = (
        "Галочка верификации у канала есть, но это собственная проверка Telegram, а не госметка."
        if marks["verified"]
        else "Галочки верификации (собственной проверки Telegram, не госметки) у канала нет."
    )
    return Verification(
        platform=Platform.TELEGRAM,
        page=page,
        state=VerificationState.UNKNOWN,
        marks=marks,
        explanation=not_gov_mark + tick,
    )
