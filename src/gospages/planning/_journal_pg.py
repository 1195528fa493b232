"""The journal in PostgreSQL: one database for several operators on several machines.

Needs psycopg 3: ``pip install "gospages[postgres]"``; it is imported only here, when a
`PostgresJournal` is opened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .._errors import ValidationError
from .._models import Platform
from ._journal import EntryState, Journal, JournalEntry

__all__ = ["PostgresJournal"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    platform TEXT NOT NULL,
    page TEXT NOT NULL,
    due DOUBLE PRECISION,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    data JSONB NOT NULL
);
CREATE INDEX IF NOT EXISTS {table}_state ON {table} (state, due);
CREATE INDEX IF NOT EXISTS {table}_page ON {table} (platform, page);
"""


class PostgresJournal(Journal):
    """The journal in the PostgreSQL database ``dsn`` (``postgresql://user@host/db``, or
    ``host=/run/postgresql dbname=gospages``), in the table ``table`` (created when
    missing). Every operator's process may publish from it at once: each entry is sent
    once (a compare-and-set on the entry and a lease, as for `SQLiteJournal`)."""

    def __init__(
        self, dsn: str, *, table: str = "gospages_journal", lease_seconds: float | None = None
    ) -> None:
        super().__init__()
        if lease_seconds is not None:
            self.lease_seconds = lease_seconds
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", table):
            raise ValidationError(f"Имя таблицы журнала «{table}»: латиница, цифры и _")
        try:
            import psycopg
        except ImportError:
            raise ValidationError(
                'Журнал в PostgreSQL требует psycopg: pip install "gospages[postgres]"'
            ) from None
        self._dsn = dsn
        self._table = table
        self._db: Any = psycopg.connect(dsn, autocommit=True)
        with self._db.transaction():
            # Two processes creating the table at once would collide: one at a time.
            self._db.execute("SELECT pg_advisory_xact_lock(74651301)")
            self._db.execute(_SCHEMA.format(table=table))

    def __repr__(self) -> str:
        return f"PostgresJournal({self.where!r})"

    @property
    def where(self) -> str:
        # The DSN without a password, for messages.
        shown = re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", self._dsn)
        return re.sub(r"(password\s*=\s*)\S+", r"\1***", shown)

    @property
    def _conn(self) -> Any:
        if self._db is None:
            raise RuntimeError(f"Журнал {self.where} закрыт")
        return self._db

    def get(self, key: str) -> JournalEntry | None:
        row = self._conn.execute(
            f"SELECT data::text FROM {self._table} WHERE key = %s",  # noqa: S608 (checked name)
            (key,),
        ).fetchone()
        return JournalEntry.loads(row[0]) if row else None

    def insert(self, entry: JournalEntry) -> JournalEntry:
        self._conn.execute(
            f"INSERT INTO {self._table} (key, state, platform, page, due, version, created, "  # noqa: S608
            "data) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (key) DO NOTHING",
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
        cursor = self._conn.execute(
            f"UPDATE {self._table} SET state = %s, due = %s, version = %s, data = %s::jsonb "  # noqa: S608
            "WHERE key = %s AND version = %s",
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
            where.append("state = ANY(%s)")
            args.append([s.value for s in states])
        if platform is not None:
            where.append("platform = %s")
            args.append(platform.value)
        if page is not None:
            where.append("page = %s")
            args.append(page)
        sql = f"SELECT data::text FROM {self._table}"  # noqa: S608 (the name is checked)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._conn.execute(sql + " ORDER BY created, key", args).fetchall()
        return [JournalEntry.loads(r[0]) for r in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
