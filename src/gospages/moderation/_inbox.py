"""The comment inbox: new comments of every page, classified, decided, acted on, logged.

Dry-run is the default: decisions are shown and logged, nothing changes on the pages and
nothing is marked as processed. With ``apply=True`` each action is recorded first (an
*intent*, committed to SQLite), then carried out, then its outcome is logged, the comment
marked processed and the author's strike counted in one transaction. A run killed half-way
leaves open intents; the next run reads the page back (is the comment gone? is the answer
there?) and finishes them with the decision it recorded, so nothing is done twice and no
action is missing from the journal. Only one run acts on a state file at a time: a lease
in the same SQLite file (:class:`ModerationLocked` for the second run).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Protocol, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from .. import _sqlite
from .._errors import GospagesError, NetworkError, NotFound, OutcomeUnknown, ServerError
from .._escape import csv_cell, shown_text
from .._models import Comment, Operation, Platform
from .._page import OfficialPage
from .._platforms import describe
from .._questions import Removal, answered_ids, awaits_answer, unanswered_questions
from .._russian import count_phrase
from ..registry import Organization, PageRef, Registry
from ..requirements import Policy, load_policy
from ._model import labels_text

_DAYS = ("день", "дня", "дней")

__all__ = [
    "JOURNAL_HEADERS",
    "Action",
    "Decision",
    "ModerationLocked",
    "ModerationRun",
    "ModerationStore",
    "OverdueQuestion",
    "decide",
    "moderate",
    "would_remove",
]

_SEVERITY = {"keep": 0, "reply": 0, "review": 1, "delete": 2, "ban": 3}


class _Verdict(Protocol):
    @property
    def labels(self) -> frozenset[str]: ...


class _Classifier(Protocol):
    def classify(self, text: str) -> Any: ...


class Action(str, Enum):
    """What the inbox does with a comment."""

    KEEP = "keep"
    REVIEW = "review"
    """Send to a person: personal data, possibly prohibited content, or a platform where
    gospages cannot act."""
    REPLY = "reply"
    """Answer a question with the policy's template (never on Telegram: 41-ФЗ)."""
    DELETE = "delete"
    BAN = "ban"
    """Delete the comment and ban its author for the next step of the ladder."""

    @property
    def label(self) -> str:
        return {
            "keep": "оставить",
            "reply": "ответить шаблоном",
            "review": "на проверку",
            "delete": "удалить",
            "ban": "удалить и заблокировать",
        }[self.value]


class Decision(BaseModel):
    """What the inbox decided about one comment, and why."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    page: str
    org_id: str | None = None
    comment: Comment
    labels: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    action: Action = Action.KEEP
    ban_days: int | None = None
    """Ban length (0: for good) when ``action`` is ``ban``."""
    why: str = ""
    """In Russian: the labels, the policy, the ladder step."""


class OverdueQuestion(BaseModel):
    """A question nobody from the page answered within the policy's hours."""

    model_config = ConfigDict(frozen=True)

    platform: Platform
    page: str
    org_id: str | None
    comment: Comment
    hours: float
    note: str = ""
    """E.g. that a Telegram question is to be answered on the official page (41-ФЗ)."""


class ModerationRun(BaseModel):
    """The result of one pass over the inbox."""

    model_config = ConfigDict(frozen=True)

    applied: bool
    decisions: list[Decision]
    overdue: list[OverdueQuestion]
    failures: dict[str, str] = Field(default_factory=dict)
    """Pages that could not be read (``"platform:page" -> why``): the rest went on."""
    resumed: int = 0
    """Actions an interrupted run had started, finished by this one after reading back."""

    def count(self, action: Action) -> int:
        return sum(1 for d in self.decisions if d.action is action)


class ModerationLocked(GospagesError):
    """Another run acts on the same moderation state file (it holds the lease).

    ``holder`` says who: host, process id and when that run started."""

    def __init__(self, message: str, *, holder: LeaseHolder | None = None) -> None:
        super().__init__(message)
        self.holder = holder


class LeaseHolder(TypedDict):
    """Who holds the lease of a state file."""

    host: str
    pid: int
    started: str
    expires: float


class _Lease:
    """The lease this process holds: its token fences every intent it records."""

    def __init__(self, token: str, holder: LeaseHolder) -> None:
        self.token = token
        self.holder = holder


