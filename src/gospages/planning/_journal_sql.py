"""What the SQL journals share: one table, the same statements in two dialects.

`SQLiteJournal` and `PostgresJournal` differ only in how they connect, the parameter
mark (``?`` or ``%s``), the JSON column type and how a list of states is matched; the
statements are written once here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .._models import Platform
from ._journal import EntryState, Journal, JournalEntry

__all__ = ["SQLJournal"]


class SQLJournal(Journal):
    """A journal in one SQL table (``key, state, platform, page, due, version, created,
    data``) over a DB-API connection in autocommit mode."""

    _table = "journal"
    _mark = "?"
    """The parameter mark of the driver."""
    _data_in = "?"
    """How the JSON of an entry goes in (``%s::jsonb`` in PostgreSQL)."""
    _data_out = "data"
    """How it comes out as text (``data::text`` in PostgreSQL)."""
    _db: Any = None

    @property
    def _conn(self) -> Any:
        if self._db is None:
            raise RuntimeError(f"Журнал {self.where} закрыт")
        return self._db

    def _states_in(self, states: Sequence[str]) -> tuple[str, list[Any]]:
        """The condition "state is one of ``states``" and its arguments."""
        return f"state IN ({','.join([self._mark] * len(states))})", list(states)

    def get(self, key: str) -> JournalEntry | None:
        row = self._conn.execute(
            f"SELECT {self._data_out} FROM {self._table} WHERE key = {self._mark}",  # noqa: S608 (names are ours)
            (key,),
        ).fetchone()
        return JournalEntry.loads(row[0]) if row else None

    def insert(self, entry: JournalEntry) -> JournalEntry:
        marks = ", ".join([self._mark] * 7 + [self._data_in])
        self._conn.execute(
            f"INSERT INTO {self._table} (key, state, platform, page, due, version, created, "  # noqa: S608
            f"data) VALUES ({marks}) ON CONFLICT (key) DO NOTHING",
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
        m = self._mark
        cursor = self._conn.execute(
            f"UPDATE {self._table} SET state = {m}, due = {m}, version = {m}, "  # noqa: S608
            f"data = {self._data_in} WHERE key = {m} AND version = {m}",
            (
                stored.state.value,
                stored.due_ts,
                stored.version,
                stored.dumps(),
                old.key,
                old.version,
            ),
        )
        return stored if cursor.rowcount == 1 else None

    def entries(
        self,
        *,
        states: Iterable[EntryState] | None = None,
        platform: Platform | None = None,
        page: str | None = None,
    ) -> list[JournalEntry]:
        where: list[str] = []
        args: list[Any] = []
        if states is not None:
            condition, values = self._states_in([s.value for s in states])
            where.append(condition)
            args += values
        if platform is not None:
            where.append(f"platform = {self._mark}")
            args.append(platform.value)
        if page is not None:
            where.append(f"page = {self._mark}")
            args.append(page)
        sql = f"SELECT {self._data_out} FROM {self._table}"  # noqa: S608 (names are ours)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._conn.execute(sql + " ORDER BY created, key", args).fetchall()
        return [JournalEntry.loads(r[0]) for r in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
