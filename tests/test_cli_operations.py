"""The operational commands: audit, check-post, moderate, inbox (in process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gospages.cli import main


def test_check_post(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "ok.txt"
    clean.write_text("Приём граждан в четверг с 10:00.", encoding="utf-8")
    assert main(["check-post", str(clean)]) == 0
    assert "Замечаний нет" in capsys.readouterr().out
    risky = tmp_path / "risky.txt"
    risky.write_text("Звоните хозяйке +7 913 555-12-34, " + "а" * 17000, encoding="utf-8")
    assert main(["check-post", str(risky)]) == 1  # over VK's limit: an error
    out = capsys.readouterr().out
    assert "152-PD" in out and "GP-LIMITS" in out
    assert main(["check-post", str(tmp_path / "missing.txt")]) == 2


def test_audit_on_the_sandbox_writes_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html, xlsx, md, db = (tmp_path / n for n in ("a.html", "a.xlsx", "a.md", "h.sqlite"))
    code = main(
        [
            "audit",
            "--sandbox",
            "--policy",
            "tomsk",
            "--html",
            str(html),
            "--xlsx",
            str(xlsx),
            "--md",
            str(md),
            "--history",
            str(db),
            "--fail-on-errors",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1  # the sandbox region has violations, and --fail-on-errors says so
    assert "FZ8-10-OP" in out and "Итого" in out
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert xlsx.stat().st_size > 1000 and "|" in md.read_text(encoding="utf-8")
    assert main(["audit", "--policy", "moscow"]) == 2


def test_moderate_dry_run_then_inbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "inbox.sqlite"
    assert main(["moderate", "--sandbox", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "пробный прогон" in out and "заблокировать" in out
    log = tmp_path / "log.csv"
    assert main(["inbox", "--db", str(db), "--csv", str(log)]) == 0
    assert log.read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["inbox", "--db", str(tmp_path / "none.sqlite")]) == 2


def test_bad_arguments_are_russian_errors_not_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "--sandbox", "--days", "0"])
    assert exit_info.value.code == 2
    assert "больше 0" in capsys.readouterr().err
    missing_dir = tmp_path / "no" / "such" / "dir"
    assert main(["audit", "--sandbox", "--history", str(missing_dir / "h.sqlite")]) == 2
    assert main(["moderate", "--sandbox", "--db", str(missing_dir / "m.sqlite")]) == 2
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("это не база", encoding="utf-8")
    assert main(["inbox", "--db", str(not_a_db)]) == 2
    assert "Ошибка" in capsys.readouterr().out