class _Intent:
    """An action recorded before it was carried out (a row of ``intents``)."""

    def __init__(
        self,
        id: int,
        decision: Decision,
        until: datetime | None,
        reason: str,
        actor: str,
        banned: bool = False,
    ) -> None:
        self.id = id
        self.decision = decision
        self.until = until
        self.reason = reason
        self.actor = actor
        self.banned = banned

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> _Intent:
        return cls(
            int(row["id"]),
            Decision.model_validate_json(row["decision"]),
            datetime.fromisoformat(row["until"]) if row["until"] else None,
            str(row["reason"] or ""),
            str(row["actor"] or ""),
            bool(row["banned"]),
        )


class ModerationStore:
    """SQLite state of the inbox: cursors, processed comments, strikes, the audit log, the
    intents of actions under way and the lease of the run that acts.

    ``lease_seconds``: how long the lease of an acting run lasts without renewal (it is
    renewed while the run goes on); a lease of a dead process on this host is taken over
    at once, one of another host once it has expired.
    """

    def __init__(self, path: str | Path, *, lease_seconds: float = 60.0) -> None:
        self.path = Path(path)
        self.lease_seconds = lease_seconds
        # WAL (gospages._sqlite): a commit is one append, readers do not block the writer,
        # and what was committed survives the process being killed (synchronous=NORMAL
        # gives up only the last commits on a power cut: a logged action re-checked).
        with closing(self._db()) as db, db:
            db.executescript(
                """
                CREATE TABLE IF NOT EXISTS processed (
                    page TEXT NOT NULL, comment_id TEXT NOT NULL, date TEXT,
                    PRIMARY KEY (page, comment_id));
                CREATE TABLE IF NOT EXISTS strikes (
                    page TEXT NOT NULL, author_id TEXT NOT NULL, count INTEGER NOT NULL,
                    PRIMARY KEY (page, author_id));
                CREATE TABLE IF NOT EXISTS log (
                    id INTEGER PRIMARY KEY, at TEXT NOT NULL, platform TEXT NOT NULL,
                    page TEXT NOT NULL, org_id TEXT, comment_id TEXT NOT NULL, post_id TEXT,
                    author_id TEXT, text TEXT, labels TEXT, action TEXT NOT NULL,
                    ban_days INTEGER, why TEXT, actor TEXT, dry_run INTEGER NOT NULL,
                    result TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS intents (
                    id INTEGER PRIMARY KEY, page TEXT NOT NULL, comment_id TEXT NOT NULL,
                    author_id TEXT, action TEXT NOT NULL, decision TEXT NOT NULL,
                    until TEXT, reason TEXT, actor TEXT, at TEXT NOT NULL, holder TEXT,
                    banned INTEGER NOT NULL DEFAULT 0, open INTEGER NOT NULL DEFAULT 1,
                    result TEXT);
                CREATE UNIQUE INDEX IF NOT EXISTS intents_open
                    ON intents (page, comment_id) WHERE open = 1;
                CREATE TABLE IF NOT EXISTS lease (
                    name TEXT PRIMARY KEY, token TEXT NOT NULL, host TEXT NOT NULL,
                    pid INTEGER NOT NULL, started TEXT NOT NULL, expires REAL NOT NULL);
                """
            )

    def _db(self) -> sqlite3.Connection:
        return _sqlite.connect(self.path)

    def processed(self, page: str) -> set[str]:
        with closing(self._db()) as db:
            rows = db.execute("SELECT comment_id FROM processed WHERE page = ?", (page,))
            return {str(r[0]) for r in rows.fetchall()}

    def strikes(self, page: str, author_id: str) -> int:
        with closing(self._db()) as db:
            row = db.execute(
                "SELECT count FROM strikes WHERE page = ? AND author_id = ?", (page, author_id)
            ).fetchone()
        return int(row[0]) if row else 0

    def _open_strikes(self, page: str, author_id: str) -> int:
        """Deletions and bans of ``author_id`` under way (recorded, not finished)."""
        with closing(self._db()) as db:
            row = db.execute(
                "SELECT COUNT(*) FROM intents WHERE open = 1 AND page = ? AND author_id = ? "
                "AND action IN ('delete', 'ban')",
                (page, author_id),
            ).fetchone()
        return int(row[0])

    def record(
        self,
        decision: Decision,
        *,
        dry_run: bool,
        result: str,
        actor: str,
        at: datetime | None = None,
    ) -> None:
        """Log ``decision``; when it was applied (and succeeded), mark the comment processed
        and count the strike in the same transaction. A failed action stays unprocessed,
        so the next run tries again."""
        with closing(self._db()) as db, db:
            self._write(db, decision, dry_run=dry_run, result=result, actor=actor, at=at)

    def _write(
        self,
        db: sqlite3.Connection,
        decision: Decision,
        *,
        dry_run: bool,
        result: str,
        actor: str,
        at: datetime | None,
        count: bool = True,
    ) -> None:
        """The log row of ``decision`` and, when applied and done, the processed mark and
        the strike (``count=False``: the log row only)."""
        key = f"{decision.platform.value}:{decision.page}"
        comment = decision.comment
        when = (at or datetime.now(timezone.utc)).isoformat()
        db.execute(
            "INSERT INTO log (at, platform, page, org_id, comment_id, post_id, author_id, "
            "text, labels, action, ban_days, why, actor, dry_run, result) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                when,
                decision.platform.value,
                decision.page,
                decision.org_id,
                comment.id,
                comment.post_id,
                comment.author_id,
                comment.text,
                json.dumps(decision.labels, ensure_ascii=False),
                decision.action.value,
                decision.ban_days,
                decision.why,
                actor,
                int(dry_run),
                result,
            ),
        )
        if dry_run or not count or result.startswith("ошибка"):
            return
        db.execute(
            "INSERT OR IGNORE INTO processed (page, comment_id, date) VALUES (?, ?, ?)",
            (key, comment.id, comment.date.isoformat() if comment.date else None),
        )
        if decision.action in (Action.DELETE, Action.BAN) and comment.author_id:
            db.execute(
                "INSERT INTO strikes (page, author_id, count) VALUES (?, ?, 1) "
                "ON CONFLICT(page, author_id) DO UPDATE SET count = count + 1",
                (key, comment.author_id),
            )

    # -- the lease: one acting run per state file -------------------------------------------

    def acquire_lease(self) -> _Lease:
        """Take the lease for a run that acts, or raise :class:`ModerationLocked` naming the
        run that holds it. A lease that expired, or whose process on this host is gone,
        is taken over."""
        now = time.time()
        holder = LeaseHolder(
            host=socket.gethostname(),
            pid=os.getpid(),
            started=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            expires=now + self.lease_seconds,
        )
        lease = _Lease(uuid.uuid4().hex, holder)
        with closing(self._db()) as db:
            db.isolation_level = None
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT host, pid, started, expires FROM lease WHERE name = 'apply'"
                ).fetchone()
                if row is not None:
                    current = LeaseHolder(
                        host=str(row[0]), pid=int(row[1]), started=str(row[2]), expires=row[3]
                    )
                    if not _stale(current, now):
                        raise ModerationLocked(_held_message(self.path, current), holder=current)
                db.execute(
                    "INSERT OR REPLACE INTO lease (name, token, host, pid, started, expires) "
                    "VALUES ('apply', ?, ?, ?, ?, ?)",
                    (
                        lease.token,
                        holder["host"],
                        holder["pid"],
                        holder["started"],
                        holder["expires"],
                    ),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return lease

    def renew_lease(self, lease: _Lease) -> None:
        """Extend ``lease``; :class:`ModerationLocked` when another run has taken it over."""
        with closing(self._db()) as db, db:
            self._renew(db, lease)

    def _renew(self, db: sqlite3.Connection, lease: _Lease) -> None:
        lease.holder["expires"] = time.time() + self.lease_seconds
        changed = db.execute(
            "UPDATE lease SET expires = ? WHERE name = 'apply' AND token = ?",
            (lease.holder["expires"], lease.token),
        ).rowcount
        if changed != 1:
            row = db.execute(
                "SELECT host, pid, started, expires FROM lease WHERE name = 'apply'"
            ).fetchone()
            current = (
                LeaseHolder(host=str(row[0]), pid=int(row[1]), started=str(row[2]), expires=row[3])
                if row
                else None
            )
            raise ModerationLocked(
                f"Право действовать по журналу {self.path} потеряно: его перехватил другой "
                "запуск, пока этот не продлевал его. Действия остановлены; незавершённые "
                "будут сверены со страницей при следующем запуске.",
                holder=current,
            )

    def release_lease(self, lease: _Lease) -> None:
        with closing(self._db()) as db, db:
            db.execute("DELETE FROM lease WHERE name = 'apply' AND token = ?", (lease.token,))

    # -- intents: record, act, record the outcome -------------------------------------------

    def _begin(
        self,
        decision: Decision,
        *,
        until: datetime | None,
        reason: str,
        actor: str,
        at: datetime,
        lease: _Lease,
    ) -> int:
        """Record (and commit) that ``decision`` is about to be carried out; the lease is
        checked and renewed in the same transaction, so a run that lost it records nothing."""
        key = f"{decision.platform.value}:{decision.page}"
        with closing(self._db()) as db, db:
            self._renew(db, lease)
            cursor = db.execute(
                "INSERT INTO intents (page, comment_id, author_id, action, decision, until, "
                "reason, actor, at, holder) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    decision.comment.id,
                    decision.comment.author_id,
                    decision.action.value,
                    decision.model_dump_json(),
                    until.isoformat() if until else None,
                    reason,
                    actor,
                    at.isoformat(),
                    f"{lease.holder['host']}:{lease.holder['pid']}",
                ),
            )
            return int(cursor.lastrowid or 0)

    def _mark_banned(self, intent_id: int) -> None:
        with closing(self._db()) as db, db:
            db.execute("UPDATE intents SET banned = 1 WHERE id = ?", (intent_id,))

    def _finish(
        self,
        intent_id: int,
        decision: Decision,
        *,
        result: str,
        actor: str,
        at: datetime,
        close: bool = True,
    ) -> None:
        """Log the outcome of an intent. ``close``: the intent is over (done, or failed with
        nothing done): closed, and when done the comment is processed and the strike
        counted, all in one transaction and at most once. Otherwise (a failure after part
        of it was done, or an unknown outcome) the failure is logged and the intent stays
        open for the next run."""
        with closing(self._db()) as db, db:
            if close:
                closed = db.execute(
                    "UPDATE intents SET open = 0, result = ? WHERE id = ? AND open = 1",
                    (result, intent_id),
                ).rowcount
                if closed != 1:
                    return
            self._write(db, decision, dry_run=False, result=result, actor=actor, at=at, count=close)

    def _open_intents(self, page: str) -> list[_Intent]:
        with closing(self._db()) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "SELECT * FROM intents WHERE open = 1 AND page = ? ORDER BY id", (page,)
            ).fetchall()
        return [_Intent.from_row(r) for r in rows]

    def unfinished(self) -> int:
        """Actions recorded as started and not finished (an interrupted run's): the next
        run with ``apply`` reads the pages back and finishes them."""
        with closing(self._db()) as db:
            return int(db.execute("SELECT COUNT(*) FROM intents WHERE open = 1").fetchone()[0])

    def log(self, after: int = 0) -> list[dict[str, Any]]:
        """Every logged decision, oldest first; ``after``: only rows with a larger ``id``
        (:meth:`last_id` before a run gives that run's rows)."""
        with closing(self._db()) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM log WHERE id > ? ORDER BY id", (after,)).fetchall()
        return [dict(r) for r in rows]

    def last_id(self) -> int:
        """The ``id`` of the latest journal row (0 for an empty journal)."""
        with closing(self._db()) as db:
            return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM log").fetchone()[0])

    def export_csv(self, path: str | Path) -> None:
        """The audit log as CSV (UTF-8 with BOM and ``;``, as Russian Excel opens it), with
        the Russian headers of :data:`JOURNAL_HEADERS`."""
        rows = self.log()
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            columns = list(JOURNAL_HEADERS)
            writer.writerow([JOURNAL_HEADERS[c] for c in columns])
            # Comment text and author names are strangers': no formula, no hidden control
            # character reaches Excel (the text stays whole: this is a data file).
            writer.writerows([[_journal_cell(v) for v in _shown(row, columns)] for row in rows])


