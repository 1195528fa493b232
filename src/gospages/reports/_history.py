"""The history of audits: run summaries for trends, and the pages of a run as they finish."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import _sqlite
from ..requirements import AuditReport, PageResult
from ._summary import summarize

__all__ = ["AuditHistory"]

_SCHEMA = 1
"""``PRAGMA user_version`` of the current layout (0: summaries only, before issue 12)."""


class AuditHistory:
    """Audits in an SQLite file: a report shows the trend since last time, and an
    interrupted audit goes on where it stopped.

    Per run it keeps the JSON of :func:`gospages.reports.summarize` (table ``audits``) and,
    while the run goes on, each finished page's compact result (tables ``runs`` and
    ``page_results``: profile figures, post dates and views, findings; no post or
    comment texts beyond the capped question excerpts the report shows, no keys). When a
    run finishes, its per-page results are dropped and the summary stays. Files written
    before issue 12 (summaries only) are upgraded when opened.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS audits (id INTEGER PRIMARY KEY, "
                "policy TEXT NOT NULL, created_at TEXT NOT NULL, summary TEXT NOT NULL)"
            )
            if db.execute("PRAGMA user_version").fetchone()[0] < _SCHEMA:
                columns = {row[1] for row in db.execute("PRAGMA table_info(audits)")}
                if "run_id" not in columns:
                    db.execute("ALTER TABLE audits ADD COLUMN run_id INTEGER")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, "
                    "key TEXT NOT NULL, policy TEXT NOT NULL, days INTEGER NOT NULL, "
                    "created_at TEXT NOT NULL, total INTEGER NOT NULL, finished_at TEXT)"
                )
                db.execute(
                    "CREATE TABLE IF NOT EXISTS page_results (run_id INTEGER NOT NULL "
                    "REFERENCES runs(id), idx INTEGER NOT NULL, result TEXT NOT NULL, "
                    "PRIMARY KEY (run_id, idx))"
                )
                db.execute(f"PRAGMA user_version = {_SCHEMA}")

    def _connect(self) -> sqlite3.Connection:
        # WAL: a write of a few pages' results is one append, not a rewrite of the file,
        # and readers do not block it; NORMAL syncs at checkpoints (a power cut may lose
        # the last pages, which a resumed run reads again; the file stays consistent).
        return _sqlite.connect(self.path)

    def save(self, report: AuditReport) -> None:
        """Store the summary of a run made without per-page results (or by hand)."""
        with closing(self._connect()) as db, db:
            self._insert_summary(db, report, None)

    @staticmethod
    def _insert_summary(db: sqlite3.Connection, report: AuditReport, run: int | None) -> None:
        db.execute(
            "INSERT INTO audits (policy, created_at, summary, run_id) VALUES (?, ?, ?, ?)",
            (
                report.policy,
                report.created_at.isoformat(),
                json.dumps(summarize(report), ensure_ascii=False),
                run,
            ),
        )

    def previous(self, policy: str | None = None) -> dict[str, Any] | None:
        """The latest stored summary (of ``policy``, if given), or ``None``."""
        query = "SELECT summary FROM audits"
        args: tuple[str, ...] = ()
        if policy is not None:
            query += " WHERE policy = ?"
            args = (policy,)
        with closing(self._connect()) as db:
            row = db.execute(query + " ORDER BY id DESC LIMIT 1", args).fetchone()
        if row is None:
            return None
        summary: dict[str, Any] = json.loads(row[0])
        return summary

    def runs(self) -> list[tuple[str, str]]:
        """``(created_at, policy)`` of every finished run, oldest first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT created_at, policy FROM audits ORDER BY id").fetchall()
        return [(str(a), str(b)) for a, b in rows]

    # -- per-page results of a run (gospages.requirements.PageResultStore) ------------------

    def start_run(
        self, key: str, *, policy: str, days: int, created_at: datetime, total: int
    ) -> int:
        """Open a run of ``total`` pages; its id. An unfinished run of the same ``key``
        is dropped: a new run of the same audit replaces it."""
        with closing(self._connect()) as db, db:
            db.execute(
                "DELETE FROM page_results WHERE run_id IN "
                "(SELECT id FROM runs WHERE key = ? AND finished_at IS NULL)",
                (key,),
            )
            db.execute("DELETE FROM runs WHERE key = ? AND finished_at IS NULL", (key,))
            cursor = db.execute(
                "INSERT INTO runs (key, policy, days, created_at, total) VALUES (?, ?, ?, ?, ?)",
                (key, policy, days, created_at.isoformat(), total),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def unfinished_run(self, key: str) -> tuple[int, datetime, int] | None:
        """The latest unfinished run of ``key``: ``(id, created_at, pages stored)``."""
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT id, created_at FROM runs WHERE key = ? AND finished_at IS NULL "
                "ORDER BY id DESC LIMIT 1",
                (key,),
            ).fetchone()
            if row is None:
                return None
            (stored,) = db.execute(
                "SELECT count(*) FROM page_results WHERE run_id = ?", (row[0],)
            ).fetchone()
        return int(row[0]), datetime.fromisoformat(row[1]), int(stored)

    def add_results(self, run: int, results: Sequence[PageResult]) -> None:
        """Store finished pages of ``run`` (one transaction)."""
        with closing(self._connect()) as db, db:
            db.executemany(
                "INSERT OR REPLACE INTO page_results (run_id, idx, result) VALUES (?, ?, ?)",
                [(run, r.index, r.dump()) for r in results],
            )

    def run_results(self, run: int) -> Iterator[tuple[int, str]]:
        """``(index, stored result)`` of the pages ``run`` has finished, by index."""
        with closing(self._connect()) as db:
            yield from (
                (int(i), str(text))
                for i, text in db.execute(
                    "SELECT idx, result FROM page_results WHERE run_id = ? ORDER BY idx", (run,)
                )
            )

    def finish_run(self, run: int, report: AuditReport) -> None:
        """Keep the run's summary (as :meth:`save`), close it and drop its page results."""
        with closing(self._connect()) as db, db:
            self._insert_summary(db, report, run)
            db.execute(
                "UPDATE runs SET finished_at = ? WHERE id = ?", (report.created_at.isoformat(), run)
            )
            db.execute("DELETE FROM page_results WHERE run_id = ?", (run,))

    def discard_run(self, run: int) -> None:
        """Forget a run that is not worth keeping or resuming (nothing could be read)."""
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM page_results WHERE run_id = ?", (run,))
            db.execute("DELETE FROM runs WHERE id = ?", (run,))
