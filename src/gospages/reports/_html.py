"""The audit report as one self-contained HTML file (inline CSS and SVG, no scripts)."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .._escape import shown_text
from .._platforms import describe
from .._russian import count_phrase, plural
from .._version import __version__
from ..requirements import AuditReport, Severity
from ._charts import COLORS, Bar, WeekSeries, bar_chart, weekly_chart
from ._summary import (
    SCORE_PARTS,
    UNKNOWN,
    PageRow,
    ReportView,
    color_label,
    fmt_delta,
    fmt_int,
    fmt_num,
    pages_word,
    part_max,
    view,
)


def _shown(value: Any) -> Any:
    """Every ``{{ ... }}`` of the template: text as people may see it (then autoescaped).

    Our own markup (charts, CSS) passes as it is; any other text, most of it written on
    a platform, gets bidi and control characters made visible and is cut when very long.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return shown_text(value)
    return value


@functools.cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("gospages.reports", "templates"),
        autoescape=True,
        finalize=_shown,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.cache
def _css() -> Markup:
    css = resources.files("gospages.reports").joinpath("templates/report.css").read_text("utf-8")
    return Markup(css)  # noqa: S704 (our own file, not user text)


def _delta(value: float | None) -> Markup:
    text = fmt_delta(value)
    if not text or text == "0":
        return Markup('<span class="muted">{}</span>').format(text)
    color = COLORS["green"] if text.startswith("+") else COLORS["red"]
    return Markup('<span style="color:{}">{}</span>').format(color, text)


def _charts(v: ReportView) -> dict[str, Markup]:
    series = [
        WeekSeries(
            label=shown_text(row.org_name, 200),
            tag=describe(row.platform).short,
            counts=row.weekly,
            norm=row.norm if row.norm is not None else v.norm,
            hint=shown_text(f"{row.org_name}, {row.platform.label}: {row.name}", 300),
        )
        for row in v.rows
    ]
    colors = v.colors
    color_bars = [
        Bar(color_label(c), n, COLORS[c], f" {pages_word(n)}")
        for c, n in colors.items()
        if n or c != "none"
    ]
    return {
        "subscribers": bar_chart(
            "Подписчики по сетям",
            [
                Bar(
                    n.label,
                    n.subscribers,
                    note=f" ({n.pages} {pages_word(n.pages)})",
                )
                for n in v.networks
            ],
        ),
        "colors": bar_chart("Оценка «светофор»: страниц каждого цвета", color_bars),
        "weekly": weekly_chart("Публикации по неделям на каждой странице", v.week_labels(), series),
    }


def _score_parts(row: PageRow) -> list[str]:
    """``["Госметка 10/10", ..., "нет данных: Охват за неделю"]`` for a score's details."""
    score = row.score
    if score is None:
        return []
    out = [
        f"{label} {fmt_num(score.parts[key])}/{fmt_num(part_max(score, key) or 0)}"
        for key, label in SCORE_PARTS.items()
        if key in score.parts
    ]
    out += [f"{k} {fmt_num(v)}" for k, v in score.parts.items() if k not in SCORE_PARTS]
    unknown = [SCORE_PARTS.get(k, k) for k in score.unknown]
    if unknown:
        out.append(f"{UNKNOWN}: " + ", ".join(unknown))
    return out


def render_html(report: AuditReport) -> str:
    """The audit report as one HTML file that opens offline, in Russian.

    Header with the policy, date, period and counts of findings; totals per network
    (pages, subscribers, publications); charts as inline SVG (subscribers per network,
    pages per traffic-light colour, publications per week per page with the policy norm);
    organisations in hierarchy order with their pages, scores and findings; organisations
    without pages; and, when ``report.previous`` holds a :func:`summarize` dict of an
    earlier run, what changed. All text from the report is escaped; the file has no scripts
    and loads nothing (its Content-Security-Policy forbids it).
    """
    v = view(report)
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            r=report,
            v=v,
            S=Severity,
            charts=_charts(v),
            css=_css(),
            version=__version__,
            fmt_int=fmt_int,
            fmt_num=fmt_num,
            delta=_delta,
            plural=plural,
            count_phrase=count_phrase,
            pages_word=pages_word,
            color_label=color_label,
            score_parts=_score_parts,
        )
    )
