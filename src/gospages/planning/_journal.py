"""The publishing journal: every intention written before it is sent, its outcome after.

An entry goes::

    planned ──► sending ──► published | scheduled     (the platform answered)
       ▲           │   └──► needs_check               (the answer was lost, the read-back
       │           │                                   could not tell)
       │           └──────► failed                    (refused: nothing was published)
       └── reconcile: certainly absent                 cancelled (by hand, before sending)

Before sending, the entry is claimed (state ``sending``, a lease: holder and expiry, as the
moderation journal holds its state file) together with the page's newest post ids, the
baseline. The claim is a compare-and-set on the entry's version, so of two processes on
one journal only one sends an entry. After a crash, an entry left ``sending`` by a dead
holder (or one whose lease expired) and every ``needs_check`` entry are read back against
that baseline (:func:`reconcile`): found, it is ``published``; certainly absent (the page
was read down to the baseline), it is ``planned`` again; else it stays ``needs_check``.
"""

from __future__ import annotations

import abc
import base64
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from enum import Enum
from types import TracebackType
from typing import Any

from pydantic import BaseModel, ConfigDict

from .._clock import Clock
from .._errors import GospagesError, OutcomeUnknown
from .._models import Platform, Post, PublishedPost, PublishStatus
from .._page import OfficialPage
from ..registry import PageRef

__all__ = ["EntryState", "Journal", "JournalEntry", "entry_key"]

log = logging.getLogger("gospages.journal")

LEASE_SECONDS = 600.0
"""How long a claim on an entry lasts (a send with all its retries fits well inside)."""


class EntryState(str, Enum):
    """Where a publish intention stands."""

    PLANNED = "planned"
    SENDING = "sending"
    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    NEEDS_CHECK = "needs_check"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """How people read the state."""
        return _LABELS[self.value]

    @property
    def final(self) -> bool:
        """Nothing more is done with the entry (published, scheduled or cancelled)."""
        return self in (EntryState.PUBLISHED, EntryState.SCHEDULED, EntryState.CANCELLED)


_LABELS = {
    "planned": "запланировано",
    "sending": "отправляется",
    "published": "опубликовано",
    "scheduled": "отложено на площадке",
    "needs_check": "нужна сверка",
    "failed": "не отправлено (ошибка)",
    "cancelled": "отменено",
}


def entry_key(*parts: object) -> str:
    """An idempotency key from its parts: ``entry_key(item_id, ref.platform, ref.page)``."""
    return "|".join(str(getattr(p, "value", p)) for p in parts)


class JournalEntry(BaseModel):
    """One publish intention and what came of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    """The caller's idempotency key (a plan item and a page, a cascade item and a page)."""
    platform: Platform
    page: str
    post: Post
    """The post as it is sent; its ``idempotency_key`` (VK ``guid``) is the entry's own."""
    state: EntryState = EntryState.PLANNED
    due: datetime | None = None
    """When the runner (:func:`~gospages.planning.run_due`) sends it; ``None``: at once."""
    post_id: str | None = None
    url: str | None = None
    note: str | None = None
    """Why the state is what it is, in Russian, when it needs saying."""
    error: str | None = None
    baseline: list[str] | None = None
    """Ids of the page's newest posts before sending: the read-back looks above them."""
    attempts: int = 0
    operator: str | None = None
    holder: str | None = None
    """``host:pid:token`` of the process that claimed the entry."""
    lease_until: float | None = None
    created: datetime
    updated: datetime
    version: int = 0

    @property
    def ref(self) -> PageRef:
        """The page as the registry names it."""
        return PageRef(platform=self.platform, page=self.page)

    @property
    def receipt(self) -> PublishedPost | None:
        """The receipt, once the outcome is known or lost (``None`` before sending)."""
        status = {
            EntryState.PUBLISHED: PublishStatus.PUBLISHED,
            EntryState.SCHEDULED: PublishStatus.SCHEDULED,
            EntryState.NEEDS_CHECK: PublishStatus.NEEDS_CHECK,
        }.get(self.state)
        if status is None:
            return None
        return PublishedPost(
            platform=self.platform,
            page=self.page,
            post_id=self.post_id,
            url=self.url,
            status=status,
            publish_at=self.post.publish_at,
            idempotency_key=self.post.idempotency_key,
            note=self.note,
        )

    # -- storage -------------------------------------------------------------------------

    def dumps(self) -> str:
        """The entry as JSON (photo bytes in base64)."""
        data = self.model_dump(mode="json", exclude={"post"})
        data["post"] = _post_data(self.post)
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def loads(cls, text: str | bytes) -> JournalEntry:
        data = json.loads(text)
        data["post"] = _post_from(data["post"])
        return cls.model_validate(data)

    @property
    def due_ts(self) -> float | None:
        return self.due.timestamp() if self.due is not None else None


def _post_data(post: Post) -> dict[str, Any]:
    data = post.model_dump(mode="python")
    attachments = []
    for item in data["attachments"]:
        item = dict(item)
        if item.get("kind") == "photo":
            if item.get("data") is not None:
                item["data"] = base64.b64encode(item["data"]).decode("ascii")
            if item.get("path") is not None:
                item["path"] = str(item["path"])
        elif item.get("kind") == "link":
            item["url"] = str(item["url"])
        attachments.append(item)
    data["attachments"] = attachments
    if data.get("publish_at") is not None:
        data["publish_at"] = data["publish_at"].isoformat()
    return data


def _post_from(data: dict[str, Any]) -> Post:
    data = dict(data)
    attachments = []
    for item in data.get("attachments") or []:
        item = dict(item)
        if item.get("kind") == "photo" and isinstance(item.get("data"), str):
            item["data"] = base64.b64decode(item["data"])
        attachments.append(item)
    data["attachments"] = attachments
    return Post.model_validate(data)


