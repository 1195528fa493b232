"""Which comments are questions that the page owes an answer: one definition shared by the
audit (``requirements.comment_stats``) and the inbox (``moderation.moderate``).

A question awaiting an answer is a top-level comment of a resident (not the page's own,
not deleted) that asks something (:func:`asks`) and that moderation would not remove.
This module sits below both layers, so it knows nothing of the classifier: the caller
passes ``removed(text) -> bool`` ("would moderation delete this comment?"), which
:func:`gospages.moderation.would_remove` builds from a policy and a classifier. Without it
an insulting question («Вы там все идиоты в администрации?») still counts.

Measured on ``tests/questions_eval.jsonl`` (docs/moderation.md, «Вопросы без ответа»).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ._models import Comment

__all__ = ["Removal", "answered_ids", "asks", "awaits_answer", "unanswered_questions"]

Removal = Callable[[str], bool]
"""``removed(text)``: whether moderation would remove a comment with this text."""

# Links carry «?» of their own (``?id=1``); emoticons too (``:?``, ``o_O?``).
_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:ru|рф|su|com|org|net|info|me)/\S*",
    re.IGNORECASE,
)
_EMOTICON_RE = re.compile(r"(?<!\w)(?:[:;=8]-?\?+|[oо0][_.][oо0]\?*)(?!\w)", re.IGNORECASE)

_LEAD = (
    r"^(?:(?:здравствуйте|добрый\s+(?:день|вечер)|доброе\s+утро|привет|уважаемые?"
    r"(?:\s+\w+)?|извините|простите|администрация|а|и|ну|так|люди|граждане)[\s,.!:—-]+)*"
)
# A request for information without «?»: «подскажите, где…», «можно ли…».
_REQUEST = re.compile(
    _LEAD + r"(?:подскаж\w*|скаж\w+|объясн\w*|уточн\w*|разъясн\w*|сообщ\w+|ответьте|"
    r"не\s+подскаж\w*|интересует|хотел[аио]?(?:сь)?\s+бы\s+узнать|хочу\s+узнать|"
    r"прошу\s+(?:сообщить|разъяснить|пояснить|ответить|дать\s+ответ|уточнить)|"
    r"\w+\s+ли)\b(?!-)",
    re.IGNORECASE,
)
# An interrogative word opening a sentence that does not end in «.» or «!»: «когда будет
# приём у депутата», but not «когда нет воды, не до праздников.» nor «как всегда».
_WH = re.compile(
    _LEAD + r"(?:как(?:ой|ая|ое|ие|им|их|ую)?|когда|где|куда|откуда|кто|почему|зачем|"
    r"сколько|во\s+сколько|до\s+скольки|чем|что)\b(?!-|\s+(?:ни|бы|же|то|и)\b)"
    r"(?!\s+(?:всегда|обычно|говорится|хорошо|мило|здорово|приятно|жаль|красиво|нет\b))",
    re.IGNORECASE,
)
# «…, куда звонить», «у кого узнать про субсидию»: a question word and an infinitive.
_WH_INFINITIVE = re.compile(
    r"(?:^|[,;:—-]\s*)(?:куда|где|кому|у\s+кого|как|когда|к\s+кому|чем)\s+"
    r"\w+(?:ть|ти|чь)(?:ся)?\b",
    re.IGNORECASE,
)

# Questions that expect no answer: indignation and sarcasm (an insulting one is left to
# the ``removed`` check: moderation deletes it).
_RHETORICAL = re.compile(
    r"сколько\s+(?:можно|ещё|еще\s+можно)\b(?!\s+(?:ждать\s+(?:справк|ответ|документ)))|"
    r"\bдоколе\b|\bдо\s+каких\s+пор\b|куда\s+смотр\w+|кому\s+(?:это\s+)?(?:всё\s+)?(?:нужн\w*|надо)|"
    r"\bи\s+это\s+называется\b|\bразве\s+это\b|не\s+стыдно|где\s+(?:ваша\s+)?совесть|"
    r"есть\s+ли\s+у\s+вас\s+совесть|кто\s+вас\s+(?:только\s+)?(?:выбирал|выбрал|назначил)|"
    r"вы\s+издеваетесь|вам\s+не\s+надоело|что\s+за\s+(?:бардак|безобразие|беспредел|цирк)|"
    r"\bа\s+что\s+вы\s+хотели\b|\bчего\s+(?:вы\s+)?ещё\s+ждать\b|"
    r"\bкто\s+бы\s+сомневался\b|\bнеужели\s+(?:так\s+)?сложно\b|"
    r"\bа\s+вы\s+(?:как\s+)?думали\b|\bи\s+что\s+дальше\s*\?!",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    """``text`` without links and emoticons, whose «?» ask nothing."""
    return _EMOTICON_RE.sub(" ", _URL_RE.sub(" ", text))


def asks(text: str) -> bool:
    """Whether ``text`` asks something the page should answer: a «?» outside links and
    emoticons, or a request for information without one («подскажите, где…»), and no
    rhetorical indignation («сколько можно?!», «кому это нужно?»)."""
    plain = _plain(text).strip()
    if not plain:
        return False
    if _RHETORICAL.search(plain):
        return False
    if "?" in plain:
        return True
    for sentence in re.split(r"(?<=[.!…])\s+|\n+", plain):
        sentence = sentence.strip(' \t"«»()-—')
        if _REQUEST.match(sentence) or _WH_INFINITIVE.search(sentence):
            return True
        if _WH.match(sentence) and not sentence.endswith((".", "!", "…")):
            return True
    return False


def answered_ids(comments: Iterable[Comment]) -> set[str]:
    """Ids of the comments the page has answered (in their thread or directly)."""
    out: set[str] = set()
    for c in comments:
        if c.from_page:
            out.update(x for x in (c.parent_id, c.thread_id) if x)
    return out


def awaits_answer(comment: Comment, *, removed: Removal | None = None) -> bool:
    """Whether ``comment`` is a resident's question to answer (answered or not): top
    level, not the page's, not deleted, :func:`asks`, and not one moderation removes."""
    if comment.parent_id is not None or comment.from_page or comment.deleted:
        return False
    if not comment.text or not asks(comment.text):
        return False
    return removed is None or not removed(comment.text)


def unanswered_questions(
    comments: Iterable[Comment], *, removed: Removal | None = None
) -> tuple[list[Comment], list[Comment]]:
    """``(questions, unanswered)`` among ``comments``: the questions awaiting an answer
    (:func:`awaits_answer`) and those of them the page has not answered."""
    comments = list(comments)
    answered = answered_ids(comments)
    questions = [c for c in comments if awaits_answer(c, removed=removed)]
    return questions, [q for q in questions if q.id not in answered]
