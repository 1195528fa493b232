"""Reports and console in correct Russian: numerals agree, decimal commas, no English values."""

from __future__ import annotations

import importlib
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from rich.console import Console

from gospages import PublishStatus, VerificationState
from gospages import _russian as ru
from gospages._demo import run_demo
from gospages._russian import NBSP, agree, count_phrase, integer, number, plural
from gospages.cli import main
from gospages.moderation import LABEL_TITLES, LABELS, Action, label_title, labels_text
from gospages.reports import render_html, render_markdown, render_yearly, write_xlsx
from gospages.requirements import RuleStatus, Severity

from ._report_data import build_report, with_previous

POSTS = ("публикация", "публикации", "публикаций")

#: Enum values and labels that must never be shown to a person as words.
ENGLISH = (
    "published",
    "scheduled",
    "needs_check",
    "insult",
    "obscene",
    "spam",
    "personal_data",
    "prohibited",
    "confirmed",
    "not_confirmed",
    "unknown",
    "keep",
    "review",
    "delete",
    "ban",
    "error",
    "warning",
    "info",
    "green",
    "yellow",
    "red",
    "none",
    "question",
    "thanks",
    "complaint",
    "is_government_organization",
    "gos_org",
    "verified",
    "True",
    "False",
)


#: Raw platform field names: never in a report; the demo, a tour for developers, names
#: the API calls and fields it shows on purpose.
API_FIELDS = ("is_government_organization", "gos_org", "verified")


def english_shown(text: str, words: tuple[str, ...] = ENGLISH) -> list[str]:
    """The English values in ``text`` standing as words (not inside addresses or ids)."""
    text = re.sub(r"https?://\S+|[\w.-]+@[\w.-]+|[\w-]+\.(?:html|xlsx|md|sqlite|ru)\b", " ", text)
    return [w for w in words if re.search(rf"(?<![\w.@/-]){w}(?![\w.@/-])", text)]


# -- The rule table ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (0, "публикаций"),
        (1, "публикация"),
        (2, "публикации"),
        (4, "публикации"),
        (5, "публикаций"),
        (11, "публикаций"),
        (12, "публикаций"),
        (14, "публикаций"),
        (21, "публикация"),
        (22, "публикации"),
        (101, "публикация"),
        (111, "публикаций"),
        (112, "публикаций"),
        (1_000_001, "публикация"),
        (-1, "публикация"),
        (0.2, "публикации"),
        (1.5, "публикации"),
        (5.5, "публикации"),
    ],
)
def test_plural(n: float, word: str) -> None:
    assert plural(n, *POSTS) == word


def test_count_phrase_agrees_with_the_number_shown() -> None:
    assert count_phrase(1, POSTS) == f"1{NBSP}публикация"
    assert count_phrase(2, POSTS) == f"2{NBSP}публикации"
    assert count_phrase(5, POSTS) == f"5{NBSP}публикаций"
    assert count_phrase(134, ("комментарий", "комментария", "комментариев")) == (
        f"134{NBSP}комментария"
    )
    assert count_phrase(0.2, POSTS) == f"0,2{NBSP}публикации"
    # 1.04 is shown as «1», so the word is the one for 1.
    assert count_phrase(1.04, POSTS) == f"1{NBSP}публикация"
    assert count_phrase(2.0, ("раз", "раза", "раз")) == f"2{NBSP}раза"


def test_number_uses_a_decimal_comma_and_spaced_thousands() -> None:
    assert number(0.2) == "0,2"
    assert number(1.5) == "1,5"
    assert number(2.0) == "2"
    assert number(83.333) == "83,3"
    assert number(2.5, 2) == "2,5"
    assert number(2421) == f"2{NBSP}421"
    assert number(1234567.25, 2) == f"1{NBSP}234{NBSP}567,25"
    assert number(-3.5) == "\u22123,5"
    assert number(float("nan")) == "—"
    assert integer(95052) == f"95{NBSP}052"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_number_reads_back(value: float) -> None:
    shown = number(value, 2)
    back = float(shown.replace(NBSP, "").replace(",", ".").replace("\u2212", "-"))
    assert back == pytest.approx(round(value, 2), abs=0.006)
    assert "." not in shown


def test_rule_table_agrees_with_pymorphy3() -> None:
    pymorphy3 = pytest.importorskip("pymorphy3")
    morph = pymorphy3.MorphAnalyzer(lang="ru")
    for lemma, forms in {
        "публикация": POSTS,
        "комментарий": ("комментарий", "комментария", "комментариев"),
        "страница": ("страница", "страницы", "страниц"),
        "вопрос": ("вопрос", "вопроса", "вопросов"),
    }.items():
        parsed = morph.parse(lemma)[0]
        for n in range(0, 1200):
            assert plural(n, *forms) == parsed.make_agree_with_number(n).word, (lemma, n)
            assert agree(n, lemma) == plural(n, *forms)
        assert agree(0.5, lemma) == forms[1]


