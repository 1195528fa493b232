"""Every example runs on the sandbox with no keys and no network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import gospages

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("[0-9]*.py"))


def test_there_is_an_example_per_feature() -> None:
    assert len(EXAMPLES) >= 7


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_on_the_sandbox(script: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOSPAGES_")}
    # The gospages under test, whatever the working directory of the example.
    src = str(Path(gospages.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "sandbox-user-token" not in result.stdout + result.stderr
