"""A content plan: dated posts for a selection of pages, agreed in advance."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .._errors import ValidationError
from .._models import Post

__all__ = ["DEFAULT_TIMEZONE", "ContentPlan", "PlanError", "PlanItem", "PlanProblem"]

DEFAULT_TIMEZONE = "Europe/Moscow"
"""The time zone of a plan's dates unless the plan or a row says otherwise."""


@dataclass(frozen=True)
class PlanProblem:
    """What is wrong with one row (or the whole file) of a plan, in Russian.

    ``row`` is the row number as the user sees it (the spreadsheet's row, the YAML item's
    number from 1), ``None`` for the file itself; ``column`` is the column as the file
    names it.
    """

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f"столбец «{self.column}»")
        if not where:
            return self.message
        text = ", ".join(where)
        return f"{text[0].upper()}{text[1:]}: {self.message}"


class PlanError(ValidationError):
    """A plan that cannot be used as it is: every problem, each with its row and column."""

    def __init__(self, source: str, problems: list[PlanProblem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"Контент-план {source}: ошибок {len(problems)}:\n{lines}")


def _stable_id(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"p-{digest[:12]}"


class PlanItem(BaseModel):
    """One planned post.

    Attributes:
        id: stable across runs: the plan's «ID» column, else derived from the row's
            content (date, time, targets, text, files), so re-reading an unchanged plan
            gives the same ids (a journal keys its entries by them).
        at: when to publish, with its time zone.
        target: the selection of pages as written in the plan («kind=поселение
            parent=ensk-district platform=vk,ok»), resolved against a registry later.
        post: what to publish; ``post.publish_at`` is ``at`` and ``post.idempotency_key``
            is derived from the id and the content (stable: VK ``guid``).
        row: where the item is in the file (for messages), ``None`` if built in code.
        text_file: the .txt/.docx the text was read from, if any.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1, max_length=64)]
    at: datetime
    target: Annotated[str, Field(min_length=1)]
    post: Post
    row: int | None = None
    text_file: Path | None = None

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("at: укажите время с часовым поясом")
        return value

    @field_validator("id")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.isprintable() or value != value.strip():
            raise ValueError("id: только видимые символы, без пробелов по краям")
        return value

    @property
    def title(self) -> str:
        """The first non-empty line of the text (the poll's question, else «Фото»)."""
        for line in self.post.text.splitlines():
            if line.strip():
                return line.strip()
        if self.post.polls:
            return self.post.polls[0].question
        return "Фото" if self.post.photos else "(без текста)"


class ContentPlan(BaseModel):
    """Planned posts in the order of their time (the order of rows between equal times).

    Build one with :func:`gospages.planning.load_plan` from XLSX, CSV or YAML, or in code.
    Ids are unique.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    items: list[PlanItem] = Field(default_factory=list)
    timezone: str = DEFAULT_TIMEZONE
    source: str | None = None
    """The file the plan was read from, for messages."""

    @field_validator("items")
    @classmethod
    def _unique_sorted(cls, items: list[PlanItem]) -> list[PlanItem]:
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise ValueError(f"id «{item.id}» встречается дважды")
            seen.add(item.id)
        return sorted(items, key=lambda i: i.at)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[PlanItem]:  # type: ignore[override]
        return iter(self.items)

    def get(self, item_id: str) -> PlanItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def between(self, start: datetime, end: datetime) -> list[PlanItem]:
        """Items with ``start <= at < end`` (aware datetimes)."""
        return [i for i in self.items if start <= i.at < end]

    def week(self, first_day: date) -> list[PlanItem]:
        """Items of the seven days from ``first_day`` (midnight in the plan's zone)."""
        from zoneinfo import ZoneInfo

        start = datetime.combine(first_day, datetime.min.time(), ZoneInfo(self.timezone))
        return self.between(start, start + timedelta(days=7))
