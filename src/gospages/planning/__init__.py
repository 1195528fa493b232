"""Publishing as a workflow: the journal that never publishes twice (and, at merge, the
content plan and the cross-posting built on it).

    from gospages.planning import SQLiteJournal, publish_once

    with SQLiteJournal("journal.sqlite") as journal:
        entry = await publish_once(journal, "plan-7|vk|adm_ensk", page, post)
        print(entry.state.label, entry.url)

Every intention is written before anything is sent and its outcome after
(`publish_once`); what a crash or a lost answer left unknown is settled by reading the
pages back (`reconcile`, ``gospages journal reconcile``); entries due later are sent by
`run_due`, which a cron job or a systemd timer starts.
"""

from typing import TYPE_CHECKING, Any

from ._journal import EntryState, Journal, JournalEntry, entry_key
from ._journal_sqlite import SQLiteJournal
from ._runner import Reconciled, publish_once, reconcile, run_due

if TYPE_CHECKING:
    from ._journal_pg import PostgresJournal

__all__ = [
    "EntryState",
    "Journal",
    "JournalEntry",
    "PostgresJournal",
    "Reconciled",
    "SQLiteJournal",
    "entry_key",
    "open_journal",
    "publish_once",
    "reconcile",
    "run_due",
]


def __getattr__(name: str) -> Any:
    # psycopg is optional: the PostgreSQL journal is imported only when asked for.
    if name == "PostgresJournal":
        from ._journal_pg import PostgresJournal

        return PostgresJournal
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_journal(where: str) -> Journal:
    """A journal by where it is: a PostgreSQL DSN (``postgresql://...`` or
    ``postgres://...``) or the path of an SQLite file."""
    if where.startswith(("postgresql://", "postgres://")) or "dbname=" in where:
        from ._journal_pg import PostgresJournal

        return PostgresJournal(where)
    return SQLiteJournal(where)