def test_agree_without_pymorphy3(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def no_pymorphy(name: str, *args: object) -> object:
        if name.startswith("pymorphy3"):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_pymorphy)
    ru._morph.cache_clear()
    try:
        assert agree(5, "вопрос") == "вопрос"  # no dictionary: the word as given
        assert agree(5, "вопрос", ("вопрос", "вопроса", "вопросов")) == "вопросов"
    finally:
        ru._morph.cache_clear()


# -- Labels -----------------------------------------------------------------------------


@pytest.mark.parametrize("enum", [PublishStatus, VerificationState, Severity, RuleStatus, Action])
def test_every_enum_value_shown_has_a_russian_label(enum: type) -> None:
    for member in enum:
        assert re.search("[а-яё]", member.label), member
        assert member.label != member.value


def test_moderation_labels_by_name() -> None:
    assert set(LABEL_TITLES) == set(LABELS)
    assert label_title("insult") == "оскорбление"
    assert label_title("custom") == "custom"
    assert labels_text({"spam", "obscene"}) == "нецензурная брань, спам"


# -- Reports ----------------------------------------------------------------------------


class _Visible(HTMLParser):
    """Text a person sees: text nodes outside style/script, and tooltips (title)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "script"}:
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in {"title", "alt", "aria-label"} and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


@pytest.fixture(scope="module")
def report_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    report = with_previous(build_report(1))
    path = tmp_path_factory.mktemp("ru") / "report.xlsx"
    write_xlsx(report, path)
    book = load_workbook(path)
    # Text cells only: numbers stay numeric cells, and Excel shows them the Russian way.
    cells = [
        c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    ]
    return {
        "html": _visible(render_html(report)),
        "markdown": render_markdown(report) + "\n" + render_yearly(report),
        "xlsx": "\n".join(cells),
    }


@pytest.mark.parametrize("kind", ["html", "markdown", "xlsx"])
def test_reports_show_no_english_values(report_texts: dict[str, str], kind: str) -> None:
    text = report_texts[kind]
    assert english_shown(text) == []
    assert "(ов)" not in text and "(а)" not in text


@pytest.mark.parametrize("kind", ["html", "markdown", "xlsx"])
def test_reports_write_numbers_the_russian_way(report_texts: dict[str, str], kind: str) -> None:
    text = report_texts[kind]
    # A decimal point between digits only in dates (12.06) and versions, never in a value.
    for match in re.finditer(r"(?<![\d.])\d+\.\d+(?![\d.])", text):
        before = text[max(0, match.start() - 20) : match.start()]
        assert re.fullmatch(r"\d\d\.\d\d", match.group()) or "gospages" in before, match
    # Questions agree with their number: «1 вопрос», «2 вопроса», «13 вопросов».
    for n, word in re.findall(r"(\d+)\s(вопрос\w*)", text):
        assert word == plural(int(n), "вопрос", "вопроса", "вопросов"), (n, word)
    for n, word in re.findall(r"(\d+)\s(публикац\w+)", text):
        assert word == plural(int(n), *POSTS), (n, word)


def test_html_report_counts_agree(report_texts: dict[str, str]) -> None:
    text = report_texts["html"]
    assert re.search(r"в неделю при норме 2", text)
    assert re.search(r"Публикаций меньше нормы: \d+(,\d)? в неделю", text)
    assert re.search(r"\d+\s*(организация|организации|организаций)\b", text)
    assert not re.search(r"\b1\s*(организаций|страниц|нарушений)\b", text)


# -- Console ----------------------------------------------------------------------------


def test_demo_console_shows_russian_values(tmp_path: Path) -> None:
    out = io.StringIO()
    code = run_demo(
        console=Console(file=out, width=160),
        report=tmp_path / "report.md",
        audit_html=tmp_path / "audit.html",
    )
    assert code == 0
    text = out.getvalue()
    assert english_shown(text, tuple(w for w in ENGLISH if w not in API_FIELDS)) == []
    assert "опубликовано" in text and "запланировано" in text
    assert "оскорбление" in text and "нецензурная брань" in text


@pytest.mark.parametrize("command", ["audit", "moderate"])
def test_cli_console_shows_russian_values(
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)  # `moderate` keeps its journal in the current folder
    monkeypatch.setenv("COLUMNS", "200")
    assert main([command, "--sandbox"]) == 0
    text = capsys.readouterr().out
    assert english_shown(text) == []
    assert "(ов)" not in text
    for n, word in re.findall(r"(\d+) (комментари\w+|вопрос\w*)", text):
        forms = (
            ("комментарий", "комментария", "комментариев")
            if word.startswith("комментари")
            else ("вопрос", "вопроса", "вопросов")
        )
        assert word == plural(int(n), *forms), (n, word)
