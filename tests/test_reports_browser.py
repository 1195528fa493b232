"""The HTML report in a real browser: headless Chromium draws it, offline, without errors.

Skipped when Chromium is not installed (``apt-get install -y chromium``).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from markupsafe import escape

from gospages.reports import render_html
from gospages.requirements import AuditReport

from ._report_data import build_report, with_previous

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium не установлен (apt-get install -y chromium)"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def console_problems(stderr: str, url: str) -> list[str]:
    """Console messages of the page: errors, blocked loads (CSP), uncaught exceptions."""
    return [
        line
        for line in stderr.splitlines()
        if (":CONSOLE" in line or "Uncaught" in line) and url in line
    ]


@pytest.fixture(scope="module")
def report() -> AuditReport:
    return with_previous(build_report())


@pytest.fixture
def page(report: AuditReport, tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def test_screenshot_is_drawn(page: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    done = chromium(tmp_path, f"--screenshot={png}", "--window-size=1280,2000", page.as_uri())
    assert png.exists(), done.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 10_000  # charts and tables, not a blank page


def test_dom_has_the_charts_and_no_console_errors(
    report: AuditReport, page: Path, tmp_path: Path
) -> None:
    done = chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri())
    dom = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(re.findall(r"<svg\b", dom)) == 3
    assert "Организации без страниц" in dom and 'id="trend"' in dom
    for org in report.organizations:
        assert str(escape(org.name)) in dom
    assert console_problems(done.stderr, page.as_uri()) == []


def test_a_resource_from_outside_would_be_caught(page: Path, tmp_path: Path) -> None:
    """The check above can fail: an external image is blocked by the report's CSP and logged."""
    bad = tmp_path / "bad.html"
    html = page.read_text(encoding="utf-8")
    bad.write_text(
        html.replace("<main>", '<main><img src="https://example.com/logo.png" alt="">', 1),
        encoding="utf-8",
    )
    done = chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", bad.as_uri())
    problems = console_problems(done.stderr, bad.as_uri())
    assert any("example.com/logo.png" in line for line in problems), done.stderr[-2000:]
