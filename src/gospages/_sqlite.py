"""SQLite files several processes share: the journal, the moderation state, the history.

All three are in WAL mode (a commit is one append; readers do not block the writer; what
was committed survives the process being killed). Switching a file to WAL takes a lock
that SQLite does not wait for the way it waits for writes: two processes opening a new
file at once made one fail with "database is locked". :func:`connect` waits for it too.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any, Literal

__all__ = ["connect"]

_WAIT = 30.0


def connect(
    path: str | Path,
    *,
    synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
    timeout: float = _WAIT,
    **options: Any,
) -> sqlite3.Connection:
    """A connection to ``path`` in WAL mode with ``synchronous`` (``NORMAL``: a power cut
    may lose the last commits, never consistency; ``FULL``: it loses none), waiting up to
    ``timeout`` seconds for other processes' locks, the switch to WAL included."""
    db: sqlite3.Connection = sqlite3.connect(path, timeout=timeout, **options)
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        try:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()
            break
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                db.close()
                raise
            time.sleep(pause)  # another process is switching or creating the file
            pause = min(pause * 2, 0.2)
    if mode is None or str(mode[0]).lower() != "wal":
        db.close()
        raise sqlite3.OperationalError(f"{path}: режим WAL недоступен ({mode})")
    db.execute(f"PRAGMA synchronous={synchronous}")
    return db
