"""Errors a newcomer hits, said in Russian before any work; what ``moderate --apply`` did."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from gospages import _cli_audit
from gospages.cli import main
from gospages.moderation import JOURNAL_HEADERS

PHONE_POST = "Уважаемые жители! Обращайтесь к Ивановой по телефону +7 913 555-12-34."


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    return " ".join((captured.out + captured.err).split())  # rich wraps long lines


# -- check-post reads drafts as they arrive ------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16", "utf-8-sig"])
def test_check_post_reads_text_in_office_encodings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    draft = tmp_path / "пресс-релиз.txt"
    draft.write_bytes(PHONE_POST.encode(encoding))
    assert main(["check-post", str(draft)]) == 0  # a warning
    out = _out(capsys)
    assert "152-PD" in out and "codec" not in out


def test_check_post_reads_a_word_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("Приём граждан в четверг с 10:00.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Контакт"
    table.rows[0].cells[1].text = "+7 913 555-12-34"
    path = tmp_path / "релиз.docx"
    document.save(str(path))
    assert main(["check-post", str(path)]) == 0  # a warning
    assert "152-PD" in _out(capsys)  # the phone was in a table of the document

    clean = docx.Document()
    clean.add_paragraph("Приём граждан в четверг с 10:00.")
    clean.save(str(path))
    assert main(["check-post", str(path)]) == 0
    assert "Замечаний нет" in _out(capsys)


def test_check_post_explains_word_files_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "релиз.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0 old word")
    assert main(["check-post", str(old)]) == 2
    assert "сохраните документ как .docx" in _out(capsys)

    broken = tmp_path / "битый.docx"
    broken.write_bytes(b"not a zip at all \xd3\xd3")
    assert main(["check-post", str(broken)]) == 2
    out = _out(capsys)
    assert "битый.docx" in out and "документ Word" in out and "Traceback" not in out

    monkeypatch.setitem(sys.modules, "docx", None)  # python-docx is not installed
    assert main(["check-post", str(broken)]) == 2
    assert "pip install 'gospages[docx]'" in _out(capsys)


def test_check_post_refuses_binary_junk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "photo.txt"
    junk.write_bytes(b"\x89PNG\x00\x00\x00")
    assert main(["check-post", str(junk)]) == 2
    out = _out(capsys)
    assert "photo.txt" in out and "не текстовый" in out


# -- a missing file, in every command ---------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["audit", "{missing}"],
        ["audit", "{missing}", "--sandbox"],
        ["moderate", "{missing}", "--db", "{tmp}/m.sqlite"],
        ["moderate", "{missing}", "--sandbox", "--db", "{tmp}/m.sqlite"],
        ["check-post", "{missing}"],
        ["registry", "check", "{missing}"],
        ["registry", "show", "{missing}"],
        ["registry", "convert", "{missing}", "{tmp}/out.csv"],
        ["audit", "--sandbox", "--policy", "{missing}.toml"],
    ],
)
def test_a_missing_file_is_named_in_russian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    missing = tmp_path / "реестр района.xlsx"
    argv = [a.format(missing=missing, tmp=tmp_path) for a in command]
    assert main(argv) in (1, 2)
    out = _out(capsys)
    assert "Файл не найден" in out and "реестр района.xlsx" in out
    assert "Errno" not in out and "No such file" not in out and "Traceback" not in out


# -- outputs are checked before anything is read ----------------------------------------------


def test_outputs_are_checked_before_the_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_audit(*args: object, **kwargs: object) -> None:
        raise AssertionError("the audit must not start")

    monkeypatch.setattr(_cli_audit, "audit_registry", no_audit)
    nowhere = tmp_path / "нет такой папки" / "отчёт.html"
    assert main(["audit", "--sandbox", "--html", str(nowhere)]) == 2
    out = _out(capsys)
    assert "--html" in out and "нет такой папки" in out and "проверка не начата" in out

    # Checked before the registry is read: its absence is not what is said.
    assert main(["audit", str(tmp_path / "нет.xlsx"), "--xlsx", str(nowhere)]) == 2
    out = _out(capsys)
    assert "--xlsx" in out and "Файл не найден" not in out

    assert main(["audit", "--sandbox", "--md", str(tmp_path)]) == 2
    assert "это папка" in _out(capsys)


def test_inbox_csv_to_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["inbox", "--db", str(tmp_path / "j.sqlite"), "--csv", str(tmp_path / "a" / "j.csv")])
        == 2
    )
    assert "--csv" in _out(capsys)


# -- moderate: the dry run and --apply say what they did --------------------------------------


def test_apply_says_what_was_done_and_where_the_journal_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "журнал.sqlite"
    assert main(["moderate", "--sandbox", "--db", str(db)]) == 0
    dry = _out(capsys)
    assert "Пробный прогон: на страницах ничего не изменено" in dry
    assert "Выполнено" not in dry and str(db.resolve()) in dry

    assert main(["moderate", "--sandbox", "--db", str(db), "--apply"]) == 0
    out = _out(capsys)
    assert "Пробный прогон: на страницах" not in out
    assert "Выполнено: удалено комментариев — " in out
    assert "с блокировкой автора — " in out and "отправлено ответов — " in out
    assert "передано на проверку — " in out and "ошибок нет" in out
    assert f"Журнал: {db.resolve()}" in out
    deleted = int(out.split("удалено комментариев — ")[1].split()[0])
    assert deleted > 0

    journal = tmp_path / "журнал.csv"
    assert main(["inbox", "--db", str(db), "--csv", str(journal)]) == 0
    with journal.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file, delimiter=";"))
    assert rows[0] == list(JOURNAL_HEADERS.values())
    assert "Текст комментария" in rows[0] and "Действие" in rows[0]
    action = rows[0].index("Действие")
    applied = [r for r in rows[1:] if r[rows[0].index("Пробный прогон")] == "нет"]
    # Values are shown in Russian too (the SQLite state keeps the codes).
    removed = ("удалить", "удалить и заблокировать")
    assert sum(r[action] in removed for r in applied) == deleted
    assert {r[rows[0].index("Площадка")] for r in rows[1:]} <= {
        "ВКонтакте",
        "Одноклассники",
        "Telegram",
        "MAX",
    }
