"""The benchmarks still run (CI runs a small smoke of each so that they do not rot).

The figures themselves are written into docs/benchmarks.md by hand; here only that each
script runs and prints its tables.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


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