_RESULTS = {"dry-run": "пробный прогон", "kept": "оставлен", "done": "выполнено"}


def _shown(row: dict[str, Any], columns: list[str]) -> list[Any]:
    """A journal row as people read it: platforms, labels, actions and results in Russian
    (the SQLite state keeps the codes)."""
    shown = dict(row)
    with contextlib.suppress(ValueError, LookupError):
        shown["platform"] = describe(Platform(row["platform"])).label
    try:
        labels = json.loads(row["labels"]) if isinstance(row["labels"], str) else row["labels"]
        shown["labels"] = labels_text(labels or [])
    except (ValueError, TypeError):
        pass
    with contextlib.suppress(ValueError):
        shown["action"] = Action(row["action"]).label
    if isinstance(row.get("dry_run"), (int, bool)):
        shown["dry_run"] = "да" if row["dry_run"] else "нет"
    result = row.get("result")
    if isinstance(result, str):
        head, sep, rest = result.partition(" ")
        if head in _RESULTS:
            shown["result"] = _RESULTS[head] + sep + rest
    return [shown[c] for c in columns]


JOURNAL_HEADERS: dict[str, str] = {
    "at": "Когда",
    "platform": "Площадка",
    "page": "Страница",
    "org_id": "Код организации",
    "comment_id": "Код комментария",
    "post_id": "Код публикации",
    "author_id": "Код автора",
    "text": "Текст комментария",
    "labels": "Метки",
    "action": "Действие",
    "ban_days": "Блокировка, дней",
    "why": "Почему",
    "actor": "Кто действовал",
    "dry_run": "Пробный прогон",
    "result": "Результат",
}
"""Journal columns (``store.log()`` keys) and the headers of the CSV export."""


