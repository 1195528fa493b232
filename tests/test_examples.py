"""Every example runs on the sandbox with no keys and no network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ._forked import run_script

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("[0-9]*.py"))


def test_there_is_an_example_per_feature() -> None:
    assert len(EXAMPLES) >= 7


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_on_the_sandbox(script: Path, tmp_path: Path) -> None:
    # As `python examples/NN.py` in an empty folder with no keys in the environment, in a
    # process of its own (forked from one that imported gospages already: see _forked.py).
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOSPAGES_")}
    code, output = run_script(script, cwd=tmp_path, env=env)
    assert code == 0, output
    assert output.strip()
    assert "sandbox-user-token" not in output