# -- the interface -------------------------------------------------------------------------


class Journal(abc.ABC):
    """Where publish intentions are kept: `SQLiteJournal` (a file, the default) or
    `PostgresJournal` (one database for several operators on several machines).

    A backend implements four primitives; everything else (claims, leases, states) is
    built on them here, the same for every backend:

    * :meth:`get` an entry by key;
    * :meth:`insert` an entry unless its key is there (the stored entry either way);
    * :meth:`replace` an entry if it is still at the version read (compare-and-set);
    * :meth:`entries` by state and page.
    """

    lease_seconds: float = LEASE_SECONDS

    def __init__(self) -> None:
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        """Who this journal object claims entries as."""

    @property
    @abc.abstractmethod
    def where(self) -> str:
        """Where the journal is, for messages (a path, a DSN without its password)."""

    @abc.abstractmethod
    def get(self, key: str) -> JournalEntry | None:
        """The entry of ``key``, or ``None``."""

    @abc.abstractmethod
    def insert(self, entry: JournalEntry) -> JournalEntry:
        """Store ``entry`` unless its key is already there; the stored entry."""

    @abc.abstractmethod
    def replace(self, old: JournalEntry, new: JournalEntry) -> JournalEntry | None:
        """Store ``new`` (at ``old.version + 1``) if the stored entry is still at
        ``old.version``; the stored entry, or ``None`` when another process changed it."""

    @abc.abstractmethod
    def entries(
        self,
        *,
        states: Iterable[EntryState] | None = None,
        platform: Platform | None = None,
        page: str | None = None,
    ) -> list[JournalEntry]:
        """Entries in ``states`` (all when ``None``), oldest first."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection. Safe to call twice."""

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- derived -------------------------------------------------------------------------

    def plan(
        self,
        key: str,
        ref: PageRef,
        post: Post,
        *,
        due: datetime | None = None,
        operator: str | None = None,
        now: datetime | None = None,
    ) -> JournalEntry:
        """Record the intention to publish ``post`` on ``ref`` (state ``planned``); when
        ``key`` is already there, the stored entry, unchanged."""
        if due is not None and due.utcoffset() is None:
            raise ValueError("due: укажите дату с часовым поясом")
        moment = now or datetime.now(timezone.utc)
        own = post.model_copy(update={"idempotency_key": _guid(key)})
        return self.insert(
            JournalEntry(
                key=key,
                platform=ref.platform,
                page=ref.page,
                post=own,
                due=due,
                operator=operator or _operator(),
                created=moment,
                updated=moment,
            )
        )

    def cancel(self, key: str) -> JournalEntry | None:
        """Cancel a ``planned`` or ``failed`` entry; the entry as it stands (an entry
        already sent is not cancelled)."""
        for _ in range(5):
            entry = self.get(key)
            if entry is None or entry.state not in (EntryState.PLANNED, EntryState.FAILED):
                return entry
            done = self.replace(entry, _moved(entry, EntryState.CANCELLED))
            if done is not None:
                return done
        return self.get(key)

    def counts(self) -> dict[EntryState, int]:
        """How many entries are in each state."""
        found = dict.fromkeys(EntryState, 0)
        for entry in self.entries():
            found[entry.state] += 1
        return found

    def claim(
        self, entry: JournalEntry, *, state: EntryState = EntryState.SENDING, **changes: Any
    ) -> JournalEntry | None:
        """Take ``entry`` for this journal object (a lease of :attr:`lease_seconds`) and
        move it to ``state``; ``None`` when another process changed it first."""
        return self.replace(
            entry,
            _moved(
                entry,
                state,
                holder=self.holder,
                lease_until=time.time() + self.lease_seconds,
                **changes,
            ),
        )

    def held_elsewhere(self, entry: JournalEntry) -> bool:
        """Whether another live process holds ``entry`` (its lease runs and, on this host,
        its process exists)."""
        if entry.holder is None or entry.holder == self.holder:
            return False
        if entry.lease_until is None or entry.lease_until < time.time():
            return False
        host, _, rest = entry.holder.partition(":")
        pid_text = rest.partition(":")[0]
        if host != socket.gethostname() or not pid_text.isdigit():
            return True
        pid = int(pid_text)
        if pid == os.getpid():
            return True  # another journal object in this very process: alive
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True
        return True


def _moved(entry: JournalEntry, state: EntryState, **changes: Any) -> JournalEntry:
    stamp = changes.pop("now", None) or datetime.now(timezone.utc)
    return entry.model_copy(update={"state": state, "updated": stamp, **changes})


def _guid(key: str) -> str:
    """The entry's idempotency key (VK ``guid``): one per journal key, 32 hex digits."""
    import hashlib

    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _operator() -> str:
    try:
        user = os.getlogin()
    except OSError:
        user = os.environ.get("USER") or os.environ.get("USERNAME") or "?"
    return f"{user}@{socket.gethostname()}"


OpenPage = Callable[[PageRef], OfficialPage]
"""How the journal opens a page it must read back or send to: ``PageFactory.open``."""


def clock_now(clock: Clock | None) -> datetime:
    """The current moment on ``clock`` (the real time without one)."""
    if clock is None:
        return datetime.now(timezone.utc)
    return datetime.fromtimestamp(clock.time(), timezone.utc)


def lost_error(error: BaseException) -> bool:
    """Whether after ``error`` the outcome of a send is unknown."""
    return isinstance(error, OutcomeUnknown) or not isinstance(error, GospagesError)