def _journal_cell(value: Any) -> Any:
    return csv_cell(shown_text(value, None)) if isinstance(value, str) else value


def _stale(holder: LeaseHolder, now: float) -> bool:
    """Whether a lease can be taken over: expired, or its process on this host is gone."""
    if holder["expires"] < now:
        return True
    if holder["host"] != socket.gethostname():
        return False
    if holder["pid"] == os.getpid():
        return False  # another run in this very process: it is alive
    try:
        os.kill(holder["pid"], 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists, owned by someone else
    return False


def _held_message(path: Path, holder: LeaseHolder) -> str:
    left = max(0, round(holder["expires"] - time.time()))
    return (
        f"Журнал модерации {path} занят: с действиями уже работает другой запуск "
        f"(узел {holder['host']}, процесс {holder['pid']}, начат {holder['started']}). "
        "Два запуска с --apply по одному журналу удалили бы и заблокировали дважды. "
        "Дождитесь окончания того запуска; если он прерван на другом узле, право "
        f"освободится через {left} с."
    )


def decide(
    comment: Comment,
    verdict: _Verdict,
    policy: Policy,
    *,
    strikes: int = 0,
    can_ban: bool = True,
    can_delete: bool = True,
    page: str = "",
    org_id: str | None = None,
    reasons: Sequence[str] = (),
    answered: bool = False,
) -> Decision:
    """The action ``policy`` asks for a comment with ``verdict``'s labels.

    The strictest label wins. A ban goes one step up the ladder per earlier strike of the
    same author on the same page. What the platform does not allow becomes a review.
    """
    labels = sorted(verdict.labels)
    actions = policy.moderation.actions
    chosen = max(
        (actions.get(label, "review") for label in labels),
        key=lambda a: _SEVERITY[a],
        default="keep",
    )
    action = Action(chosen)
    notes = [f"метки: {labels_text(labels)}"] if labels else []
    ban_days: int | None = None
    if action is Action.BAN:
        ladder = policy.moderation.ban_ladder_days or [0]
        ban_days = ladder[min(strikes, len(ladder) - 1)]
        notes.append(
            f"нарушение № {strikes + 1} автора: блокировка "
            + ("навсегда" if ban_days == 0 else f"на {count_phrase(ban_days, _DAYS)}")
        )
        if not can_ban:
            action = Action.DELETE
            notes.append("блокировать на этой площадке gospages не может: только удаление")
    if action in (Action.DELETE, Action.BAN) and not can_delete:
        action = Action.REVIEW
        notes.append("ключи не позволяют удалять комментарии: на проверку человеку")
    template = policy.moderation.question_template
    if action is Action.KEEP and template and not answered and _is_question(comment):
        if describe(comment.platform).foreign_owned:
            action = Action.REVIEW
            notes.append(
                f"вопрос {describe(comment.platform).where}: отвечать жителям через "
                "иностранный сервис нельзя (41-ФЗ, 41FZ-MSG) — ответьте на официальной странице"
            )
        else:
            action = Action.REPLY
            notes.append("вопрос жителя: ответ-подтверждение по шаблону политики")
    if action is not Action.KEEP:
        notes.append(f"политика {policy.label} (POL-MOD)")
    return Decision(
        platform=comment.platform,
        page=page or comment.page,
        org_id=org_id,
        comment=comment,
        labels=labels,
        reasons=list(reasons),
        action=action,
        ban_days=ban_days if action is Action.BAN else None,
        why="; ".join(notes),
    )


async def moderate(
    pages: Registry | Iterable[tuple[Organization | None, PageRef]],
    open_page: Callable[[PageRef], OfficialPage],
    policy: Policy | str = "federal",
    *,
    store: ModerationStore,
    classifier: _Classifier | None = None,
    apply: bool = False,
    actor: str = "gospages",
    now: datetime | None = None,
    concurrency: int = 4,
    progress: Callable[[int, int, str], None] | None = None,
) -> ModerationRun:
    """One pass over the inbox of every page: fetch, classify, decide, act (``apply``), log.

    The comments of the posts of the last ``policy.moderation.window_days`` days that are
    not processed yet are taken: new ones, new ones under old posts, and ones whose action
    failed last time. Dry-run (the default) logs decisions with ``dry_run=1``
    and changes nothing. Questions unanswered by the page past ``policy.reply.hours`` are
    listed in ``overdue``; on Telegram answering them is flagged (41-ФЗ), not done.

    With ``apply`` every action is recorded before it is carried out; actions an
    interrupted run left unfinished are finished first, after reading the page back
    (``resumed`` of the result). The run holds the state file's lease meanwhile.

    Raises:
        ModerationLocked: with ``apply``, when another run holds ``store``'s lease (nothing
            is read or done), or took it over from this run (then it stops acting).
    """
    if isinstance(policy, str):
        policy = load_policy(policy)
    if classifier is None:
        from ._classify import RuleClassifier

        classifier = RuleClassifier()
    now = now or datetime.now(timezone.utc)
    refs = pages.pages() if isinstance(pages, Registry) else list(pages)
    limiter = asyncio.Semaphore(max(1, concurrency))
    decisions: list[Decision] = []
    overdue: list[OverdueQuestion] = []
    failures: dict[str, str] = {}
    done = 0
    resumed = 0
    # Only one run acts on a state file: the lease is taken before any page is read.
    lease = store.acquire_lease() if apply else None
    context = _Acting(store, lease, actor, now, policy.moderation.question_template)

    async def one(org: Organization | None, ref: PageRef) -> None:
        nonlocal done, resumed
        key = f"{ref.platform.value}:{ref.page}"
        async with limiter:
            try:
                page_decisions, page_overdue, page_resumed = await _moderate_page(
                    org, ref, open_page, policy, store, classifier, context
                )
                decisions.extend(page_decisions)
                overdue.extend(page_overdue)
                resumed += page_resumed
            except GospagesError as error:
                if isinstance(error, ModerationLocked):
                    raise
                failures[key] = f"{type(error).__name__}: {error}"
        done += 1
        if progress is not None:
            progress(done, len(refs), f"{org.name if org else ref.page} · {ref.platform.label}")

    renewal = asyncio.create_task(_keep_lease(store, lease)) if lease is not None else None
    try:
        await asyncio.gather(*(one(org, ref) for org, ref in refs))
    finally:
        if renewal is not None:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError, ModerationLocked):
                await renewal
        if lease is not None:
            store.release_lease(lease)
    return ModerationRun(
        applied=apply, decisions=decisions, overdue=overdue, failures=failures, resumed=resumed
    )


