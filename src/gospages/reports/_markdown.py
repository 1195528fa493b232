"""Short Markdown reports: one to paste into a chat or a ticket, one for the duma."""

from __future__ import annotations

from collections.abc import Sequence

from .._escape import markdown_text, shown_text
from .._platforms import PlatformKind, describe
from .._russian import plural
from ..requirements import AuditReport, Severity
from ._summary import (
    NetworkTotals,
    ReportView,
    color_label,
    fmt_int,
    fmt_num,
    pages_word,
    view,
)

_HEADINGS = {
    Severity.ERROR: "Нарушения",
    Severity.WARNING: "Предупреждения",
    Severity.INFO: "К сведению",
}


def _cell(text: str) -> str:
    """Text made safe for a Markdown table cell or list item: it renders as the same text.

    Everything a platform wrote (names, comment and post text in evidence, addresses)
    goes through here, so that a renderer makes no HTML, link or image of it.
    """
    return markdown_text(text)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _header(v: ReportView) -> list[str]:
    r = v.report
    return [
        f"Политика {r.policy}, проверка {v.date(r.created_at)}, период "
        f"{v.date(v.period_start)} — {v.date(r.created_at)} ({r.days} "
        f"{plural(r.days, 'день', 'дня', 'дней')}).",
        "",
        f"Страниц: {len(v.rows)}; нарушений: {v.counts[Severity.ERROR]}, предупреждений: "
        f"{v.counts[Severity.WARNING]}, к сведению: {v.counts[Severity.INFO]}; "
        f"организаций без страниц: {len(v.without_pages)}.",
    ]


def render_markdown(report: AuditReport) -> str:
    """A short Markdown report: totals per network, a table of pages, findings by severity."""
    v = view(report)
    lines = [
        "# Официальные страницы: отчёт о проверке",
        "",
        *_header(v),
        "",
        "## Сводка по сетям",
        "",
    ]
    lines += _table(
        ["Сеть", "Страниц", "Подписчиков", "Публикаций за период"],
        [[n.label, str(n.pages), fmt_int(n.subscribers), fmt_int(n.posts)] for n in v.networks]
        + [["Всего", str(len(v.rows)), fmt_int(v.total_subscribers), fmt_int(v.total_posts)]],
    )
    lines += ["", "## Страницы", ""]
    lines += _table(
        [
            "Организация",
            "Сеть",
            "Страница",
            "Подписчики",
            "Публикаций",
            "Последняя запись",
            "Оценка",
        ],
        [
            [
                row.org_name,
                row.platform.label,
                row.url or row.page,
                fmt_int(row.subscribers),
                str(row.posts),
                v.date(row.last_post),
                f"{fmt_num(row.score.total)} % ({color_label(row.color)})"
                if row.score
                else "нет оценки"
                if row.scored
                else "не оценивается",
            ]
            for row in v.rows
        ],
    )
    for severity, found in v.findings_by_severity():
        lines += ["", f"## {_HEADINGS[severity]} ({len(found)})", ""]
        for where, f in found:
            detail = f" Что видно: {_cell(f.evidence)}." if f.evidence else ""
            lines.append(f"- **{_cell(where)}**: {_cell(f.message)} (`{f.rule_id}`).{detail}")
    if v.without_pages:
        lines += ["", "## Организации без страниц", ""]
        lines += [f"- {_cell(org.name)}" for org, _ in v.without_pages]
    return "\n".join(lines) + "\n"


def _networks_phrase(networks: Sequence[NetworkTotals]) -> str:
    """«в социальных сетях «ВКонтакте», «Одноклассники» и мессенджере «Telegram»»."""
    social = [f"«{n.label}»" for n in networks if _kind(n) is PlatformKind.SOCIAL_NETWORK]
    messengers = [f"«{n.label}»" for n in networks if _kind(n) is PlatformKind.MESSENGER]
    named = []
    if len(social) > 1:
        # «ВКонтакте» и «Одноклассники»; «ВКонтакте», «Одноклассники» и мессенджере ...
        last = ", " if messengers else " и "
        named.append("социальных сетях " + ", ".join(social[:-1]) + last + social[-1])
    elif social:
        named.append("социальной сети " + social[0])
    if len(messengers) > 1:
        named.append("мессенджерах " + ", ".join(messengers[:-1]) + " и " + messengers[-1])
    elif messengers:
        named.append("мессенджере " + messengers[0])
    return "в " + " и ".join(named)


def _kind(network: NetworkTotals) -> PlatformKind:
    return describe(network.platform).kind


def _per_network(networks: Sequence[NetworkTotals], attr: str, unit: str = "") -> str:
    return ", ".join(f"«{n.label}» — {fmt_int(getattr(n, attr))}{unit}" for n in networks)


def render_yearly(report: AuditReport) -> str:
    """A paragraph for a report to the duma, in the words of a district's yearly report.

    «Официальные страницы ... представлены в социальных сетях «ВКонтакте», «Одноклассники»
    и мессенджере «Telegram». По состоянию на ... количество подписчиков: ...; за период ...
    размещено N публикаций ...», then confirmation through Gosuslugi and the organisations
    that still have no page.
    """
    v = view(report)
    nets = v.networks
    orgs = sum(1 for b in v.blocks if b.org is not None and b.rows)
    on = v.date(report.created_at)
    if not nets:
        return (
            f"По состоянию на {on} официальных страниц в социальных сетях у организаций "
            "не выявлено.\n"
        )
    text = [
        f"Официальные страницы органов власти и подведомственных организаций ({orgs} "
        f"{plural(orgs, 'организация', 'организации', 'организаций')}, {len(v.rows)} "
        f"{pages_word(len(v.rows))}) представлены "
        f"{_networks_phrase(nets)}.",
        f"Количество страниц: {_per_network(nets, 'pages')}.",
        f"По состоянию на {on} количество подписчиков: "
        f"{_per_network(nets, 'subscribers', ' чел.')}; всего {fmt_int(v.total_subscribers)} чел.",
        f"За период с {v.date(v.period_start)} по {on} размещено {fmt_int(v.total_posts)} "
        f"{plural(v.total_posts, 'публикация', 'публикации', 'публикаций')} "
        f"({_per_network(nets, 'posts')}).",
    ]
    confirmed = sum(n.confirmed for n in nets)
    text.append(
        f"Подлинность {confirmed} из {len(v.rows)} "
        f"{plural(len(v.rows), 'страницы', 'страниц', 'страниц')} подтверждена через Госуслуги "
        "(отметка «Госорганизация»)."
    )
    if v.without_pages:
        names = ", ".join(shown_text(org.name, 200) for org, _ in v.without_pages)
        text.append(f"Официальных страниц пока нет у: {names}.")
    if any(n.subscribers_unknown for n in nets):
        text.append("По части страниц число подписчиков получить не удалось.")
    return " ".join(text) + "\n"
