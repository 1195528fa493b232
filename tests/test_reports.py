"""Reports of an audit: HTML, XLSX, Markdown, the yearly paragraph, the pages list."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from markupsafe import escape
from openpyxl import load_workbook

from gospages import Platform
from gospages._russian import plural
from gospages.registry import Registry
from gospages.reports import (
    BLANK_NOTE,
    NO_PAGE,
    SCORE_COLUMN,
    SHEET_FINDINGS,
    SHEET_SUMMARY,
    SHEET_TSUR,
    pages_list_html,
    pages_list_json,
    render_html,
    render_markdown,
    render_yearly,
    summarize,
    write_xlsx,
)
from gospages.requirements import AuditReport, Finding, PageAudit, PageSnapshot, Severity
from gospages.testing import Scenario

from ._report_data import build_report, with_previous

# The ЦУР columns exactly as legal-rules.md gives them.
TSUR = [
    "Подключение к компоненту «Госпаблики» (да/нет)",
    "Госметка (да/нет)",
    "Оформление (%)",
    "Виджеты (0/1/2)",
    "Активность (%)",
    "Количество подписчиков",
    "Общий охват аудитории за неделю",
    "Средний охват одной публикации",
]
SECRETS = [
    Scenario.vk_user_token,
    Scenario.vk_service_token,
    Scenario.ok_access_token,
    Scenario.ok_application_secret_key,
]


@pytest.fixture(scope="module")
def report() -> AuditReport:
    return build_report()


@pytest.fixture(scope="module")
def html(report: AuditReport) -> str:
    return render_html(report)


def num(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def totals(report: AuditReport) -> dict[Platform, tuple[int, int, int]]:
    """Pages, subscribers, posts of the period per network, counted here, not by reports."""
    out: dict[Platform, tuple[int, int, int]] = {}
    for audit in report.pages:
        snap = audit.snapshot
        members = snap.profile.members_count if snap.profile else None
        posts = sum(1 for p in snap.posts if p.date >= snap.captured_at - timedelta(days=snap.days))
        pages, subs, count = out.get(snap.platform, (0, 0, 0))
        out[snap.platform] = (pages + 1, subs + (members or 0), count + posts)
    return out


class Page(HTMLParser):
    """Tags with attributes, text of table rows per section, and nesting errors."""

    VOID: ClassVar[set[str]] = {
        "meta",
        "link",
        "br",
        "img",
        "input",
        "hr",
        "source",
        "wbr",
        "col",
        "embed",
    }

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.rows: dict[str, list[list[str]]] = {}
        self.styles: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self._section = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_style = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if "style" in a:
            self.styles.append(a["style"])
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "section":
            self._section = a.get("id", "")
        elif tag == "tr":
            self._row = []
        elif tag in {"td", "th"}:
            self._cell = []
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()
        if tag in {"td", "th"} and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"[ \t\r\n]+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.setdefault(self._section, []).append(self._row)
            self._row = None
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_style:
            self.styles.append(data)


# -- HTML ----------------------------------------------------------------------------------


def test_html_names_every_organisation_and_finding(report: AuditReport, html: str) -> None:
    for org in report.organizations:
        assert str(escape(org.name)) in html, org.id
    assert report.all_findings()
    for f in report.all_findings():
        for text in (f.message, f.evidence, f.fix, f.source, f.rule_id):
            assert str(escape(text)) in html, text
    assert "<h1>" in html and str(escape(report.policy)) in html
    header = html.split("</header>")[0]
    assert f"{report.count(Severity.ERROR)}</span>наруш" in header
    assert f"{report.count(Severity.WARNING)}</span>предупрежд" in header


def test_html_has_the_charts_as_inline_svg(report: AuditReport, html: str) -> None:
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    titles = [re.search(r"<title>(.*?)</title>", s).group(1) for s in svgs]  # type: ignore[union-attr]
    assert titles == [
        "Подписчики по сетям",
        "Оценка «светофор»: страниц каждого цвета",
        "Публикации по неделям на каждой странице",
    ]
    weekly = svgs[2]
    assert weekly.count("<g><title>") == len(report.pages)  # a row per page
    assert "stroke-dasharray" in weekly  # the POL-FREQ norm of the findings
    # Every network's subscriber total is printed on its bar.
    for platform, (_, subs, _) in totals(report).items():
        assert platform.label in svgs[0] and num(subs) in svgs[0]


def test_html_loads_nothing_from_outside(report: AuditReport, html: str) -> None:
    page = Page(html)
    assert not page.errors
    page_urls = {a.ref.url for a in report.pages if a.ref}
    external = re.compile(r"^\s*(https?:)?//", re.I)
    for tag, attrs in page.tags:
        assert tag not in {"script", "iframe", "object", "embed", "img", "video", "audio"}, tag
        if tag == "link":
            pytest.fail(f"<link> in a self-contained report: {attrs}")
        for name in ("src", "srcset", "data", "poster", "background", "action"):
            assert not external.match(attrs.get(name, "")), (tag, attrs)
        if tag == "a" and external.match(attrs.get("href", "")):
            assert attrs["href"] in page_urls
            assert "noopener" in attrs.get("rel", "")
    for style in page.styles:
        assert not re.search(r"url\(|@import", style), style
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert {a.ref.url for a in report.pages if a.ref} <= {
        attrs.get("href") for tag, attrs in page.tags if tag == "a"
    }


def test_html_summary_per_network_is_counted_right(report: AuditReport, html: str) -> None:
    rows = {r[0]: r[1:] for r in Page(html).rows["summary"]}
    for platform, (pages, subs, posts) in totals(report).items():
        assert rows[platform.label][:3] == [str(pages), num(subs), str(posts)]
    assert rows["Всего"][0] == str(len(report.pages))


def test_html_lists_organisations_in_hierarchy_order(report: AuditReport, html: str) -> None:
    table = html.split('id="pages"')[1].split("</section>")[0]
    registry = Registry(organizations=report.organizations)
    walked = [org for _, org in registry.walk()]
    positions = [table.index(f"<b>{escape(org.name)}</b>") for org in walked]
    assert positions == sorted(positions)
    # Deeper organisations are indented more.
    for depth, org in registry.walk():
        assert re.search(
            rf'padding-left: {0.5 + depth * 1.5}rem">\s*<b>{re.escape(str(escape(org.name)))}',
            table,
        ), org.id
    # Each page row carries its link, subscribers and posts.
    cells = Page(html).rows["pages"]
    for audit in report.pages:
        address = audit.ref.url.split("://")[1]  # type: ignore[union-attr]
        row = next(r for r in cells if r[0] == address)
        assert row[1] == audit.snapshot.platform.label
        assert row[2] == num(audit.snapshot.profile.members_count)  # type: ignore[union-attr, arg-type]


def test_html_section_of_organisations_without_pages(report: AuditReport, html: str) -> None:
    section = html.split('id="missing"')[1].split("</section>")[0]
    without = [o for o in report.organizations if not o.pages]
    assert without
    for org in without:
        assert str(escape(org.name)) in section
    for f in report.findings:
        assert str(escape(f.message)) in section


def test_html_trend_reads_summarize(report: AuditReport) -> None:
    assert 'id="trend"' not in render_html(report)
    later = with_previous(report)
    assert later.previous is not None
    rows = Page(render_html(later)).rows
    trend = rows["trend"][1:]
    assert len(trend) == len(report.pages)
    for audit, cells in zip(report.pages, trend, strict=True):
        key = f"{audit.snapshot.platform.value}:{audit.snapshot.page}"
        before = later.previous["pages"][key]["subscribers"]
        now = audit.snapshot.profile.members_count  # type: ignore[union-attr]
        delta = now - before
        assert cells[3] == (f"+{delta}" if delta > 0 else "0" if delta == 0 else f"−{-delta}")
    assert "Изменение" in rows["summary"][0]


def test_html_escapes_text_from_outside(report: AuditReport) -> None:
    audit = report.pages[0]
    evil_org = audit.org.model_copy(update={"name": "<script>alert(1)</script> & Ко"})  # type: ignore[union-attr]
    evil_ref = audit.ref.model_copy(update={"url": "javascript:alert(2)"})  # type: ignore[union-attr]
    snap = audit.snapshot.model_copy(update={"url": "javascript:alert(2)"})
    finding = Finding(
        rule_id="X<b>",
        severity=Severity.ERROR,
        message='<img src=x onerror="alert(3)">',
        evidence="</td></tr></table>",
    )
    bad = report.model_copy(
        update={
            "pages": [
                audit.model_copy(
                    update={
                        "org": evil_org,
                        "ref": evil_ref,
                        "snapshot": snap,
                        "findings": [finding],
                    }
                )
            ],
            "organizations": [evil_org],
        }
    )
    out = render_html(bad)
    assert "<script>" not in out and "<img" not in out and "javascript:" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Ко" in out
    assert not Page(out).errors
    # The address made from the page id replaces the unsafe one.
    assert f'href="https://vk.com/{audit.snapshot.page}"' in out


def test_html_without_norm_or_scores_or_pages() -> None:
    report = build_report()
    plain = report.model_copy(
        update={
            "pages": [
                a.model_copy(
                    update={"findings": [f for f in a.findings if f.rule_id != "POL-FREQ"]}
                )
                for a in report.pages
            ]
        }
    )
    out = render_html(plain)
    assert "stroke-dasharray" not in out and "линии нормы нет" in out
    empty = AuditReport(policy="federal", created_at=report.created_at, days=7, pages=[])
    assert out and "<svg" in render_html(empty)
    assert render_markdown(empty) and render_yearly(empty)


def test_html_shows_a_page_that_could_not_be_read(report: AuditReport) -> None:
    audit = report.pages[0]
    failed = PageAudit(
        org=audit.org,
        ref=audit.ref,
        snapshot=PageSnapshot(
            platform=audit.snapshot.platform,
            page=audit.snapshot.page,
            captured_at=report.created_at,
            error="Ключ доступа отозван",
        ),
        findings=[],
    )
    out = render_html(report.model_copy(update={"pages": [failed]}))
    assert "Страницу не удалось прочитать: Ключ доступа отозван" in out
    assert "нет данных" in out and "нет оценки" in out


def test_no_secret_in_any_report(report: AuditReport, html: str, tmp_path: Path) -> None:
    write_xlsx(report, tmp_path / "r.xlsx")
    texts = [
        html,
        render_markdown(report),
        render_yearly(report),
        json.dumps(summarize(report), ensure_ascii=False),
    ]
    wb = load_workbook(tmp_path / "r.xlsx")
    texts += [str(c.value) for ws in wb for row in ws.iter_rows() for c in row]
    for secret in SECRETS:
        assert all(secret not in t for t in texts)


# -- summarize -----------------------------------------------------------------------------


def test_summarize_is_json_and_counts(report: AuditReport) -> None:
    summary = summarize(report)
    assert json.loads(json.dumps(summary)) == summary
    assert summary["version"] == 1 and summary["policy"] == report.policy
    assert summary["counts"] == {s.value: report.count(s) for s in Severity}
    for platform, (pages, subs, posts) in totals(report).items():
        assert summary["networks"][platform.value] == {
            "pages": pages,
            "subscribers": subs,
            "posts": posts,
        }
    assert len(summary["pages"]) == len(report.pages)
    for audit in report.pages:
        entry = summary["pages"][f"{audit.snapshot.platform.value}:{audit.snapshot.page}"]
        assert entry["org_id"] == audit.org.id  # type: ignore[union-attr]
        assert entry["score"] == (audit.score.total if audit.score else None)


# -- XLSX ----------------------------------------------------------------------------------


def test_xlsx_has_the_tsur_columns_and_a_row_per_page(report: AuditReport, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path)
    wb = load_workbook(path)
    assert wb.sheetnames == [SHEET_TSUR, SHEET_FINDINGS, SHEET_SUMMARY]
    assert SHEET_TSUR == "Еженедельный отчёт ЦУР"
    ws = wb[SHEET_TSUR]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["Организация", "Сеть", "Ссылка на страницу", *TSUR, SCORE_COLUMN]
    without = [o for o in report.organizations if not o.pages]
    assert len(rows) == 1 + len(report.pages) + len(without)
    assert ws.freeze_panes == "B2"
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["A"].width > 30
    header = rows[0]
    for i, (audit, row) in enumerate(zip(report.pages, rows[1:], strict=False), start=2):
        values = dict(zip(header, row, strict=True))
        assert values["Организация"] == audit.org.name  # type: ignore[union-attr]
        assert values["Ссылка на страницу"] == audit.ref.url  # type: ignore[union-attr]
        assert values["Количество подписчиков"] == audit.snapshot.profile.members_count  # type: ignore[union-attr]
        # Unknown is a blank cell with a note, never text in a number column.
        assert values["Общий охват аудитории за неделю"] is None
        reach = ws.cell(i, header.index("Общий охват аудитории за неделю") + 1)
        assert reach.comment is not None and "нет данных" in reach.comment.text
        score = audit.score
        assert values[SCORE_COLUMN] == (round(score.total, 1) if score else None)
        parts = score.parts if score else {}
        if "mark" in parts:
            assert values["Госметка (да/нет)"] == ("да" if parts["mark"] else "нет")
        if "activity" in parts:
            assert values["Активность (%)"] == round(100 * parts["activity"] / 30)
        else:
            assert values["Активность (%)"] is None
        if "widgets" not in parts:
            assert values["Виджеты (0/1/2)"] is None
        for column in ("Оформление (%)", "Активность (%)", "Количество подписчиков", SCORE_COLUMN):
            assert values[column] is None or isinstance(values[column], (int, float))
    assert not any(c == "нет данных" for row in rows[1:] for c in row)
    assert ws["C2"].hyperlink.target == report.pages[0].ref.url  # type: ignore[union-attr]
    # The organisations without pages close the sheet, marked and shaded.
    tail = rows[1 + len(report.pages) :]
    assert [r[0] for r in tail] == [o.name for o in without]
    assert all(r[1] == NO_PAGE and not any(r[2:]) for r in tail)
    assert ws.cell(ws.max_row, 1).fill.fgColor.rgb.endswith("FDECEA")
    notes = {r[0]: r[1] for r in wb[SHEET_SUMMARY].iter_rows(values_only=True) if r[0]}
    assert notes["Пустая ячейка"] == BLANK_NOTE


def test_xlsx_summary_leaves_unknown_subscribers_blank(report: AuditReport, tmp_path: Path) -> None:
    """No subscriber count known on a network: a blank with a note, not «0»."""
    unknown = [
        a.model_copy(update={"snapshot": a.snapshot.model_copy(update={"profile": None})})
        if a.snapshot.platform is Platform.OK
        else a
        for a in report.pages
    ]
    assert any(a.snapshot.platform is Platform.OK for a in report.pages)
    write_xlsx(report.model_copy(update={"pages": unknown}), tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx")[SHEET_SUMMARY]
    rows = {r[0].value: r for r in ws.iter_rows() if r[0].value}
    ok = rows[Platform.OK.label]
    assert ok[2].value is None and "нет данных" in ok[2].comment.text
    # The total is partial: its number stands, with a note of how many pages lack it.
    total = rows["Всего"]
    assert isinstance(total[2].value, int) and total[2].value > 0
    assert "не получено" in total[2].comment.text


def test_xlsx_findings_and_summary_sheets(report: AuditReport, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path)
    wb = load_workbook(path)
    found = list(wb[SHEET_FINDINGS].iter_rows(values_only=True))
    assert len(found) == 1 + len(report.all_findings())
    messages = sorted(str(r[5]) for r in found[1:])
    assert messages == sorted(f.message for f in report.all_findings())
    summary = {r[0]: r[1:4] for r in wb[SHEET_SUMMARY].iter_rows(values_only=True) if r[0]}
    for platform, numbers in totals(report).items():
        assert summary[platform.label] == numbers
    assert summary["Всего"][0] == len(report.pages)


def test_xlsx_keeps_formulas_from_outside_as_text(report: AuditReport, tmp_path: Path) -> None:
    audit = report.pages[0]
    org = audit.org.model_copy(update={"name": '=HYPERLINK("http://evil","x")'})  # type: ignore[union-attr]
    bad = report.model_copy(update={"pages": [audit.model_copy(update={"org": org})]})
    write_xlsx(bad, tmp_path / "r.xlsx")
    cell = load_workbook(tmp_path / "r.xlsx")[SHEET_TSUR]["A2"]
    # Text, and neutralised as OWASP asks (a leading apostrophe) for whoever edits the cell.
    assert cell.data_type == "s" and cell.value == "'" + org.name


# -- Markdown ------------------------------------------------------------------------------


def test_markdown_totals_pages_and_findings(report: AuditReport) -> None:
    md = render_markdown(report)
    for platform, (pages, subs, posts) in totals(report).items():
        assert f"| {platform.label} | {pages} | {num(subs)} | {num(posts)} |" in md
    for audit in report.pages:
        assert audit.ref.url in md  # type: ignore[union-attr, operator]
    sections = {part.split("\n", 1)[0]: part.split("\n", 1)[1] for part in md.split("\n## ")[1:]}
    headings = {
        Severity.ERROR: "Нарушения",
        Severity.WARNING: "Предупреждения",
        Severity.INFO: "К сведению",
    }
    for severity, heading in headings.items():
        found = [f for f in report.all_findings() if f.severity is severity]
        body = sections[f"{heading} ({len(found)})"]
        assert body.count("\n- ") == len(found)
        for f in found:
            assert f"{f.message} (`{f.rule_id}`)" in body


def test_markdown_table_survives_pipes(report: AuditReport) -> None:
    audit = report.pages[0]
    org = audit.org.model_copy(update={"name": "Администрация | Энск\nвторая строка"})  # type: ignore[union-attr]
    md = render_markdown(
        report.model_copy(update={"pages": [audit.model_copy(update={"org": org})]})
    )
    line = next(x for x in md.splitlines() if "Энск" in x and x.startswith("|"))
    assert len(re.findall(r"(?<!\\)\|", line)) == 8  # 7 cells


def test_yearly_paragraph_in_the_words_of_a_district_report(report: AuditReport) -> None:
    text = render_yearly(report)
    assert "\n" not in text.strip()
    assert (
        "представлены в социальных сетях «ВКонтакте», «Одноклассники» и мессенджерах "
        "«Telegram» и «MAX»" in text
    )
    counted = totals(report)
    for platform, (_, subs, _) in counted.items():
        assert f"«{platform.label}» — {num(subs)} чел." in text
    all_posts = sum(p for _, _, p in counted.values())
    assert (
        f"размещено {num(all_posts)} {plural(all_posts, 'публикация', 'публикации', 'публикаций')}"
        in text
    )
    for org in report.organizations:
        if not org.pages:
            assert org.name in text
    assert "По состоянию на 20.11.2026" in text


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "публикация"), (2, "публикации"), (5, "публикаций"), (11, "публикаций"),
     (21, "публикация"), (24, "публикации"), (112, "публикаций"), (0, "публикаций")],
)  # fmt: skip
def test_plural(n: int, word: str) -> None:
    assert plural(n, "публикация", "публикации", "публикаций") == word


# -- The pages list for the official site ---------------------------------------------------


def test_pages_list_html_links_every_page(report: AuditReport) -> None:
    registry = Registry(organizations=report.organizations)
    snippet = pages_list_html(registry)
    page = Page(snippet)
    assert not page.errors and not page.stack
    links = [a for tag, a in page.tags if tag == "a"]
    assert sorted(a["href"] for a in links) == sorted(p.url for _, p in registry.pages())  # type: ignore[type-var]
    assert all("noopener" in a["rel"] for a in links)
    for org in registry.organizations:
        assert (f"<b>{escape(org.name)}</b>" in snippet) is bool(org.pages)
    vk_ok = pages_list_html(registry, platforms=[Platform.VK, Platform.OK])
    assert "t.me/" not in vk_ok and "vk.com/" in vk_ok


def test_pages_list_html_escapes_and_keeps_the_hierarchy() -> None:
    registry = Registry.model_validate(
        {
            "organizations": [
                {"id": "d", "name": "Район <b>", "kind": "local_government", "level": "district"},
                {
                    "id": "s",
                    "name": "Поселение",
                    "kind": "local_government",
                    "level": "settlement",
                    "parent": "d",
                },
                {
                    "id": "i",
                    "name": "Школа",
                    "kind": "subordinate",
                    "level": "institution",
                    "parent": "s",
                    "pages": [
                        {"platform": "vk", "page": "school", "url": "javascript:alert(1)"},
                        {"platform": "telegram", "page": "@school_tg"},
                    ],
                },
            ]
        }
    )
    snippet = pages_list_html(registry)
    page = Page(snippet)
    assert not page.errors and not page.stack
    assert "Район &lt;b&gt;" in snippet and "javascript:" not in snippet
    assert 'href="https://vk.com/school"' in snippet and 'href="https://t.me/school_tg"' in snippet
    # The district and settlement have no pages but stay as the school's parents.
    assert snippet.index("Район") < snippet.index("Поселение") < snippet.index("Школа")
    assert snippet.count("<ul>") == 3


def test_pages_list_json_round_trips(report: AuditReport) -> None:
    registry = Registry(organizations=report.organizations)
    data = json.loads(pages_list_json(registry))
    assert json.loads(pages_list_json(registry, indent=None)) == data
    by_id = {o.id: o for o in registry.organizations}
    assert [d["id"] for d in data] == [o.id for _, o in registry.walk() if o.pages]
    for entry in data:
        org = by_id[entry["id"]]
        assert (entry["name"], entry["parent"]) == (org.name, org.parent)
        assert [(p["platform"], p["url"]) for p in entry["pages"]] == [
            (ref.platform.value, ref.url) for ref in org.pages
        ]
        assert all(p["label"] == Platform(p["platform"]).label for p in entry["pages"])


def test_every_score_part_has_a_label() -> None:
    """The reports name every criterion the scorer can judge or leave unknown."""
    from gospages.reports import SCORE_PARTS
    from gospages.requirements._capture import TRAFFIC_LIGHT_WEIGHTS

    assert set(SCORE_PARTS) == set(TRAFFIC_LIGHT_WEIGHTS)


@pytest.mark.parametrize(
    "previous",
    [{"created_at": "вчера"}, {"pages": [1, 2]}, {"networks": {"vk": {"subscribers": "много"}}}],
)
def test_html_tolerates_a_previous_of_another_shape(
    report: AuditReport, previous: dict[str, object]
) -> None:
    out = render_html(report.model_copy(update={"previous": previous}))
    assert 'id="trend"' in out and "сравнивать не с чем" in out
    assert not Page(out).errors
