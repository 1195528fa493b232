"""The history of audits, so that a report can show the trend since last time."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from ..requirements import AuditReport
from ._summary import summarize

__all__ = ["AuditHistory"]


class AuditHistory:
    """Audit summaries in an SQLite file, so a report can show the trend since last time.

    Stores the JSON of :func:`gospages.reports.summarize` per run; nothing else (no
    comments' texts, no keys).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS audits (id INTEGER PRIMARY KEY, "
                "policy TEXT NOT NULL, created_at TEXT NOT NULL, summary TEXT NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def save(self, report: AuditReport) -> None:
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO audits (policy, created_at, summary) VALUES (?, ?, ?)",
                (
                    report.policy,
                    report.created_at.isoformat(),
                    json.dumps(summarize(report), ensure_ascii=False),
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
        """``(created_at, policy)`` of every stored run, oldest first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT created_at, policy FROM audits ORDER BY id").fetchall()
        return [(str(a), str(b)) for a, b in rows]
