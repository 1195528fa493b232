"""The journal in an SQLite file (WAL): the embedded default."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from .._models import Platform
from ._journal import EntryState, Journal, JournalEntry

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


class SQLiteJournal(Journal):
    """The journal in the SQLite file ``path`` (created when missing), in WAL mode so that
    readers never wait for the process that publishes. Several processes on one machine
    may share the file: each entry is still sent once."""

    def __init__(self, path: str | Path, *, lease_seconds: float | None = None) -> None:
        super().__init__()
        if lease_seconds is not None:
            self.lease_seconds = lease_seconds
        self.path = Path(path)
        self._db: sqlite3.Connection | None = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL, not NORMAL: an intent must survive a power cut too, or a post sent just
        # before it would look unsent afterwards (publishing is paced by the platforms'
        # limits; an fsync per state change costs nothing there).
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"SQLiteJournal({str(self.path)!r})"

    @property
    def where(self) -> str:
        return str(self.path)

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError(f"Журнал {self.path} закрыт")
        return self._db

    def get(self, key: str) -> JournalEntry | None:
        row = self._conn.execute("SELECT data FROM journal WHERE key = ?", (key,)).fetchone()
        return JournalEntry.loads(row[0]) if row else None

    def insert(self, entry: JournalEntry) -> JournalEntry:
        self._conn.execute(
            "INSERT INTO journal (key, state, platform, page, due, version, created, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (
                entry.key,
                entry.state.value,
                entry.platform.value,
                entry.page,
                entry.due_ts,
                entry.version,
                entry.created.isoformat(),
                entry.dumps(),
            ),
        )
        stored = self.get(entry.key)
        assert stored is not None
        return stored

    def replace(self, old: JournalEntry, new: JournalEntry) -> JournalEntry | None:
        stored = new.model_copy(update={"version": old.version + 1})
        changed = self._conn.execute(
            "UPDATE journal SET state = ?, due = ?, version = ?, data = ? "
            "WHERE key = ? AND version = ?",
            (
                stored.state.value,
                stored.due_ts,
                stored.version,
                stored.dumps(),
                old.key,
                old.version,
            ),
        ).rowcount
        return stored if changed == 1 else None

    def entries(
        self,
        *,
        states: Iterable[EntryState] | None = None,
        platform: Platform | None = None,
        page: str | None = None,
    ) -> list[JournalEntry]:
        where, args = [], []
        if states is not None:
            wanted = [s.value for s in states]
            where.append(f"state IN ({','.join('?' * len(wanted))})")
            args += wanted
        if platform is not None:
            where.append("platform = ?")
            args.append(platform.value)
        if page is not None:
            where.append("page = ?")
            args.append(page)
        sql = "SELECT data FROM journal"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._conn.execute(sql + " ORDER BY created, key", args).fetchall()
        return [JournalEntry.loads(r[0]) for r in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
