"""Parsing VK objects: what the user gave as a community, and the posts, comments,
profile and mark VK returns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from .._errors import ValidationError
from .._models import (
    Comment,
    FeedbackWidget,
    PageProfile,
    Platform,
    PostSummary,
    Verification,
    VerificationState,
)

__all__: list[str] = []

_POS_HINTS = (
    "pos.gosuslugi.ru",
    "gosuslugi.ru/pos",
    "сообщить о проблеме",
    "высказать мнение",
    "решаем вместе",
)


_GOV_TRUST_MARK = 3


_SCREEN_NAME_RE = re.compile(r"^[A-Za-z0-9_.]{2,64}$")


_NUMERIC_REF_RE = re.compile(r"^(?:club|public|event)?-?(\d+)$")


def _parse_group(group: int | str) -> tuple[int | None, str]:
    """``(numeric id or None, screen name or id as text)`` from what the user gave."""
    if isinstance(group, bool):
        raise ValidationError("VKPage: group должен быть id или коротким именем сообщества")
    if isinstance(group, int):
        if group == 0:
            raise ValidationError("VKPage: id сообщества не может быть 0")
        return abs(group), str(abs(group))
    ref = group.strip()
    ref = re.sub(r"^(?:https?://)?(?:m\.)?vk\.(?:com|ru)/", "", ref).strip("/")
    match = _NUMERIC_REF_RE.match(ref)
    if match:
        return int(match.group(1)), match.group(1)
    if not _SCREEN_NAME_RE.match(ref):
        raise ValidationError(
            f"VKPage: «{group}» не похоже на id, короткое имя или адрес сообщества ВКонтакте"
        )
    return None, ref


def _ts(value: Any) -> datetime | None:
    if isinstance(value, (int, float)) and value > 0:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return None


def _post_url(gid: int, post_id: str) -> str:
    return f"https://vk.com/wall-{gid}_{post_id}"


def _post_from(item: Mapping[str, Any], gid: int) -> PostSummary:
    def count(key: str) -> int | None:
        value = item.get(key)
        return int(value.get("count", 0)) if isinstance(value, Mapping) else None

    post_id = str(item["id"])
    return PostSummary(
        platform=Platform.VK,
        page=str(gid),
        id=post_id,
        date=_ts(item.get("date")) or datetime.fromtimestamp(0, tz=timezone.utc),
        text=item.get("text") or "",
        url=_post_url(gid, post_id),
        views=count("views"),
        likes=count("likes"),
        reposts=count("reposts"),
        comments_count=count("comments"),
        is_pinned=bool(item.get("is_pinned")),
        attachments=[a.get("type", "") for a in item.get("attachments") or []],
    )


def _comment_from(
    item: Mapping[str, Any], gid: int, post_id: str, *, thread_id: str | None
) -> Comment:
    parents = item.get("parents_stack") or []
    parent = item.get("reply_to_comment") or (parents[-1] if parents else None)
    if parent is None and thread_id is not None:
        parent = thread_id
    from_id = item.get("from_id")
    return Comment(
        platform=Platform.VK,
        page=str(gid),
        id=str(item["id"]),
        post_id=str(item.get("post_id") or post_id),
        author_id=str(from_id) if from_id is not None else None,
        date=_ts(item.get("date")),
        text=item.get("text") or "",
        parent_id=str(parent) if parent is not None else None,
        thread_id=thread_id,
        deleted=bool(item.get("deleted")),
        from_page=from_id == -gid,
    )


def _profile_from(group: Mapping[str, Any]) -> PageProfile:
    gid = int(group["id"])
    contacts = group.get("contacts") or []
    phones = [str(c["phone"]).strip() for c in contacts if c.get("phone")]
    emails = [str(c["email"]).strip() for c in contacts if c.get("email")]
    addresses: list[str] = []
    addr = group.get("addresses")
    if isinstance(addr, Mapping) and addr.get("is_enabled"):
        main = addr.get("main_address")
        if isinstance(main, Mapping):
            text = main.get("address") or main.get("title")
            if text:
                addresses.append(str(text))
        elif isinstance(main, str) and main:
            addresses.append(main)
    cover = group.get("cover") or {}
    images = cover.get("images") or [] if cover.get("enabled") else []
    cover_url = max(images, key=lambda i: i.get("width", 0)).get("url") if images else None
    wall = group.get("wall")
    screen_name = group.get("screen_name")
    known = {
        "id",
        "name",
        "screen_name",
        "description",
        "status",
        "contacts",
        "site",
        "photo_200",
        "cover",
        "members_count",
        "wall",
        "is_closed",
        "deactivated",
        "addresses",
    }
    return PageProfile(
        platform=Platform.VK,
        id=str(gid),
        name=group.get("name") or "",
        screen_name=screen_name,
        url=f"https://vk.com/{screen_name or f'club{gid}'}",
        description=group.get("description") or "",
        status=group.get("status") or None,
        emails=emails,
        phones=phones,
        addresses=addresses,
        site=group.get("site") or None,
        avatar_url=group.get("photo_200") or None,
        cover_url=cover_url,
        members_count=group.get("members_count"),
        comments_open=None if wall is None else wall in (1, 2),
        wall_open=None if wall is None else wall == 1,
        is_closed=None if group.get("is_closed") is None else bool(group.get("is_closed")),
        deactivated=group.get("deactivated"),
        feedback_widgets=_feedback_widgets(group),
        extras={k: v for k, v in group.items() if k not in known},
    )


def _feedback_widgets(group: Mapping[str, Any]) -> list[FeedbackWidget] | None:
    if "menu" not in group and "app_buttons" not in group:
        return None
    found: list[FeedbackWidget] = []
    menu = group.get("menu") or {}
    for item in menu.get("items") or []:
        title = str(item.get("title") or "")
        url = str(item.get("url") or "")
        if any(h in f"{title} {url}".casefold() for h in _POS_HINTS):
            found.append(FeedbackWidget(title=title, url=url or None, kind=item.get("type")))
    for button in group.get("app_buttons") or []:
        title = str(button.get("title") or "")
        if any(h in title.casefold() for h in _POS_HINTS):
            found.append(FeedbackWidget(title=title, kind="app_button"))
    return found


def _verification_from(group: Mapping[str, Any]) -> Verification:
    marks = {
        key: group[key]
        for key in ("is_government_organization", "trust_mark", "verified")
        if key in group
    }
    page = str(group["id"])
    if "is_government_organization" in group:
        confirmed = bool(group["is_government_organization"])
        return Verification(
            platform=Platform.VK,
            page=page,
            state=VerificationState.CONFIRMED if confirmed else VerificationState.NOT_CONFIRMED,
            marks=marks,
            explanation="по полю is_government_organization (недокументированное поле VK)",
        )
    if "trust_mark" in group:
        confirmed = group["trust_mark"] == _GOV_TRUST_MARK
        return Verification(
            platform=Platform.VK,
            page=page,
            state=VerificationState.CONFIRMED if confirmed else VerificationState.NOT_CONFIRMED,
            marks=marks,
            explanation=(
                f"по полю trust_mark={group['trust_mark']} (недокументированное поле VK; "
                f"{_GOV_TRUST_MARK} — подтверждено)"
            ),
        )
    return Verification(
        platform=Platform.VK,
        page=page,
        state=VerificationState.UNKNOWN,
        marks=marks,
        explanation=(
            "VK не вернул полей госметки этому ключу; галочка verified — другой знак "
            "(верификация сообщества), по ней отметку «Госорганизация» не определить"
        ),
    )
