"""Charts as inline SVG, made here: no JavaScript, no fonts, no files to fetch.

Every chart scales to the width of its container (``viewBox``), takes the page's font, has
a ``<title>`` for screen readers, and prints the numbers next to the bars, so it is read
without hovering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ._summary import fmt_int, fmt_num

#: Colours of the traffic light and of the bars (the same as in the report's CSS).
COLORS = {
    "green": "#2e9e5b",
    "yellow": "#e0a800",
    "red": "#d64545",
    "none": "#9aa3ad",
    "bar": "#3f6fb5",
    "low": "#e08a3c",
    "norm": "#c0392b",
    "grid": "#d9dee4",
    "text": "#1f2933",
    "muted": "#5f6b7a",
}


@dataclass(frozen=True)
class Bar:
    """One bar of :func:`bar_chart`."""

    label: str
    value: float
    color: str = COLORS["bar"]
    note: str = ""
    """Shown right after the value (``" страниц"``, ``" (12 страниц)"``)."""


@dataclass(frozen=True)
class WeekSeries:
    """One page's publications per week for :func:`weekly_chart`."""

    label: str
    """Shortened to fit; ``tag`` after it is always shown whole."""
    counts: Sequence[int]
    norm: float | None = None
    tag: str = ""
    hint: str = ""
    """Full text for the row's tooltip."""


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" role="img" aria-label="{escape(title)}" '
        f'class="chart"><title>{escape(title)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 (every text is escaped)


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{attr}>{escape(text)}</text>'


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _em(text: str) -> float:
    """A generous estimate of ``text``'s width in ems (wide sans fonts such as DejaVu Sans).

    No font is measured here (the report loads none), so the estimate errs on the wide
    side: a label laid out by it fits in its box in any usual font.
    """
    width = 0.0
    for char in text:
        if char == " ":
            width += 0.33
        elif char.isupper():
            width += 0.8
        elif char.isdigit():
            width += 0.66
        elif char.isalpha():
            width += 0.64
        elif char in "«»\"'.,:;·-–—()!?/":
            width += 0.45
        else:
            width += 0.8
    return width


def _fit(text: str, width_em: float) -> str:
    """``text`` cut with «…» so that it fits ``width_em``."""
    if _em(text) <= width_em:
        return text
    while text and _em(text + "…") > width_em:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap_label(text: str, width_em: float, *, lines: int = 2, tail: str = "") -> list[str]:
    """``text`` in at most ``lines`` lines of ``width_em`` each, by words; the last line
    ends with ``tail`` (always whole) and with «…» when the text does not fit.
    """
    words = text.split()
    out: list[str] = []
    current = ""
    while words:
        word = words[0]
        candidate = f"{current} {word}".strip()
        last = len(out) == lines - 1
        room = width_em - (_em(tail) if last else 0)
        if _em(candidate) <= room:
            current = candidate
            words.pop(0)
            continue
        if last or not current:
            # The last line, or one word wider than a line: cut it here.
            rest = " ".join([current, *words]).strip() if last else word
            if last:
                return [*out, _fit(rest, room) + tail]
            out.append(_fit(word, room))
            words.pop(0)
            continue
        out.append(current)
        current = ""
    last_room = width_em - _em(tail)
    if _em(current) > last_room:
        if len(out) < lines - 1:
            out.append(current)
            current = ""
        else:
            current = _fit(current, last_room)
    return [*out, current + tail] if current or tail or not out else out


def bar_chart(title: str, bars: Sequence[Bar], *, width: int = 560) -> Markup:
    """Horizontal bars with their values: subscribers per network, pages per colour."""
    label_w, value_w, row_h, top = 130, 170, 34, 8
    plot_w = width - label_w - value_w
    top_value = max((b.value for b in bars), default=0) or 1
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = top + i * row_h
        w = max(plot_w * bar.value / top_value, 2 if bar.value else 0)
        body.append(_text(label_w - 10, y + 18, _short(bar.label, 18), anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 12}" '
            f'rx="3" fill="{escape(bar.color)}"><title>{escape(bar.label)}: '
            f"{escape(fmt_num(bar.value))}</title></rect>"
        )
        body.append(_text(label_w + w + 8, y + 18, fmt_num(bar.value) + bar.note, cls="value"))
    return _svg(width, top * 2 + row_h * len(bars), title, body)


def weekly_chart(
    title: str, week_labels: Sequence[str], series: Sequence[WeekSeries], *, width: int = 1040
) -> Markup:
    """Publications per week per page: a row per page, a column per week.

    Each cell holds a bar as long as the week's count (the same scale in every cell) and,
    where the page's norm is known, a dashed line at the norm; weeks below the norm are
    coloured as a warning.
    """
    label_w, line_h, head_h, font = 440, 15, 30, 13
    weeks = max(len(week_labels), 1)
    cell_w = (width - label_w) / weeks
    scale_max = max([c for s in series for c in s.counts] + [s.norm or 0 for s in series] + [1])
    bar_max = cell_w - 34  # room for the number after the bar
    body: list[str] = []
    # Each label in at most two lines that fit the label column (14 units of margin on
    # the left, 10 before the plot); the full name is the row's tooltip (<title>).
    label_room = (label_w - 24) / font
    labels = [wrap_label(s.label, label_room, tail=f" · {s.tag}" if s.tag else "") for s in series]
    heights = [max(24, 9 + line_h * len(lines)) for lines in labels]
    plot_h = sum(heights)
    for w, label in enumerate(week_labels):
        x = label_w + w * cell_w
        body.append(_text(x + 4, 18, label, cls="muted"))
        body.append(
            f'<line x1="{x:.1f}" y1="{head_h - 6}" x2="{x:.1f}" '
            f'y2="{head_h + plot_h}" stroke="{COLORS["grid"]}"/>'
        )
    y = head_h
    for i, (s, lines, row_h) in enumerate(zip(series, labels, heights, strict=True)):
        if i % 2 == 0:
            body.append(f'<rect x="0" y="{y}" width="{width}" height="{row_h}" fill="#f4f6f8"/>')
        first = y + (row_h - line_h * len(lines)) / 2 + 11
        spans = "".join(
            f'<tspan x="{label_w - 10}" y="{first + n * line_h:.1f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        label = f'<text text-anchor="end" class="row-label">{spans}</text>'
        body.append(f"<g><title>{escape(s.hint or s.label)}</title>{label}</g>")
        mid = y + row_h / 2
        for w, count in enumerate(s.counts[:weeks]):
            x = label_w + w * cell_w + 4
            length = bar_max * count / scale_max
            low = s.norm is not None and count < s.norm
            if count:
                body.append(
                    f'<rect x="{x:.1f}" y="{mid - 7:.1f}" width="{length:.1f}" height="14" '
                    f'rx="2" fill="{COLORS["low"] if low else COLORS["bar"]}"/>'
                )
            if s.norm is not None:
                nx = x + bar_max * s.norm / scale_max
                body.append(
                    f'<line x1="{nx:.1f}" y1="{mid - 10:.1f}" x2="{nx:.1f}" y2="{mid + 10:.1f}" '
                    f'stroke="{COLORS["norm"]}" stroke-width="2" stroke-dasharray="3 2"/>'
                )
            cls = "value low" if low else "value"
            body.append(_text(x + length + 5, mid + 4, fmt_int(count), cls=cls))
        y += row_h
    height = head_h + plot_h + 6
    return _svg(width, height, title, body)
