"""Issue 11, «Done when»: a district's own registry, made in Excel with hyperlinks, goes
`gospages registry check` → `gospages audit --sandbox` → HTML + XLSX + DOCX, without a
traceback or a misleading number (the district of Усть-Уда, Иркутская область)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from gospages.cli import main
from gospages.reports import NO_PAGE, SCORE_COLUMN, SHEET_SUMMARY, SHEET_TSUR

docx = pytest.importorskip("docx")

ADMIN = "Администрация муниципального образования «Усть-Удинский район» Иркутской области"
DUMA = "Дума муниципального образования «Усть-Удинский район»"
SETTLEMENTS = (
    "Аносовское",
    "Балаганкинское",
    "Игжейское",
    "Ключинское",
    "Малышевское",
    "Молькинское",
    "Новоудинское",
    "Подволоченское",
    "Светлолобовское",
    "Усть-Удинское",
)
LIBRARY = "МКУК «Межпоселенческая центральная библиотека Усть-Удинского района»"
SCHOOL = "МБОУ «Усть-Удинская средняя общеобразовательная школа № 2»"
#: Settlements without a page: they must still be in every report.
NO_PAGES = {"Ключинское", "Подволоченское"}

HEADER = (
    "id",
    "Наименование организации",
    "вид",
    "уровень",
    "родитель",
    "Соц. сеть",
    "Ссылка на страницу",
)


def settlement_name(name: str) -> str:
    return f"Администрация {name.removesuffix('ое')}ого муниципального образования"


def rows() -> list[tuple[str, str, str, str, str, str, str]]:
    """``(id, name, kind, level, parent, network, url)``; an empty url: no page."""
    out = [
        ("ustuda", ADMIN, "ОМСУ", "район", "", "vk", "https://vk.com/ust_uda_adm"),
        ("ustuda", ADMIN, "ОМСУ", "район", "", "ok", "https://ok.ru/group/70000000000123"),
        ("duma", DUMA, "ОМСУ", "район", "ustuda", "vk", "https://vk.com/club210001"),
    ]
    for i, name in enumerate(SETTLEMENTS, start=1):
        org = f"s{i:02d}"
        if name in NO_PAGES:
            out.append((org, settlement_name(name), "ОМСУ", "поселение", "ustuda", "", ""))
        elif i % 3 == 0:
            url = f"https://ok.ru/group/7000000000{i:04d}"
            out.append((org, settlement_name(name), "ОМСУ", "поселение", "ustuda", "ok", url))
        else:
            url = f"https://vk.com/club22{i:04d}"
            out.append((org, settlement_name(name), "ОМСУ", "поселение", "ustuda", "vk", url))
    out.append(("library", LIBRARY, "подведомственная", "учреждение", "ustuda", "vk", ""))
    out[-1] = (*out[-1][:6], "https://vk.com/ustuda_library")
    out.append(("school", SCHOOL, "подведомственная", "учреждение", "ustuda", "vk", ""))
    out[-1] = (*out[-1][:6], "https://vk.com/club230002")
    return out


NAMES = [ADMIN, DUMA, LIBRARY, SCHOOL, *(settlement_name(n) for n in SETTLEMENTS)]


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The registry as made in Excel: addresses are hyperlinks behind display text."""
    for name in list(os.environ):
        if name.startswith("GOSPAGES_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Реестр"
    sheet.append(HEADER)
    for row in rows():
        *head, url = row
        sheet.append([*head, None])
        if url:
            cell = sheet.cell(sheet.max_row, len(HEADER))
            cell.value = "ВКонтакте" if "vk.com" in url else "Одноклассники"
            cell.hyperlink = url
            cell.style = "Hyperlink"
    path = tmp_path / "Реестр Усть-Удинского района.xlsx"
    book.save(path)
    return path


def test_ustuda_registry_check_audit_html_xlsx_docx(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["registry", "check", str(registry)]) == 0
    checked = capsys.readouterr()
    assert "Traceback" not in checked.out + checked.err

    html, xlsx, word = tmp_path / "отчёт.html", tmp_path / "цур.xlsx", tmp_path / "дума.docx"
    yearly, listing = tmp_path / "абзац.txt", tmp_path / "страницы.json"
    code = main(
        [
            "audit",
            str(registry),
            "--sandbox",
            "--html",
            str(html),
            "--xlsx",
            str(xlsx),
            "--docx",
            str(word),
            "--yearly",
            str(yearly),
            "--pages-list",
            str(listing),
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.out[-3000:]
    assert "Traceback" not in out.out + out.err
    assert all(p.exists() for p in (html, xlsx, word, yearly, listing))

    page = html.read_text(encoding="utf-8")
    book = load_workbook(xlsx)
    cells = [str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r if c.value]
    document = docx.Document(str(word))
    word_text = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    for name in NAMES:
        assert name in page or name.replace("«", "&#171;") in page, name
        assert any(name in c for c in cells), name
        assert name in word_text, name
    for text in (page, "\n".join(cells), word_text, yearly.read_text(encoding="utf-8")):
        assert "Энск" not in text
    # Sandbox content is said to be invented everywhere.
    assert "выдуманн" in page and "выдуманн" in word_text and "ПЕСОЧНИЦА" in book.sheetnames

    # No misleading number: settlements without pages are on the ЦУР sheet, marked; no
    # text in number columns; subscribers are real sums, not zeros of unknowns.
    tsur = list(book[SHEET_TSUR].iter_rows(values_only=True))
    header = tsur[0]
    marked = [r[0] for r in tsur[1:] if r[1] == NO_PAGE]
    assert sorted(marked) == sorted(settlement_name(n) for n in NO_PAGES)
    scores = [r[header.index(SCORE_COLUMN)] for r in tsur[1:] if r[1] != NO_PAGE]
    assert scores and all(isinstance(s, (int, float)) for s in scores)
    assert not any(c == "нет данных" for r in tsur[1:] for c in r)
    summary = {r[0]: r for r in book[SHEET_SUMMARY].iter_rows(values_only=True) if r[0]}
    assert isinstance(summary["Всего"][2], int) and summary["Всего"][2] > 0
    pages_listed = {o["name"] for o in json.loads(listing.read_text(encoding="utf-8"))}
    assert ADMIN in pages_listed and SCHOOL in pages_listed
    assert settlement_name("Ключинское") not in pages_listed


def test_audit_output_options_are_checked_before_the_run(
    registry: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listing = tmp_path / "страницы.txt"
    assert main(["audit", str(registry), "--sandbox", "--pages-list", str(listing)]) == 2
    out = capsys.readouterr().out
    assert "нужен файл .html или .json" in out and "Итого" not in out
    assert not listing.exists()

    from gospages.reports import _docx

    monkeypatch.setattr(_docx, "docx_available", lambda: False)
    word = tmp_path / "дума.docx"
    assert main(["audit", str(registry), "--sandbox", "--docx", str(word)]) == 2
    out = capsys.readouterr().out
    assert "python-docx" in out and "gospages[docx]" in out and "Итого" not in out
    assert "Traceback" not in out and not word.exists()


def test_audit_writes_the_pages_list_as_html(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "страницы.html"
    assert main(["audit", str(registry), "--sandbox", "--pages-list", str(listing)]) == 0
    capsys.readouterr()
    html = listing.read_text(encoding="utf-8")
    assert html.startswith('<section class="gospages-pages">')
    assert 'href="https://vk.com/ust_uda_adm"' in html and "Дума муниципального" in html
