"""The report as a Word document (`write_docx`), read back with python-docx."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest

from gospages.reports import render_yearly, write_docx
from gospages.reports._docx import DOCX_MISSING, PAGES_HEADER
from gospages.requirements import AuditReport, Severity

from ._report_data import build_report

docx = pytest.importorskip("docx")


@pytest.fixture(scope="module")
def report() -> AuditReport:
    return build_report()


def all_text(doc: Any) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_docx_has_title_summary_yearly_pages_and_orgs_without_pages(
    report: AuditReport, tmp_path: Path
) -> None:
    path = tmp_path / "отчёт.docx"
    write_docx(report, path, banner="Песочница: выдуманные записи")
    doc = docx.Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings == [
        "Официальные страницы органов власти: отчёт о проверке",
        "Сводка",
        "Для ежегодного отчёта",
        "Страницы",
        "Организации без страниц",
    ]
    text = all_text(doc)
    assert "Песочница: выдуманные записи" in text
    assert render_yearly(report).strip() in [p.text for p in doc.paragraphs]
    pages = next(t for t in doc.tables if tuple(c.text for c in t.rows[0].cells) == PAGES_HEADER)
    assert len(pages.rows) == 1 + len(report.pages)
    assert all(row.cells[0].text and row.cells[1].text for row in pages.rows[1:])
    for audit in report.pages:
        assert audit.org is not None and audit.org.name in text
        if audit.score is not None:
            assert any(
                r.cells[4].text == f"{audit.score.total:g}".replace(".", ",") for r in pages.rows
            )
    errors = [f for a in report.pages for f in a.findings if f.severity is Severity.ERROR]
    assert errors and all(f.message in text for f in errors)
    without = [o for o in report.organizations if not o.pages]
    assert without and all(o.name in text for o in without)
    assert "Энск" in text  # the test region's names, read back as written


def test_docx_without_python_docx_says_how_to_install(
    report: AuditReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_docx(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "docx" or name.startswith("docx."):
            raise ModuleNotFoundError("No module named 'docx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_docx)
    with pytest.raises(ImportError) as caught:
        write_docx(report, tmp_path / "r.docx")
    assert str(caught.value) == DOCX_MISSING
    assert 'pip install "gospages[docx]"' in DOCX_MISSING
    assert not (tmp_path / "r.docx").exists()