async def _keep_lease(store: ModerationStore, lease: _Lease) -> None:
    """Renew the lease while the run goes on (every intent renews it as well)."""
    while True:
        await asyncio.sleep(store.lease_seconds / 3)
        store.renew_lease(lease)


class _Acting:
    """What carrying out decisions needs: ``lease`` is ``None`` in a dry run."""

    def __init__(
        self,
        store: ModerationStore,
        lease: _Lease | None,
        actor: str,
        now: datetime,
        template: str | None,
    ) -> None:
        self.store = store
        self.lease = lease
        self.actor = actor
        self.now = now
        self.template = template


async def _moderate_page(
    org: Organization | None,
    ref: PageRef,
    open_page: Callable[[PageRef], OfficialPage],
    policy: Policy,
    store: ModerationStore,
    classifier: _Classifier,
    acting: _Acting,
) -> tuple[list[Decision], list[OverdueQuestion], int]:
    key = f"{ref.platform.value}:{ref.page}"
    decisions: list[Decision] = []
    async with open_page(ref) as page:
        # First the actions an interrupted run left unfinished, with the decisions it
        # recorded: read back, then do only what is not done yet.
        pending = store._open_intents(key) if acting.lease is not None else []
        for intent in pending:
            await _carry_out(page, intent, acting, resumed=True)
            decisions.append(intent.decision)
        busy = {i.decision.comment.id for i in pending}
        seen = store.processed(key)
        caps = page.capabilities()
        # Every comment of the window that is not processed yet: new ones, ones under old
        # posts, and ones whose action failed last time. Processed ids make it exactly once.
        window = acting.now - timedelta(days=policy.moderation.window_days)
        comments = [c async for c in page.comments(since=window)]
        answered = _answered(comments)
        for comment in comments:
            if comment.id in seen or comment.id in busy:
                continue
            if comment.deleted or comment.from_page or not comment.text:
                continue
            verdict = classifier.classify(comment.text)
            reasons = [str(r) for r in getattr(verdict, "reasons", [])]
            author = comment.author_id or ""
            decision = decide(
                comment,
                verdict,
                policy,
                strikes=store.strikes(key, author) + store._open_strikes(key, author),
                can_ban=caps.can(Operation.BAN),
                can_delete=caps.can(Operation.DELETE_COMMENT),
                page=ref.page,
                org_id=org.id if org else None,
                reasons=reasons,
                answered=comment.id in answered,
            )
            decisions.append(decision)
            if acting.lease is None:
                store.record(
                    decision, dry_run=True, result="dry-run", actor=acting.actor, at=acting.now
                )
            elif not _acts(decision, acting.template):
                result = "kept" if decision.action is Action.KEEP else "done"
                store.record(
                    decision, dry_run=False, result=result, actor=acting.actor, at=acting.now
                )
            else:
                # Record the intent (committed), act, record the outcome.
                until = None
                if decision.action is Action.BAN and decision.ban_days:
                    until = acting.now + timedelta(days=decision.ban_days)
                reason = "нарушение правил сообщества: " + labels_text(decision.labels)
                intent_id = store._begin(
                    decision,
                    until=until,
                    reason=reason,
                    actor=acting.actor,
                    at=acting.now,
                    lease=acting.lease,
                )
                intent = _Intent(intent_id, decision, until, reason, acting.actor)
                await _carry_out(page, intent, acting, resumed=False)
    return decisions, _overdue(comments, policy, ref, org, acting.now, classifier), len(pending)


