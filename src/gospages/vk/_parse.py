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
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        return None
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):  # a date VK could not have meant
        return None


def _items(page: Any) -> tuple[list[Mapping[str, Any]], Any]:
    """``(the objects among page["items"], the page)``: a page that is not an object
    or items that are not a list are a wrong shape (TypeError); non-objects are dropped."""
    if not isinstance(page, Mapping):
        raise TypeError("not an object")
    items = page.get("items") or []
    if not isinstance(items, list):
        raise TypeError("items is not a list")
    return [i for i in items if isinstance(i, (dict, Mapping))], page


def _count(page: Mapping[str, Any], *keys: str) -> int:
    """The first of ``keys`` that holds a count (0 when none does)."""
    for key in keys:
        value = page.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value:
            return value
    return 0


def _has_id(item: Mapping[str, Any]) -> bool:
    value = item.get("id")
    return isinstance(value, (int, str)) and not isinstance(value, bool) and str(value) != ""


def _post_url(gid: int, post_id: str) -> str:
    return f"https://vk.com/wall-{gid}_{post_id}"


_UNDATED = datetime.fromtimestamp(0, tz=timezone.utc)
"""The date of a post VK gave without one (see :func:`_is_undated`)."""


def _is_undated(post: PostSummary) -> bool:
    return post.date == _UNDATED


def _attachment_kinds(item: Mapping[str, Any]) -> list[str]:
    found = item.get("attachments")
    if not isinstance(found, list):
        return []
    return [str(a.get("type") or "") for a in found if isinstance(a, (dict, Mapping))]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _counter(item: Mapping[str, Any], key: str) -> int | None:
    """``item[key]["count"]`` when it is a whole number (``{"count": ...}`` objects of a
    post: views, likes, reposts, comments); ``None`` when VK gave none."""
    value = item.get(key)
    if not isinstance(value, (dict, Mapping)):
        return None
    number = value.get("count", 0)
    return number if type(number) is int else None


_VK = Platform.VK  # (an enum member looked up once: Platform.VK costs a descriptor call)


def _post_from(item: Mapping[str, Any], gid: int) -> PostSummary | None:
    """A post from a ``wall.get`` item; ``None`` for an item that is no post: one
    without an id, or the placeholder of a deleted post (``is_deleted``)."""
    # (isinstance(x, dict) first: JSON gives dicts, and checking a Mapping is slow)
    if not isinstance(item, (dict, Mapping)) or not _has_id(item) or item.get("is_deleted"):
        return None
    post_id = str(item["id"])
    text = _text(item.get("text"))
    attachments = _attachment_kinds(item) if "attachments" in item else []
    # A repost carries the original in copy_history: its text and attachments are the
    # content people see.
    history = item.get("copy_history")
    if isinstance(history, list):
        for original in history:
            if not isinstance(original, Mapping):
                continue
            quoted = _text(original.get("text")).strip()
            if quoted:
                text = f"{text}\n\n{quoted}" if text.strip() else quoted
            attachments.extend(_attachment_kinds(original))
    return PostSummary(
        platform=_VK,
        page=str(gid),
        id=post_id,
        date=_ts(item.get("date")) or _UNDATED,
        text=text,
        url=f"https://vk.com/wall-{gid}_{post_id}",
        views=_counter(item, "views"),
        likes=_counter(item, "likes"),
        reposts=_counter(item, "reposts"),
        comments_count=_counter(item, "comments"),
        is_pinned=bool(item.get("is_pinned")),
        attachments=attachments,
    )


def _comment_from(
    item: Mapping[str, Any], gid: int, post_id: str, *, thread_id: str | None
) -> Comment:
    parents = item.get("parents_stack")
    parents = parents if isinstance(parents, list) else []
    parent = item.get("reply_to_comment") or (parents[-1] if parents else None)
    if parent is None and thread_id is not None:
        parent = thread_id
    from_id = item.get("from_id")
    return Comment(
        platform=_VK,
        page=str(gid),
        id=str(item["id"]),
        post_id=str(item.get("post_id") or post_id),
        author_id=str(from_id) if from_id is not None else None,
        date=_ts(item.get("date")),
        text=_text(item.get("text")),
        parent_id=str(parent) if parent is not None else None,
        thread_id=thread_id,
        deleted=bool(item.get("deleted")),
        from_page=from_id == -gid,
    )


def _profile_from(group: Mapping[str, Any]) -> PageProfile:
    gid = int(group["id"])
    contacts = group.get("contacts")
    contacts = [c for c in contacts if isinstance(c, Mapping)] if isinstance(contacts, list) else []
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
    cover = group.get("cover")
    cover = cover if isinstance(cover, Mapping) else {}
    images = cover.get("images") if cover.get("enabled") else []
    images = [i for i in images if isinstance(i, Mapping)] if isinstance(images, list) else []
    widest = max(images, key=lambda i: _number(i.get("width"))) if images else None
    cover_url = widest.get("url") if widest is not None else None
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


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _feedback_widgets(group: Mapping[str, Any]) -> list[FeedbackWidget] | None:
    """The feedback widgets (ПОС) found in the menu and the app buttons.

    ``None`` (unknown) when VK gave no readable ``menu``: the widgets live there, and
    app buttons alone cannot say there are none. Widgets found are returned all the same.
    """
    found: list[FeedbackWidget] = []
    menu = group.get("menu")
    for item in _objects(menu.get("items")) if isinstance(menu, Mapping) else []:
        title = str(item.get("title") or "")
        url = str(item.get("url") or "")
        kind = item.get("type")
        if any(h in f"{title} {url}".casefold() for h in _POS_HINTS):
            found.append(
                FeedbackWidget(
                    title=title, url=url or None, kind=kind if isinstance(kind, str) else None
                )
            )
    for button in _objects(group.get("app_buttons")):
        title = str(button.get("title") or "")
        if any(h in title.casefold() for h in _POS_HINTS):
            found.append(FeedbackWidget(title=title, kind="app_button"))
    if not isinstance(menu, Mapping) and not found:
        return None
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
            "VK не вернул полей госметки этому ключу; галочка верификации сообщества — "
            "другой знак, по ней отметку «Госорганизация» не определить"
        ),
    )
