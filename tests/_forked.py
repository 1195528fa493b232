"""Run a script in a process of its own, forked from a server that imported gospages once.

A fresh interpreter spends about 0.6 s importing gospages; the examples and the CLI tests
start a dozen of them. The multiprocessing forkserver imports gospages once and forks a
clean, single-threaded child per script: a separate process, its own working directory,
environment and ``sys.argv``, as ``python script.py`` would have.
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

PRELOAD = [
    "gospages",
    "gospages.moderation",
    "gospages.registry",
    "gospages.reports",
    "gospages.requirements",
    "gospages.testing",
    "gospages.vk",
    "gospages.ok",
    "gospages.telegram",
]


def _run(script: str, argv: list[str], cwd: str, env: dict[str, str], out: str) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.argv = [script, *argv]
    sys.path.insert(0, str(Path(script).parent))
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def run_script(
    script: Path,
    argv: Sequence[str] = (),
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = 120,
) -> tuple[int, str]:
    """``python script argv...`` in ``cwd`` with ``env``: ``(exit code, stdout+stderr)``."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    handle, out = tempfile.mkstemp(prefix="gospages-script-", suffix=".log")
    os.close(handle)
    try:
        process = context.Process(
            target=_run, args=(str(script), list(argv), str(cwd), dict(env), out), daemon=True
        )
        process.start()
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join()
            raise TimeoutError(f"{script.name} did not finish in {timeout} s")
        assert process.exitcode is not None
        return process.exitcode, Path(out).read_text(encoding="utf-8", errors="replace")
    finally:
        Path(out).unlink(missing_ok=True)