def _acts(decision: Decision, template: str | None) -> bool:
    """Whether carrying ``decision`` out changes something on the page."""
    if decision.action is Action.REPLY:
        return bool(template)
    return decision.action in (Action.DELETE, Action.BAN)


def _answered(comments: Iterable[Comment]) -> set[str]:
    """Ids of comments the page has answered (in their thread or directly)."""
    return answered_ids(comments)


def _is_question(comment: Comment) -> bool:
    return awaits_answer(comment)


def would_remove(
    policy: Policy | str = "federal", classifier: _Classifier | None = None
) -> Removal:
    """``removed(text)``: whether the inbox under ``policy`` would delete a comment with
    this text (its strictest label's action is ``delete`` or ``ban``), as
    :func:`decide` decides. The audit passes it on (``audit_registry(removed=...)``) so
    that it counts as questions to answer exactly what the inbox would answer."""
    if isinstance(policy, str):
        policy = load_policy(policy)
    if classifier is None:
        from ._classify import RuleClassifier

        classifier = RuleClassifier()
    actions = policy.moderation.actions
    chosen = classifier

    def removed(text: str) -> bool:
        labels = chosen.classify(text).labels
        return any(actions.get(label, "review") in ("delete", "ban") for label in labels)

    return removed


_UNKNOWN_OUTCOME = (NetworkError, ServerError, OutcomeUnknown)
"""Errors after which a write may have been done all the same."""


