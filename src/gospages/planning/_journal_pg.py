"""The journal in PostgreSQL: one database for several operators on several machines.

Needs psycopg 3: ``pip install "gospages[postgres]"``; it is imported only here, when a
`PostgresJournal` is opened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .._errors import ValidationError
from ._journal_sql import SQLJournal

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


class PostgresJournal(SQLJournal):
    """The journal in the PostgreSQL database ``dsn`` (``postgresql://user@host/db``, or
    ``host=/run/postgresql dbname=gospages``), in the table ``table`` (created when
    missing). Every operator's process may publish from it at once: each entry is sent
    once (a compare-and-set on the entry and a lease, as for `SQLiteJournal`)."""

    _mark = "%s"
    _data_in = "%s::jsonb"
    _data_out = "data::text"

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
        self._db = psycopg.connect(dsn, autocommit=True)
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

    def _states_in(self, states: Sequence[str]) -> tuple[str, list[Any]]:
        return "state = ANY(%s)", [list(states)]
