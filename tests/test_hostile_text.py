"""Text written by strangers goes through every output and nothing in it executes.

A hostile corpus (script tags, event handlers, Markdown and HTML link tricks, formulas,
Rich markup, VK mentions, bidi and terminal control characters, a 100 KB line) is put
into the sandbox region as comments, a post and a page name; then the whole path runs:
``audit_registry`` → HTML, XLSX and Markdown reports; the CLI's ``audit``, ``moderate
--apply`` and ``inbox --csv`` (console captured) → the moderation journal CSV.
"""

from __future__ import annotations

import asyncio
import csv
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook

import gospages.testing
from gospages._escape import (
    csv_cell,
    csv_uncell,
    markdown_text,
    shown_text,
)
from gospages.cli import main
from gospages.registry import Registry, load_registry, save_registry
from gospages.reports import render_html, render_markdown, write_xlsx
from gospages.requirements import AuditReport, audit_registry
from gospages.testing import Scenario, build_region

LONG = "x" * 100_000
IMG = "<img src=x onerror=alert(1)>"
#: Each becomes a comment «Вопрос? <img …> PAYLOAD» (or a spam one, so that moderation acts).
PAYLOADS = [
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)" onclick="alert(2)">жми</a>',
    "[нажмите](javascript:alert(1))",
    "![](http://evil.example/x.png)",
    "<javascript:alert(1)>",
    "<svg onload=alert(1)>",
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tTAB",
    "[/]",
    "[link=http://evil.example]нажмите[/link]",
    "[id777|Иван Петров]",
    "abc\u202eевил.exe\u202c",
    "\x1b]8;;http://evil.example\x1b\\терминал\x1b]8;;\x1b\\",
    "zero\u200bwidth",
    LONG,
]
SPAM = "Заработок от 5000 в день без вложений! Пиши в лс"
PAGE_NAME = "Администрация <script>alert(1)</script> [x](javascript:alert(1)) \u202eабв [/]"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Organisation names as a registry copied from somewhere may hold them.
FORMULA_NAMES = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "@SUM(1+1)"]


def with_names(registry: Registry, names: list[str]) -> Registry:
    """``registry`` with its first organisations renamed to ``names``."""
    orgs = [
        o.model_copy(update={"name": names[i]}) if i < len(names) else o
        for i, o in enumerate(registry.organizations)
    ]
    return Registry(organizations=orgs)


