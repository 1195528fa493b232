"""The journal in an SQLite file (WAL): the embedded default."""

from __future__ import annotations

from pathlib import Path

from .. import _sqlite
from ._journal_sql import SQLJournal

__all__ = ["SQLiteJournal"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    platform TEXT NOT NULL,
    page TEXT NOT NULL,
    due REAL,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_state ON journal (state, due);
CREATE INDEX IF NOT EXISTS journal_page ON journal (platform, page);
"""


class SQLiteJournal(SQLJournal):
    """The journal in the SQLite file ``path`` (created when missing), in WAL mode so that
    readers never wait for the process that publishes. Several processes on one machine
    may share the file: each entry is still sent once."""

    def __init__(self, path: str | Path, *, lease_seconds: float | None = None) -> None:
        super().__init__()
        if lease_seconds is not None:
            self.lease_seconds = lease_seconds
        self.path = Path(path)
        # FULL, not NORMAL: an intent must survive a power cut too, or a post sent just
        # before it would look unsent afterwards (publishing is paced by the platforms'
        # limits; an fsync per state change costs nothing there).
        self._db = _sqlite.connect(
            self.path, synchronous="FULL", isolation_level=None, check_same_thread=False
        )
        self._db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"SQLiteJournal({str(self.path)!r})"

    @property
    def where(self) -> str:
        return str(self.path)
