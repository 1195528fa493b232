"""A content plan as an iCalendar file (RFC 5545), so people see it in their calendars.

Written by hand rather than with the ``icalendar`` package: a plan needs one event per
item, text escaping and line folding (about sixty lines), and Russia's zones have had no
daylight saving time since 2014, so each zone's VTIMEZONE is one STANDARD block. A zone
whose offset changes over the plan's dates (Europe/Berlin, say) is written as UTC
instead, which every calendar shows in its own time.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from .._escape import shown_text
from ._plan import ContentPlan, PlanItem
from ._plan_check import Resolver

__all__ = ["plan_to_ics", "write_ics"]

#: How long an event of the calendar lasts (a post is a moment; calendars need a span).
EVENT_MINUTES = 15


def _escape(text: str) -> str:
    """RFC 5545 TEXT: backslash, «;», «,» and line breaks escaped, control characters out."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, never splitting a character (RFC 5545 3.1)."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _steady_zone(name: str, moments: Iterable[datetime]) -> timedelta | None:
    """The zone's one offset over ``moments`` and the years around them, else ``None``."""
    zone = ZoneInfo(name)
    probes = []
    for moment in moments:
        probes.append(moment)
        for month in (1, 7):
            probes.append(datetime(moment.year, month, 1, tzinfo=timezone.utc))
    offsets = {p.astimezone(zone).utcoffset() for p in probes}
    return next(iter(offsets)) if len(offsets) == 1 else None


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _zone_name(item: PlanItem) -> str | None:
    return item.at.tzinfo.key if isinstance(item.at.tzinfo, ZoneInfo) else None


def plan_to_ics(
    plan: ContentPlan,
    *,
    resolve: Resolver | None = None,
    name: str | None = None,
    now: datetime | None = None,
) -> str:
    """The plan as iCalendar text: one VEVENT per item.

    UID is the item's id with the plan's ``name`` (default: the file's name), so importing
    the plan again updates the events instead of doubling them; SUMMARY is the first line
    of the text; DESCRIPTION has the targets (the pages, with ``resolve``) and the whole
    text; DTSTART is in the item's own time zone. ``now`` is DTSTAMP (default: now).
    """
    label = name or (Path(plan.source).stem if plan.source else "plan")
    salt = hashlib.sha256(label.encode("utf-8")).hexdigest()[:8]
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//gospages//content plan//RU",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(f'Контент-план: {label}')}",
    ]
    zones: dict[str, timedelta | None] = {}
    for zone_name in sorted({z for z in map(_zone_name, plan.items) if z}):
        moments = [i.at for i in plan.items if _zone_name(i) == zone_name]
        zones[zone_name] = offset = _steady_zone(zone_name, moments)
        if offset is not None:
            lines += [
                "BEGIN:VTIMEZONE",
                f"TZID:{zone_name}",
                "BEGIN:STANDARD",
                "DTSTART:19700101T000000",
                f"TZOFFSETFROM:{_offset(offset)}",
                f"TZOFFSETTO:{_offset(offset)}",
                f"TZNAME:{_offset(offset)[:3]}",
                "END:STANDARD",
                "END:VTIMEZONE",
            ]
    for item in plan.items:
        own = _zone_name(item)
        if own is not None and zones.get(own) is not None:
            start = f"DTSTART;TZID={own}:{item.at:%Y%m%dT%H%M%S}"
        else:
            start = f"DTSTART:{item.at.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"
        uid = re.sub(r"[^A-Za-z0-9._-]", lambda m: f"%{ord(m.group(0)):X}", item.id)
        description = [f"Кому: {item.target}"]
        if resolve is not None:
            try:
                pages = resolve(item.target)
            except ValueError as exc:
                description.append(f"Страницы: не определены ({exc})")
            else:
                description.append(
                    "Страницы: " + ", ".join(f"{o.name} ({p.platform.label})" for o, p in pages)
                )
        description += ["", item.post.text]
        if item.post.photos:
            description.append("Фото: " + ", ".join(str(p.path) for p in item.post.photos))
        for poll in item.post.polls:
            description.append(f"Опрос: {poll.question} — {' / '.join(poll.answers)}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}.{salt}@gospages.plan",
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            start,
            f"DURATION:PT{EVENT_MINUTES}M",
            f"SUMMARY:{_escape(shown_text(item.title, 200, keep_newlines=False))}",
            f"DESCRIPTION:{_escape(shown_text(chr(10).join(description), None))}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def write_ics(
    plan: ContentPlan,
    path: str | os.PathLike[str],
    *,
    resolve: Resolver | None = None,
    now: datetime | None = None,
) -> None:
    """:func:`plan_to_ics` written to ``path`` (UTF-8, CRLF line ends)."""
    text = plan_to_ics(plan, resolve=resolve, now=now)
    Path(path).write_bytes(text.encode("utf-8"))
