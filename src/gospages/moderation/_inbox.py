"""The comment inbox: new comments of every page, classified, decided, acted on, logged.

Dry-run is the default: decisions are shown and logged, nothing changes on the pages and
nothing is marked as processed. With ``apply=True`` each action is carried out and the
comment is marked processed in the same SQLite transaction as its log entry, so a crash
never skips a comment and never acts on one twice.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from .._errors import GospagesError
from .._escape import csv_cell, shown_text
from .._models import Comment, Operation, Platform
from .._page import OfficialPage
from .._platforms import describe
from ..registry import Organization, PageRef, Registry
from ..requirements import Policy, load_policy

__all__ = [
    "Action",
    "Decision",
    "ModerationRun",
    "ModerationStore",
    "OverdueQuestion",
    "decide",
    "moderate",
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

    def count(self, action: Action) -> int:
        return sum(1 for d in self.decisions if d.action is action)


class ModerationStore:
    """SQLite state of the inbox: cursors, processed comments, strikes and the audit log."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with closing(sqlite3.connect(self.path)) as db, db:
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
                """
            )

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

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
        key = f"{decision.platform.value}:{decision.page}"
        comment = decision.comment
        when = (at or datetime.now(timezone.utc)).isoformat()
        with closing(self._db()) as db, db:
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
            if dry_run or result.startswith("ошибка"):
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

    def log(self) -> list[dict[str, Any]]:
        """Every logged decision, oldest first."""
        with closing(self._db()) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM log ORDER BY id").fetchall()
        return [dict(r) for r in rows]

    def export_csv(self, path: str | Path) -> None:
        """The audit log as CSV (UTF-8 with BOM and ``;``, as Russian Excel opens it)."""
        rows = self.log()
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            columns = [
                "at",
                "platform",
                "page",
                "org_id",
                "comment_id",
                "post_id",
                "author_id",
                "text",
                "labels",
                "action",
                "ban_days",
                "why",
                "actor",
                "dry_run",
                "result",
            ]
            writer.writerow(columns)
            # Comment text and author names are strangers': no formula, no hidden control
            # character reaches Excel (the text stays whole: this is a data file).
            writer.writerows([[_journal_cell(row[c]) for c in columns] for row in rows])


def _journal_cell(value: Any) -> Any:
    return csv_cell(shown_text(value, None)) if isinstance(value, str) else value


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
    notes = [f"метки: {', '.join(labels)}"] if labels else []
    ban_days: int | None = None
    if action is Action.BAN:
        ladder = policy.moderation.ban_ladder_days or [0]
        ban_days = ladder[min(strikes, len(ladder) - 1)]
        notes.append(
            f"нарушение № {strikes + 1} автора: блокировка "
            + ("навсегда" if ban_days == 0 else f"на {ban_days} дн.")
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

    async def one(org: Organization | None, ref: PageRef) -> None:
        nonlocal done
        key = f"{ref.platform.value}:{ref.page}"
        async with limiter:
            try:
                page_decisions, page_overdue = await _moderate_page(
                    org, ref, open_page, policy, store, classifier, apply, actor, now
                )
                decisions.extend(page_decisions)
                overdue.extend(page_overdue)
            except GospagesError as error:
                failures[key] = f"{type(error).__name__}: {error}"
        done += 1
        if progress is not None:
            progress(done, len(refs), f"{org.name if org else ref.page} · {ref.platform.label}")

    await asyncio.gather(*(one(org, ref) for org, ref in refs))
    return ModerationRun(applied=apply, decisions=decisions, overdue=overdue, failures=failures)


async def _moderate_page(
    org: Organization | None,
    ref: PageRef,
    open_page: Callable[[PageRef], OfficialPage],
    policy: Policy,
    store: ModerationStore,
    classifier: _Classifier,
    apply: bool,
    actor: str,
    now: datetime,
) -> tuple[list[Decision], list[OverdueQuestion]]:
    key = f"{ref.platform.value}:{ref.page}"
    seen = store.processed(key)
    decisions: list[Decision] = []
    async with open_page(ref) as page:
        caps = page.capabilities()
        # Every comment of the window that is not processed yet: new ones, ones under old
        # posts, and ones whose action failed last time. Processed ids make it exactly once.
        window = now - timedelta(days=policy.moderation.window_days)
        comments = [c async for c in page.comments(since=window)]
        answered = _answered(comments)
        for comment in comments:
            if comment.id in seen or comment.deleted or comment.from_page or not comment.text:
                continue
            verdict = classifier.classify(comment.text)
            reasons = [str(r) for r in getattr(verdict, "reasons", [])]
            decision = decide(
                comment,
                verdict,
                policy,
                strikes=store.strikes(key, comment.author_id or ""),
                can_ban=caps.can(Operation.BAN),
                can_delete=caps.can(Operation.DELETE_COMMENT),
                page=ref.page,
                org_id=org.id if org else None,
                reasons=reasons,
                answered=comment.id in answered,
            )
            result = "dry-run"
            if apply:
                result = await _carry_out(page, decision, now, policy.moderation.question_template)
            store.record(decision, dry_run=not apply, result=result, actor=actor, at=now)
            decisions.append(decision)
    return decisions, _overdue(comments, policy, ref, org, now, classifier)


def _answered(comments: Iterable[Comment]) -> set[str]:
    """Ids of comments the page has answered (in their thread or directly)."""
    out: set[str] = set()
    for c in comments:
        if c.from_page:
            out.update(x for x in (c.parent_id, c.thread_id) if x)
    return out


def _is_question(comment: Comment) -> bool:
    return comment.parent_id is None and not comment.from_page and "?" in comment.text


async def _carry_out(
    page: OfficialPage, decision: Decision, now: datetime, template: str | None
) -> str:
    try:
        if decision.action is Action.REPLY and template:
            await page.reply(decision.comment, template)
        # Ban first: if the ban fails the comment is still there, and the next run finds
        # it and tries both again (a deleted comment would never come back to be banned).
        if decision.action is Action.BAN and decision.comment.author_id:
            until = None if not decision.ban_days else now + timedelta(days=decision.ban_days)
            await page.ban(
                decision.comment.author_id,
                until=until,
                reason="нарушение правил сообщества: " + ", ".join(decision.labels),
            )
        if decision.action in (Action.DELETE, Action.BAN):
            await page.delete_comment(decision.comment)
    except GospagesError as error:
        return f"ошибка: {type(error).__name__}: {error}"
    return "done" if decision.action is not Action.KEEP else "kept"


def _overdue(
    comments: list[Comment],
    policy: Policy,
    ref: PageRef,
    org: Organization | None,
    now: datetime,
    classifier: _Classifier,
) -> list[OverdueQuestion]:
    answered = _answered(comments)
    out = []
    for c in comments:
        if c.parent_id is not None or c.from_page or c.deleted or "?" not in c.text:
            continue
        if c.id in answered or c.date is None or classifier.classify(c.text).labels:
            continue  # answered, undated, or not a question to answer (insult, spam ...)
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
