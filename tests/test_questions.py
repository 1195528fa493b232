"""The question detector shared by the audit and the inbox, measured on a labelled set.

Reproduce the figures of docs/moderation.md («Вопросы без ответа»):
``PYTHONPATH=src python -m pytest -q tests/test_questions.py -k figures -s``
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from gospages import Comment, Platform
from gospages._questions import asks, awaits_answer, unanswered_questions
from gospages.moderation import would_remove
from gospages.requirements import comment_stats

EVAL = Path(__file__).with_name("questions_eval.jsonl")
ROWS = [json.loads(line) for line in EVAL.read_text("utf-8").splitlines() if line.strip()]
NOW = datetime(2025, 3, 10, 12, tzinfo=timezone.utc)

#: Floors the detector must keep (measured figures are in docs/moderation.md). The rules
#: were written while reading this set: the figures are optimistic for unseen text.
PRECISION, RECALL = 0.93, 0.97


def _comment(text: str, n: int = 1, **extra: object) -> Comment:
    fields: dict[str, object] = {
        "platform": Platform.VK,
        "page": "club1",
        "id": str(n),
        "post_id": "p1",
        "author_id": "u1",
        "date": NOW - timedelta(hours=30),
        "text": text,
    }
    fields.update(extra)
    return Comment.model_validate(fields)


def _scores(rows: list[dict[str, object]]) -> tuple[float, float, int, int, int]:
    removed = would_remove("federal")
    tp = fp = fn = 0
    for row in rows:
        said = awaits_answer(_comment(str(row["text"])), removed=removed)
        truth = bool(row["question"])
        tp += said and truth
        fp += said and not truth
        fn += truth and not said
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def test_the_set_is_large_and_varied() -> None:
    assert len(ROWS) >= 150
    kinds = {row["kind"] for row in ROWS}
    assert {"question", "no_mark", "rhetorical", "insult", "url", "smiley"} <= kinds
    assert len({row["text"] for row in ROWS}) == len(ROWS)


def test_precision_and_recall_keep_their_floors() -> None:
    precision, recall, tp, fp, fn = _scores(ROWS)
    assert precision >= PRECISION, (precision, tp, fp, fn)
    assert recall >= RECALL, (recall, tp, fp, fn)


def test_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Print the table of docs/moderation.md (run with ``-s``)."""
    lines = [
        "| комментарии | всего | вопросов | precision | recall | TP/FP/FN |",
        "|---|---|---|---|---|---|",
    ]
    precision, recall, tp, fp, fn = _scores(ROWS)
    asked = sum(bool(r["question"]) for r in ROWS)
    lines.append(
        f"| все | {len(ROWS)} | {asked} | {precision:.2f} | {recall:.2f} | {tp}/{fp}/{fn} |"
    )
    for kind in sorted({str(r["kind"]) for r in ROWS}):
        rows = [r for r in ROWS if r["kind"] == kind]
        _, _, tp, fp, fn = _scores(rows)
        lines.append(
            f"| {kind} | {len(rows)} | {sum(bool(r['question']) for r in rows)} | | | {tp}/{fp}/{fn} |"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))


def test_the_insult_of_the_issue_is_no_question_to_answer() -> None:
    text = "Вы там все идиоты в администрации?"
    assert asks(text)  # it is phrased as a question ...
    assert not awaits_answer(_comment(text), removed=would_remove("federal"))  # ... deleted


@pytest.mark.parametrize(
    "text",
    [
        "Запись тут https://www.gosuslugi.ru/600300/1?from=main",
        "ну вы даёте :?",
        "Сколько можно это терпеть?!",
        "",
    ],
)
def test_no_question(text: str) -> None:
    assert not asks(text)


@pytest.mark.parametrize(
    "text",
    ["подскажите пожалуйста куда обращаться если соседи топят", "Будет ли автобус в праздники"],
)
def test_questions_without_a_question_mark(text: str) -> None:
    assert asks(text)


def test_structure_replies_and_the_pages_own_comments_are_no_questions() -> None:
    reply = _comment("а когда?", 2, parent_id="1")
    own = _comment("Когда удобно?", 3, from_page=True)
    gone = _comment("Когда?", 4, deleted=True)
    assert not any(awaits_answer(c) for c in (reply, own, gone))


def test_the_audit_and_the_inbox_count_the_same_questions() -> None:
    """comment_stats (audit) and the inbox's overdue list use the one detector."""
    comments = [
        _comment("Когда починят дорогу на Лесной?", 1),
        _comment("Вы там все идиоты в администрации?", 2),
        _comment("подскажите часы работы МФЦ", 3),
        _comment("Спасибо за праздник!", 4),
        _comment("Где взять бланк?", 5),
        _comment("Бланк в кабинете 3.", 6, parent_id="5", from_page=True),
    ]
    removed = would_remove("federal")
    stats = comment_stats(comments, NOW, removed=removed)
    assert stats.questions == 3
    assert [q["id"] for q in stats.unanswered] == ["1", "3"]
    questions, unanswered = unanswered_questions(comments, removed=removed)
    assert [c.id for c in unanswered] == ["1", "3"] and len(questions) == 3
    # Without the removal check the insult counts: the audit must be given it.
    assert comment_stats(comments, NOW).questions == 4
