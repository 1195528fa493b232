"""Publishing as a workflow: selections, cross-posting, content plans, and a journal
that never publishes twice.

* :class:`Selection`: pages of a registry the way people name them
  (``Selection.parse("level=settlement parent=ensk-district platform=vk,ok")``);
  :func:`cross_post` publishes one post to them all, :func:`cascade` carries a regional
  post down to them and remembers who has published;

* :class:`ContentPlan` / :class:`PlanItem`: dated posts for a selection of pages, read by
  :func:`load_plan` (or :func:`load_plan_report`, which keeps the good rows of a plan with
  bad ones) from XLSX, CSV or YAML; :func:`check_plan` before the week starts (posts per
  week, check-post and platform limits, holidays, working hours); :func:`plan_to_ics`;
* the journal::

      from gospages.planning import SQLiteJournal, publish_once

      with SQLiteJournal("journal.sqlite") as journal:
          entry = await publish_once(journal, "plan-7|vk|adm_ensk", page, post)
          print(entry.state.label, entry.url)

  Every intention is written before anything is sent and its outcome after
  (:func:`publish_once`); what a crash or a lost answer left unknown is settled by reading
  the pages back (:func:`reconcile`, ``gospages journal reconcile``); entries due later are
  sent by :func:`run_due`, which a cron job or a systemd timer starts.
"""

from typing import TYPE_CHECKING, Any

from ._crosspost import (
    Cascade,
    CascadeTarget,
    CrossPostResult,
    JournalRefused,
    PageOutcome,
    Send,
    TargetStatus,
    cascade,
    cross_post,
    journal_send,
    target_key,
)
from ._ics import plan_to_ics, write_ics
from ._journal import EntryState, Journal, JournalEntry, entry_key
from ._journal_sqlite import SQLiteJournal
from ._plan import DEFAULT_TIMEZONE, ContentPlan, PlanError, PlanItem, PlanProblem
from ._plan_check import (
    ItemProblem,
    PlanCheck,
    Resolver,
    Shortfall,
    check_plan,
    next_week,
    selection_resolver,
)
from ._plan_io import PlanReport, load_plan, load_plan_report, plan_from_rows
from ._plan_run import PlanRun, PlanRunLine, RunAction, run_plan, schedules
from ._runner import Reconciled, publish_once, reconcile, run_due
from ._selection import Selection, SelectionError

if TYPE_CHECKING:
    from ._journal_pg import PostgresJournal

__all__ = [
    "DEFAULT_TIMEZONE",
    "Cascade",
    "CascadeTarget",
    "ContentPlan",
    "CrossPostResult",
    "EntryState",
    "ItemProblem",
    "Journal",
    "JournalEntry",
    "JournalRefused",
    "PageOutcome",
    "PlanCheck",
    "PlanError",
    "PlanItem",
    "PlanProblem",
    "PlanReport",
    "PlanRun",
    "PlanRunLine",
    "PostgresJournal",
    "Reconciled",
    "Resolver",
    "RunAction",
    "SQLiteJournal",
    "Selection",
    "SelectionError",
    "Send",
    "Shortfall",
    "TargetStatus",
    "cascade",
    "check_plan",
    "cross_post",
    "entry_key",
    "journal_send",
    "load_plan",
    "load_plan_report",
    "next_week",
    "open_journal",
    "plan_from_rows",
    "plan_to_ics",
    "publish_once",
    "reconcile",
    "run_due",
    "run_plan",
    "schedules",
    "selection_resolver",
    "target_key",
    "write_ics",
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