async def _carry_out(
    page: OfficialPage, intent: _Intent, acting: _Acting, *, resumed: bool
) -> None:
    """Carry out a recorded intent and record its outcome.

    ``resumed``: the intent is an interrupted run's; the page is read back first (the
    comment, the answer, the ban where the backend reads bans: VK ``groups.getBanned``) and
    only what is not done yet is done, with the recorded decision and ban end."""
    decision = intent.decision
    comment = decision.comment
    store = acting.store
    notes: list[str] = []
    template = acting.template
    step = "чтение"
    try:
        gone = replied = False
        if resumed:
            gone, replied = await _read_back(page, comment, template)
            notes.append("сверено со страницей после прерванного запуска")
        step = decision.action.value
        if decision.action is Action.REPLY and template:
            if replied:
                notes.append("ответ уже был")
            else:
                await page.reply(comment, template)
        # Ban first: if the ban fails the comment is still there, and the next run finds
        # it and tries both again (a deleted comment would never come back to be banned).
        if decision.action is Action.BAN and comment.author_id and not intent.banned:
            step = "ban"
            if intent.until is not None and intent.until <= _utcnow():
                notes.append("срок блокировки уже истёк")
            elif resumed and await _ban_in_place(page, comment.author_id, intent.until):
                notes.append("блокировка уже есть")
            else:
                await page.ban(comment.author_id, until=intent.until, reason=intent.reason)
            store._mark_banned(intent.id)
            intent.banned = True
        if decision.action in (Action.DELETE, Action.BAN):
            step = "delete"
            if gone:
                notes.append("комментарий уже удалён")
            else:
                try:
                    await page.delete_comment(comment)
                except GospagesError:
                    # The answer may be lost though the comment is gone: read back.
                    if not (await _read_back(page, comment, None))[0]:
                        raise
                    notes.append("ответ на удаление потерян, комментарий удалён")
    except GospagesError as error:
        result = f"ошибка: {type(error).__name__}: {error}"
        # Nothing done yet and the platform said no: the intent is over, the comment stays
        # unprocessed and is decided anew next time. Otherwise (part done, or the outcome
        # unknown) it stays open, and the next run finishes it with the same decision.
        unknown = isinstance(error, _UNKNOWN_OUTCOME) or step == "чтение"
        close = not intent.banned and not unknown
        if not close:
            result += "; будет сверено и завершено при следующем запуске"
        store._finish(
            intent.id, decision, result=result, actor=intent.actor, at=acting.now, close=close
        )
        return
    result = "done" + (f" ({'; '.join(notes)})" if notes else "")
    store._finish(intent.id, decision, result=result, actor=intent.actor, at=acting.now)