def hostile_region() -> Scenario:
    """The sandbox region, with one VK page's name and every user comment made hostile."""
    region = build_region(seed=0, telegram=False, vk_rate_limits=False)
    gid = min(region.vk.groups)
    group = region.vk.groups[gid]
    group.name = PAGE_NAME
    latest = max(group.posts, key=lambda p: p.date)
    for i in range(len(PAYLOADS) * 2):
        when = min(time.time() - 60, latest.date + 60 * (i + 1))
        region.vk.add_comment(gid, latest.id, "", from_id=10**6 + i, date=when)
    comments = [c for p in group.posts for c in p.comments if c.from_id > 0]
    for i, comment in enumerate(comments):
        # Every payload both as a question (kept, reported) and as spam (deleted).
        payload = PAYLOADS[(i // 2) % len(PAYLOADS)]
        comment.text = f"{payload} {SPAM}" if i % 2 else f"Вопрос? {IMG} {payload}"
    region.vk.add_post(gid, f"Купите со скидкой! {IMG} {LONG}", date=time.time() - 3600)
    region.registry = with_names(region.registry, FORMULA_NAMES)
    return region


@pytest.fixture(scope="module")
def region() -> Scenario:
    return hostile_region()


@pytest.fixture(scope="module")
def report(region: Scenario) -> AuditReport:
    return asyncio.run(audit_registry(region.registry, region.opener(), "federal"))


class _Tags(HTMLParser):
    """Every tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_inert_html(html: str, *, allowed: set[str] | None = None) -> str:
    """No script, no event handler, no ``javascript:`` link, no image; returns the text."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "img", "iframe", "object", "embed"}, tag
        if allowed is not None:
            assert tag in allowed, tag
        for name, value in attrs:
            assert not name.lower().startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)
    return "".join(parser.text)


def assert_shown_safely(text: str) -> None:
    """Bidi and terminal controls are visible, not live; the 100 KB line is cut."""
    for char in ("\u202e", "\u202c", "\x1b", "\u200b"):
        assert char not in text, repr(char)
    assert "x" * (SHOWN_LIMIT_PLUS) not in text


SHOWN_LIMIT_PLUS = 1001


def no_formula(value: Any) -> bool:
    if not isinstance(value, str) or not value.startswith(TRIGGERS):
        return True
    return re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", value) is not None


# -- reports ----------------------------------------------------------------------------------


def test_html_report_has_no_live_markup(report: AuditReport) -> None:
    html = render_html(report)
    text = assert_inert_html(html)
    assert IMG in text and "[x](javascript:alert(1))" in text  # shown, as text
    assert "⟨U+202E⟩" in text
    assert_shown_safely(html)


def test_markdown_report_renders_to_no_html(report: AuditReport) -> None:
    md = render_markdown(report)
    assert "onerror" in md and "<img" not in md and "<script" not in md
    assert_shown_safely(md)
    allowed = {"h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "li"}
    allowed |= {"strong", "code"}
    renders = [
        markdown.markdown(md, extensions=["tables"]),
        MarkdownIt("commonmark").enable("table").render(md),
    ]
    for html in renders:
        text = assert_inert_html(html, allowed=allowed)
        # The stranger's text reads as it was written.
        assert IMG in text
        assert "<script>alert(1)</script> [x](javascript:alert(1))" in text
        assert "<a " not in html and "<img" not in html


def test_xlsx_has_no_formula(report: AuditReport, tmp_path: Path) -> None:
    write_xlsx(report, tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx")
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                assert no_formula(cell.value), cell.value
                seen.append(str(cell.value or ""))
    assert any(IMG in v for v in seen)  # the comment is there, as text
    for name in FORMULA_NAMES:
        assert "'" + name in seen  # neutralised, not dropped


# -- the CLI: console and journal --------------------------------------------------------------


@pytest.fixture
def cli_region(monkeypatch: pytest.MonkeyPatch) -> Scenario:
    region = hostile_region()
    monkeypatch.setattr(gospages.testing, "build_region", lambda **_: region)
    monkeypatch.setenv("COLUMNS", "400")
    return region


def test_console_prints_strangers_text_as_text(
    cli_region: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "inbox.sqlite"
    # Acts first, then prints: `[/]` in a comment must not crash the printing.
    assert main(["moderate", "--sandbox", "--db", str(db), "--apply"]) == 0
    out = capsys.readouterr().out
    assert "[/]" in out
    assert "[link=http://evil.example]" in out  # the link is shown, not hidden
    assert "[id777|Иван Петров]" in out  # VK mentions stay
    assert "⟨U+202E⟩" in out and "⟨U+001B⟩" in out
    assert_shown_safely(out)

    assert main(["inbox", "--db", str(db), "--csv", str(tmp_path / "j.csv")]) == 0
    out = capsys.readouterr().out
    assert "Журнал в CSV" in out
    assert_shown_safely(out)
    with open(tmp_path / "j.csv", encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file, delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert all(no_formula(cell) for cell in cells), [c for c in cells if not no_formula(c)]
    texts = [row[rows[0].index("Текст комментария")] for row in rows[1:]]
    assert any(IMG in t for t in texts)
    assert any(t.endswith('\'=HYPERLINK("http://evil.example","x")') for t in texts) is False
    assert any(LONG in t for t in texts)  # a data file keeps the whole text
    assert not any("\u202e" in t or "\x1b" in t for t in texts)


def test_cli_audit_console_and_files(
    cli_region: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md, html = tmp_path / "r.md", tmp_path / "r.html"
    code = main(["audit", "--sandbox", "--md", str(md), "--html", str(html)])
    assert code == 0
    out = capsys.readouterr().out
    assert_shown_safely(out)
    assert_inert_html(markdown.markdown(md.read_text("utf-8"), extensions=["tables"]))
    assert_inert_html(html.read_text("utf-8"))


# -- the helpers' own promises -----------------------------------------------------------------


@pytest.mark.parametrize("payload", [*PAYLOADS[:-1], PAGE_NAME, IMG, "1. # - > | \\ ` * _a_"])
def test_markdown_text_renders_as_the_same_text(payload: str) -> None:
    for html in (
        markdown.markdown(markdown_text(payload), extensions=["tables"]),
        MarkdownIt("commonmark").render(markdown_text(payload)),
    ):
        text = assert_inert_html(html, allowed={"p"})
        assert text.strip() == shown_text(payload, keep_newlines=False).strip()


@pytest.mark.parametrize(
    "value", ["=1+2", "'=1+2", "''=x", " =x", "-5", "'-5", "+79131234567", "-1+1", "", "a'b"]
)
def test_csv_cell_round_trips(value: str) -> None:
    assert csv_uncell(csv_cell(value)) == value
    assert no_formula(csv_cell(value))


def test_registry_round_trip_keeps_formula_like_names(tmp_path: Path) -> None:
    names = ["=1+2", "'=1+2", "-5", "@школа", "+7 913", "-1+1"]
    registry = with_names(build_region(seed=0, telegram=False).registry, names)
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"r{suffix}"
        save_registry(registry, path)
        assert load_registry(path) == registry, suffix
    text = (tmp_path / "r.csv").read_text("utf-8-sig")
    # Neutralised in the file; a plain number stays a number.
    assert ";'=1+2;" in text and ";''=1+2;" in text and ";-5;" in text and ";'@школа;" in text
