"""The benchmarks still run (CI runs a small smoke of each so that they do not rot).

The figures themselves are written into docs/benchmarks.md by hand; here only that each
script runs, prints its tables, and keeps the invariants a tiny run can check: the fleet
benchmark gets no refusal from the server and stays within the requests of its bound, the
fan-out of pages with their own keys takes about as long as the slowest one.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"


def run(script: str, *args: str, timeout: float = 120) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_fleet_benchmark_prints_its_figures_and_no_refusals() -> None:
    text = run("fleet.py", "--pages", "40", "--scale", "100", "--workload", "full", timeout=240)
    assert "граница:" in text and "пик RSS" in text and "vk_api / gospages" in text
    rows = re.findall(
        r"^  (gospages|vk_api)\s+запросов\s+(\d+)\s+отказов \(ошибка 6\)\s+(\d+)", text, re.M
    )
    assert {name for name, _, _ in rows} == {"gospages", "vk_api"}, text
    for name, requests, refused in rows:
        assert int(requests) > 0, text
        assert int(refused) == 0, f"{name}: {text}"
    assert "страниц с ошибкой 0" in text


def test_the_fleet_benchmark_with_a_user_key_sends_exactly_its_bound() -> None:
    text = run(
        "fleet.py",
        *("--pages", "60", "--scale", "100", "--keys", "service+user"),
        *("--workload", "both", "--clients", "gospages"),
        timeout=240,
    )
    bounds = [int(n) for n in re.findall(r"граница: (\d+) запросов", text)]
    sent = [int(n) for n in re.findall(r"^  gospages\s+запросов\s+(\d+)", text, re.M)]
    assert len(bounds) == len(sent) == 2, text
    assert sent == bounds, text
    assert "execute (user)" in text and "wall.get (" not in text


def test_the_publish_fanout_takes_about_as_long_as_the_slowest_page() -> None:
    out = run("publish_fanout.py", "--pages", "10")
    row = next(line for line in out.splitlines() if line.startswith("свой ключ у страницы"))
    pages, wall, slowest, ratio, _ = row.removeprefix("свой ключ у страницы").split()
    assert int(pages) == 10
    assert float(wall) > 0 and float(slowest) > 0
    assert float(ratio) <= 1.2, out
    assert "один ключ на всех" in out


def test_moderation_benchmark_prints_quality_and_the_speed_ratio() -> None:
    out = run("bench_moderation.py", "--smoke")
    assert "| `obscene` | all |" in out
    assert "## Скорость RuleClassifier" in out
    if importlib.util.find_spec("obscene_words_filter") is None:
        pytest.skip("python-obscene-words-filter не установлен (extra bench)")
    section = out.split("## Скорость против python-obscene-words-filter", 1)[1]
    ratio_row = next(line for line in section.splitlines() if line.startswith("| rules"))
    ratio = float(ratio_row.rstrip(" |").rsplit("|", 1)[1])
    assert ratio > 0