async def _ban_in_place(page: OfficialPage, author_id: str, until: datetime | None) -> bool:
    """Whether the page already bans ``author_id`` at least until ``until`` (``None``: for
    good), for backends that can read bans back (VK: ``read_ban``); ``False`` when unknown,
    and the ban, which sets rather than adds, is sent again with the recorded end."""
    read_ban = getattr(page, "read_ban", None)
    if read_ban is None:
        return False
    try:
        banned, end = await read_ban(author_id)
    except GospagesError:
        return False
    if not banned:
        return False
    if end is None:
        return True
    return until is not None and end >= until - timedelta(seconds=1)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def _read_back(
    page: OfficialPage, comment: Comment, template: str | None
) -> tuple[bool, bool]:
    """``(the comment is gone, the page has answered it with template)``, as the page
    shows them now."""
    present = False
    replied = False
    try:
        async for other in page.comments(comment.post_id):
            if other.id == comment.id and not other.deleted:
                present = True
            if (
                template
                and other.from_page
                and other.parent_id == comment.id
                and other.text.strip() == template.strip()
            ):
                replied = True
    except NotFound:
        return True, False  # the post is gone, and its comments with it
    return not present, replied


def _overdue(
    comments: list[Comment],
    policy: Policy,
    ref: PageRef,
    org: Organization | None,
    now: datetime,
    classifier: _Classifier,
) -> list[OverdueQuestion]:
    removed = would_remove(policy, classifier)
    out = []
    for c in unanswered_questions(comments, removed=removed)[1]:
        if c.date is None:
            continue
        hours = (now - c.date).total_seconds() / 3600
        if hours > policy.reply.hours:
            out.append(
                OverdueQuestion(
                    platform=ref.platform,
                    page=ref.page,
                    org_id=org.id if org else None,
                    comment=c,
                    hours=round(hours, 1),
                    note=(
                        f"{describe(ref.platform).label}: отвечать здесь нельзя (41-ФЗ), "
                        "ответьте на официальной странице"
                        if describe(ref.platform).foreign_owned
                        else ""
                    ),
                )
            )
    return out
