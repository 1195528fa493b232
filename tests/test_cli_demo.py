from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console

import gospages
from gospages._demo import run_demo
from gospages.cli import main


def test_demo_runs_everything_and_writes_a_report(tmp_path: Path) -> None:
    out = io.StringIO()
    report = tmp_path / "report.md"
    audit = tmp_path / "audit.html"
    code = run_demo(console=Console(file=out, width=120), report=report, audit_html=audit)
    text = out.getvalue()
    assert code == 0
    for expected in (
        "Что разрешают ключи",
        "Администрация Энского района",
        "Одноклассники",
        "Telegram",
        "госметка",
        "Активность за 7 дней",
        "wall-100001_",
        "ok.ru/group/53038939046008/topic/",
        "t.me/ensk_adm/",
        "запланировано",  # PublishStatus.SCHEDULED.label
        "записей: 1",  # the lost answer did not double the post
        "удалён спам",
        "41-ФЗ",
        "TokenTypeError",
        "152-PD",  # the draft post check
        "Аудит области",
        "FZ8-10-OP",  # the settlement without a page
        "Каменского",
        "Модерация комментариев",
        "удалить и заблокировать",
        "Журнал публикаций",  # the cascade went through a journal
        "novost-kluby:vk:200003",
    ):
        assert expected in text, expected
    saved = report.read_text(encoding="utf-8")
    html = audit.read_text(encoding="utf-8")
    assert "<svg" in html and "Администрация Каменского сельского поселения" in html
    assert "| публикация | нет | нет | да | да | да* |" in saved
    assert "| блокировка | нет | нет | да | нет | нет |" in saved
    for secret in (
        "sandbox-user-token",
        "sandbox-ok-access-token",
        "sandbox-ok-app-secret",
        "region-vk-user-token",
        "region-ok-access-token",
    ):
        assert secret not in text + saved + html


def test_cli_version_and_help(capsys: object) -> None:
    assert main([]) == 2


def test_console_script_entry_point(tmp_path: Path) -> None:
    # The gospages under test, whatever the working directory.
    src = str(Path(gospages.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [sys.executable, "-m", "gospages", "demo", "--no-report"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Готово" in result.stdout
    assert not list(tmp_path.iterdir())
