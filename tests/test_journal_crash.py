"""The publishing journal across processes (issue 13): the publisher killed with SIGKILL at
25 points of the publish path and restarted, and two publishers on one journal, each
entry published once.

The sandbox region's VK and OK fakes are served here; the publishers run ``run_due`` in
child processes (benchmarks/journal_crash.py). Telegram is left out: FakeTelegram is not
served over HTTP (its in-process proof is tests/test_journal.py).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .test_journal_pg import pg_dsn  # noqa: F401 (the throwaway PostgreSQL server)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "journal_crash", ROOT / "benchmarks" / "journal_crash.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["journal_crash"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _child_finds_gospages(monkeypatch: pytest.MonkeyPatch) -> None:
    # The publisher processes import gospages from this checkout.
    src = str(ROOT / "src")
    current = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", src + (os.pathsep + current if current else ""))


def _nothing_twice_nothing_lost(figures: Any) -> None:
    assert figures.duplicates == 0
    assert figures.lost == 0
    assert figures.extra_sends == 0
    assert figures.not_published == 0, figures.messages
    assert figures.wrong_receipts == 0


def test_25_sigkills_over_the_publish_path_nothing_twice_nothing_lost(
    harness: ModuleType,
) -> None:
    points = harness.crash_points(25)
    figures = harness.crash_chain(points, items=40)
    assert figures.kills == 25, (figures.exit_codes, figures.messages)
    # Every point of the publish path was hit: before anything is sent (and during the
    # restart's read-back), mid-upload, the post refused by death, the post done unknown.
    assert set(figures.kill_points) == set(harness.MODES)
    assert figures.exit_codes[-1] == 0, figures.messages
    _nothing_twice_nothing_lost(figures)
    assert figures.resent > 0  # some were certainly absent after a kill and sent again


def test_two_publisher_processes_on_one_sqlite_journal(harness: ModuleType) -> None:
    figures = harness.twins(items=40)
    assert figures.exit_codes == [0, 0], figures.messages
    _nothing_twice_nothing_lost(figures)
    assert len(figures.senders) == 2  # both processes did publish some


def test_two_publisher_processes_on_one_postgres_journal(
    harness: ModuleType,
    pg_dsn: str,  # noqa: F811
) -> None:
    where = harness.fresh_database(pg_dsn, "journal_twins")
    figures = harness.twins(items=40, journal=where)
    assert figures.exit_codes == [0, 0], figures.messages
    _nothing_twice_nothing_lost(figures)
    assert len(figures.senders) == 2


def test_sigkills_on_a_postgres_journal(harness: ModuleType, pg_dsn: str) -> None:  # noqa: F811
    where = harness.fresh_database(pg_dsn, "journal_kills")
    figures = harness.crash_chain(harness.crash_points(8, seed=5), items=16, journal=where)
    assert figures.kills == 8, (figures.exit_codes, figures.messages)
    assert figures.exit_codes[-1] == 0, figures.messages
    _nothing_twice_nothing_lost(figures)
