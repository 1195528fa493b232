"""CI smoke of benchmarks/fleet.py: a small fleet, both clients, so the harness does not rot."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_fleet_benchmark_prints_its_figures_and_no_refusals() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "fleet.py"),
            "--pages",
            "40",
            "--scale",
            "100",
            "--workload",
            "full",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    text = out.stdout
    assert "граница:" in text and "пик RSS" in text and "vk_api / gospages" in text
    rows = re.findall(
        r"^  (gospages|vk_api)\s+запросов\s+(\d+)\s+отказов \(ошибка 6\)\s+(\d+)", text, re.M
    )
    assert {name for name, _, _ in rows} == {"gospages", "vk_api"}, text
    for name, requests, refused in rows:
        assert int(requests) > 0, text
        assert int(refused) == 0, f"{name}: {text}"
    assert "страниц с ошибкой 0" in text
