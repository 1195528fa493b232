"""Building the Telethon objects the fake Telegram answers with."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from telethon.tl import types

from ._model import FakeTelegramChat, FakeTelegramMessage

__all__: list[str] = []


class _TelethonObjects:
    """Turns the fake's chats and messages into ``types.Channel``, ``types.Message`` ..."""

    chats: dict[int, FakeTelegramChat]
    _pts: Iterator[int]

    def _input(self, chat: FakeTelegramChat) -> Any:
        return types.InputChannel(channel_id=chat.id, access_hash=chat.access_hash)

    def _input_peer(self, chat: FakeTelegramChat) -> Any:
        return types.InputPeerChannel(channel_id=chat.id, access_hash=chat.access_hash)

    def _channel_obj(self, chat: FakeTelegramChat) -> Any:
        rights = (
            types.ChatAdminRights(
                change_info=True,
                post_messages=True,
                edit_messages=True,
                delete_messages=True,
                ban_users=True,
                invite_users=True,
                pin_messages=True,
            )
            if chat.admin
            else None
        )
        return types.Channel(
            id=chat.id,
            title=chat.title,
            photo=(
                types.ChatPhoto(photo_id=chat.id * 13, dc_id=2)
                if chat.photo
                else types.ChatPhotoEmpty()
            ),
            date=datetime(2022, 12, 1, tzinfo=timezone.utc),
            broadcast=chat.broadcast or None,
            megagroup=(not chat.broadcast) or None,
            verified=chat.verified or None,
            scam=chat.scam or None,
            fake=chat.fake or None,
            has_link=chat.linked is not None or None,
            access_hash=chat.access_hash,
            username=chat.username,
            admin_rights=rights,
        )

    def _message_obj(self, chat: FakeTelegramChat, message: FakeTelegramMessage) -> Any:
        peer = types.PeerChannel(channel_id=chat.id)
        if message.action is not None:
            return types.MessageService(
                id=message.id,
                peer_id=peer,
                date=message.date,
                action=message.action,
                post=True,
                out=chat.admin or None,
            )
        from_id: Any = None
        if message.from_peer is not None:
            kind, ident = message.from_peer
            from_id = (
                types.PeerUser(user_id=ident)
                if kind == "user"
                else types.PeerChannel(channel_id=ident)
            )
        reply_header = None
        if message.reply_to is not None:
            reply_header = types.MessageReplyHeader(
                reply_to_msg_id=message.reply_to,
                reply_to_top_id=(
                    message.top_id
                    if message.top_id is not None and message.top_id != message.reply_to
                    else None
                ),
            )
        fwd_from = None
        if message.forwarded_post is not None and chat.linked is not None:
            fwd_from = types.MessageFwdHeader(
                date=message.date,
                from_id=types.PeerChannel(channel_id=chat.linked),
                channel_post=message.forwarded_post,
                saved_from_peer=types.PeerChannel(channel_id=chat.linked),
                saved_from_msg_id=message.forwarded_post,
            )
        replies = None
        if chat.broadcast and not message.scheduled and chat.linked is not None:
            replies = self._replies(chat, message)
        reactions = None
        if message.reactions:
            reactions = types.MessageReactions(
                results=[
                    types.ReactionCount(
                        reaction=types.ReactionEmoji(emoticon="👍"), count=message.reactions
                    )
                ]
            )
        return types.Message(
            id=message.id,
            peer_id=peer,
            date=message.date,
            message=message.text,
            out=(chat.broadcast and chat.admin) or None,
            post=chat.broadcast or None,
            from_scheduled=message.scheduled or None,
            pinned=message.pinned or None,
            from_id=from_id,
            fwd_from=fwd_from,
            reply_to=reply_header,
            media=message.media,
            views=message.views,
            forwards=message.forwards,
            replies=replies,
            grouped_id=message.grouped_id,
            reactions=reactions,
        )

    def _replies(self, channel: FakeTelegramChat, post: FakeTelegramMessage) -> Any:
        group = self.chats.get(channel.linked or 0)
        if group is None:
            return None
        top = next((m for m in group.messages if m.forwarded_post == post.id), None)
        if top is None:
            return None  # posted before the group was linked, or a later photo of an album
        comments = [m for m in group.messages if m.top_id == top.id]
        repliers: list[Any] = []
        for comment in reversed(comments):
            if comment.from_peer is None or len(repliers) == 3:
                continue
            kind, ident = comment.from_peer
            peer = (
                types.PeerUser(user_id=ident)
                if kind == "user"
                else types.PeerChannel(channel_id=ident)
            )
            if peer not in repliers:
                repliers.append(peer)
        return types.MessageReplies(
            replies=len(comments),
            replies_pts=next(self._pts),
            comments=True,
            recent_repliers=repliers or None,
            channel_id=group.id,
            max_id=comments[-1].id if comments else None,
        )
