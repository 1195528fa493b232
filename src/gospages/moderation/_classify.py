"""The rule-based classifier, the :class:`Classifier` protocol and :func:`combine`."""

from __future__ import annotations

import asyncio
import inspect
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from .._russian import count_phrase
from ..requirements._rules import (
    _PASSPORT_RE,
    _SNILS_RE,
    personal_data_problems,
    prohibited_problems,
)
from ._insult import (
    FIRST_PERSON,
    GO_VERBS,
    THREAT_TRIGGER,
    THREATS,
    InsultLexicon,
    InsultWord,
    modal_threat,
)
from ._model import CLEAN, LABELS, ClassifyContext, Reason, Verdict
from ._morph import Morphology, get_morphology
from ._obscene import ObsceneHit, ObsceneLexicon
from ._spam import fingerprint, spam_signals
from ._text import SPACED_RE, TOKEN_RE, fold, lower_same_length, skeleton, variants

__all__ = [
    "AsyncClassifier",
    "Classifier",
    "CombinedClassifier",
    "RuleClassifier",
    "classify",
    "combine",
]


@runtime_checkable
class Classifier(Protocol):
    """Anything that labels a comment: the built-in rules, an ML model, a service.

    Only :meth:`classify` is required. It may also accept a keyword argument ``context``
    (a :class:`ClassifyContext`); :func:`combine` passes it to those that do. A classifier
    that calls a network service can offer ``async def aclassify(self, text, ...)``
    (see :class:`AsyncClassifier`) for the async paths.
    """

    def classify(self, text: str) -> Verdict: ...


@runtime_checkable
class AsyncClassifier(Protocol):
    """A classifier with a coroutine: ``await clf.aclassify(text)``."""

    async def aclassify(self, text: str) -> Verdict: ...


# -- scores -----------------------------------------------------------------------------------

_OBSCENE_SCORE = {"plain": 0.98, "obfuscated": 0.95, "masked": 0.9, "spaced": 0.9}
_SPAM_SCORE = {
    "spam.link.shortener": 0.9,
    "spam.link.invite": 0.85,
    "spam.link.promo": 0.85,
    "spam.link.bare": 0.6,
    "spam.earnings": 0.9,
    "spam.loan": 0.9,
    "spam.gambling": 0.9,
    "spam.magic": 0.85,
    "spam.diet": 0.8,
    "spam.subscribe": 0.8,
    "spam.discount": 0.7,
    "spam.giveaway": 0.8,
    "spam.sale": 0.7,
    "spam.job": 0.8,
    "spam.private": 0.6,
    "spam.flood.repeat": 0.7,
    "spam.flood.emoji": 0.7,
    "spam.flood.words": 0.7,
}

# -- personal data and prohibited content: the requirements' rules, plus a little -------------

# What personal_data_problems() can find at all: a mobile number (9XX after +7/8 or
# alone), a СНИЛС, a passport. Anything else is spared the (slow) phone matcher.
_PD_TRIGGER = re.compile(
    r"(?<!\d)(?:\+?7|8)?[\s\-(]*9(?:[\s\-()]*\d){9}(?!\d)|\d{3}-\d{3}-\d{3}[ -]\d{2}|паспорт"
)
# Not (yet) in requirements._rules: «паспорт серия 6905 номер 123456».
_PASSPORT_SERIES_RE = re.compile(
    r"паспорт\w*\D{0,30}?сери\w*\s*\d{2}\s?\d{2}\D{0,15}?номер\w*\s*\d{6}"
)
# Benign continuations of the requirements' prohibited-content patterns.
_PROHIBITED_BENIGN = re.compile(
    r"(?:вступайте в ряды\s+(?:\w+\s+){0,2}?(?:волонт|юнарм|добровол|дружин|днд|мчс|армии|донор"
    r"|пожарн|поисков|движени\w* первых|росгвард)"
    r"|купить соль\s+(?:для|техническ|поварен|пищев|каменн|морск|йодир|в мешк))"
)
_EXTRA_PROHIBITED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "prohibited.drugs",
            r"\b(?:мефедрон\w*|меф|гашиш\w*|гаш|амфетамин\w*|кокаин\w*|героин\w*|спайс\w*"
            r"|альфа[- ]?pvp|марихуан\w*)\b[^.!?\n]{0,40}\b(?:в наличии|пиши\w*|закладк\w*"
            r"|доставк\w*|продаю|продам|клад\w*|телег\w*|тг)\b",
        ),
        (
            "prohibited.suicide",
            r"\bпокончить\s+с\s+собой\b|\bкак\s+(?:лучше\s+)?(?:повеситься|отравиться"
            r"|вскрыть\s+вены)\b",
        ),
        (
            "prohibited.riots",
            r"\b(?:громим|громите|громить|разгромим|штурмуем|штурмуйте|захватим|захватывайте)"
            r"\s+(?:\w+\s+)?(?:администрац\w*|мэри\w*|здани\w*|полици\w*|власть)",
        ),
    )
)


@dataclass(frozen=True, slots=True)
class _Token:
    word: str
    """The token's skeleton (main reading), for the context words: «за», «не», «вы»."""
    obscene: ObsceneHit | None
    insult: InsultWord | None
    addressee: bool
    hot: bool
    """Obscene, an insult or a «пошли/иди» verb: worth a look in context."""


_lexicon_lock = threading.Lock()
_obscene_lexicon: ObsceneLexicon | None = None
_insult_lexicons: dict[bool, InsultLexicon] = {}


def _lexicons(morph: Morphology | None) -> tuple[ObsceneLexicon, InsultLexicon]:
    global _obscene_lexicon
    with _lexicon_lock:
        if _obscene_lexicon is None:
            _obscene_lexicon = ObsceneLexicon.load()
        key = morph is not None
        if key not in _insult_lexicons:
            _insult_lexicons[key] = InsultLexicon(morph)
        return _obscene_lexicon, _insult_lexicons[key]


class RuleClassifier:
    """The built-in classifier: lexicons and rules, no model, about 20-40 µs a comment.

    ``labels`` limits the labels it looks for (all of :data:`LABELS` by default).
    ``morphology``: ``None`` uses pymorphy3 when it is installed, ``False`` never does
    (the fallback), ``True`` requires it. ``allowed_domains`` adds domains whose links are
    never spam. Tokens are cached (``cache_size`` distinct tokens), so the cost falls as
    the vocabulary of the page repeats. Thread-safe.
    """

    name = "rules"

    def __init__(
        self,
        *,
        labels: Iterable[str] | None = None,
        morphology: bool | None = None,
        allowed_domains: Iterable[str] = (),
        cache_size: int = 131_072,
    ) -> None:
        wanted = frozenset(LABELS if labels is None else labels)
        unknown = wanted - set(LABELS)
        if unknown:
            raise ValueError(f"RuleClassifier: unknown labels {sorted(unknown)}")
        self.labels = wanted
        morph = None if morphology is False else get_morphology()
        if morphology is True and morph is None:
            raise RuntimeError(
                "RuleClassifier(morphology=True): нет pymorphy3; "
                "установите pip install 'gospages[moderation]'"
            )
        self._morph = morph
        self.morphology = morph is not None
        """Whether pymorphy3 is in use."""
        self.allowed_domains = tuple(d.lower().lstrip(".") for d in allowed_domains)
        self._domains = ClassifyContext().domains() + self.allowed_domains
        self._obscene, self._insult = _lexicons(morph)
        self._token = lru_cache(maxsize=cache_size)(self._token_uncached)
        self._spaced = lru_cache(maxsize=4096)(self._spaced_uncached)

    def __repr__(self) -> str:
        return f"RuleClassifier(labels={sorted(self.labels)}, morphology={self.morphology})"

    def clear_cache(self) -> None:
        """Forget the cached tokens (benchmarks measure the cold cost with it)."""
        self._token.cache_clear()
        self._spaced.cache_clear()

    # -- tokens ------------------------------------------------------------------------------

    def _token_uncached(self, raw: str) -> _Token:
        readings = variants(raw)
        skeletons = tuple(skeleton(r) for r in readings)
        obscene = self._obscene.token(raw, self._morph, readings=readings, skeletons=skeletons)
        word = skeletons[0]
        insult = self._insult.words.get(word)
        return _Token(
            word=word,
            obscene=obscene,
            insult=insult,
            addressee=word in self._insult.addressees,
            hot=obscene is not None or insult is not None or word in GO_VERBS,
        )

    def _spaced_uncached(self, raw: str) -> ObsceneHit | None:
        return self._obscene.token(re.sub(r"[ .\-_]", "", raw), self._morph, spaced=True)

    # -- the whole comment -------------------------------------------------------------------

    def classify(self, text: str, *, context: ClassifyContext | None = None) -> Verdict:
        """The labels of one comment (see :data:`LABELS`), with the reasons."""
        low = lower_same_length(text)
        folded = fold(low)
        reasons: list[Reason] = []
        labels = self.labels
        if "obscene" in labels or "insult" in labels:
            tokens = [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(low)]
            token = self._token
            infos = [token(raw) for _, _, raw in tokens]
            hot = [i for i, info in enumerate(infos) if info.hot]
            obscene = self._obscene_reasons(text, low, tokens, infos, hot)
            if "obscene" in labels:
                reasons.extend(obscene)
            if "insult" in labels:
                reasons.extend(self._insult_reasons(text, folded, tokens, infos, hot))
        if "spam" in labels:
            reasons.extend(self._spam_reasons(text, low, folded, context))
        if "personal_data" in labels and _PD_TRIGGER.search(low):
            reasons.extend(_personal_data_reasons(text))
        if "prohibited" in labels and _PROHIBITED_TRIGGER.search(folded):
            reasons.extend(_prohibited_reasons(text, low, folded))
        if not reasons:
            return CLEAN
        if self.name != _SOURCE:
            reasons = [replace(r, source=self.name) for r in reasons]
        return Verdict.of(reasons)

    async def aclassify(self, text: str, *, context: ClassifyContext | None = None) -> Verdict:
        """:meth:`classify` for async code (it is CPU work of microseconds: no thread)."""
        return self.classify(text, context=context)

    def _obscene_reasons(
        self,
        text: str,
        low: str,
        tokens: list[tuple[int, int, str]],
        infos: list[_Token],
        hot: list[int],
    ) -> list[Reason]:
        found: list[Reason] = []
        for index in hot:
            hit = infos[index].obscene
            if hit is not None:
                start, end, _ = tokens[index]
                found.append(_obscene_reason(text, start, end, hit))
        if " " in low or "." in low:
            for m in SPACED_RE.finditer(low):
                start, end = m.span()
                if any(r.start < end and start < r.end for r in found):
                    continue
                hit = self._spaced(m.group())
                if hit is not None:
                    found.append(_obscene_reason(text, start, end, hit))
        return found

    def _insult_reasons(
        self,
        text: str,
        folded: str,
        tokens: list[tuple[int, int, str]],
        infos: list[_Token],
        hot: list[int],
    ) -> list[Reason]:
        found: list[Reason] = []
        words = [info.word for info in infos] if hot else []
        for index in hot:
            info = infos[index]
            word = info.insult
            if word is None:
                continue
            start, end, _ = tokens[index]
            if _quoted(folded, start, end):
                continue  # a title: фильм «Идиот»
            before = words[max(0, index - 3) : index]
            if "за" in before[-2:]:
                continue  # «держат нас за дураков»
            if word.strong:
                if FIRST_PERSON.intersection(before[-2:]) or (
                    before[-1:] == ["не"] and FIRST_PERSON.intersection(before)
                ):
                    continue  # «я не идиот», «мы что, идиоты?»
                rule, score = "insult.word", 0.9
            else:
                near = infos[max(0, index - 4) : index] + infos[index + 1 : index + 5]
                if not any(n.addressee for n in near):
                    continue
                rule, score = "insult.addressed", 0.75
            found.append(_reason("insult", rule, text, start, end, score, word.lemma))
        for index in hot:
            if words[index] not in GO_VERBS:
                continue
            for j in range(index + 1, min(index + 5, len(infos))):
                if infos[j].obscene is not None:
                    start, end = tokens[index][0], tokens[j][1]
                    found.append(_reason("insult", "insult.go", text, start, end, 0.85))
                    break
        if THREAT_TRIGGER.search(folded):
            for rule, pattern in THREATS:
                m = pattern.search(folded)
                if m is not None:
                    found.append(_reason("insult", rule, text, m.start(), m.end(), 0.9))
            span = modal_threat(folded)
            if span is not None:
                found.append(_reason("insult", "insult.threat.modal", text, *span, 0.85))
        return found

    def _spam_reasons(
        self, text: str, low: str, folded: str, context: ClassifyContext | None
    ) -> list[Reason]:
        domains = self._domains if context is None else context.domains() + self.allowed_domains
        found = [
            _reason("spam", rule, text, start, end, _SPAM_SCORE.get(rule, 0.7))
            for rule, start, end in spam_signals(low, domains, folded).hits
        ]
        if context is not None and (context.memory is not None or context.recent):
            seen = _sightings(text, context)
            if seen >= context.repeat_threshold:
                detail = f"такой же текст встречен {count_phrase(seen, ('раз', 'раза', 'раз'))}"
                found.append(_reason("spam", "spam.repeat", text, 0, len(text), 0.8, detail))
        return found


_SOURCE = "rules"


def _reason(
    label: str, rule: str, text: str, start: int, end: int, score: float, detail: str = ""
) -> Reason:
    return Reason(label, rule, text[start:end], start, end, score, detail, _SOURCE)


def _obscene_reason(text: str, start: int, end: int, hit: ObsceneHit) -> Reason:
    detail = f"{hit.root}: {hit.form}"
    return _reason(
        "obscene", f"obscene.{hit.how}", text, start, end, _OBSCENE_SCORE[hit.how], detail
    )


def _quoted(low: str, start: int, end: int) -> bool:
    return start > 0 and end < len(low) and low[start - 1] in '«"“' and low[end] in '»"”'


def _sightings(text: str, context: ClassifyContext) -> int:
    seen = 1
    memory = context.memory
    if memory is not None:
        seen = memory.observe(text, context.key) if context.remember else memory.count(text) + 1
        if seen == 0:
            return 0  # too short to tell
    if context.recent:
        mine = fingerprint(text)
        if mine is None:
            return 0
        seen += sum(1 for other in context.recent if fingerprint(other) == mine)
    return seen


_MOBILE_SPAN_RE = re.compile(r"(?<!\d)(?:\+?7|8)?[\s\-(]*9(?:[\s\-()]*\d){9}(?!\d)")


def _personal_data_reasons(text: str) -> list[Reason]:
    """personal_data_problems() decides; the spans are found with cheap patterns."""
    problems = personal_data_problems(text)
    found: list[Reason] = []
    if problems:
        if any(p.startswith("мобильные") for p in problems):
            for m in _MOBILE_SPAN_RE.finditer(text):
                start = m.start() + len(m.group(0)) - len(m.group(0).lstrip(" -("))
                found.append(
                    _reason(
                        "personal_data",
                        "personal_data.phone",
                        text,
                        start,
                        m.end(),
                        0.7,
                        "мобильный номер",
                    )
                )
        for rule, pattern in (
            ("personal_data.snils", _SNILS_RE),
            ("personal_data.passport", _PASSPORT_RE),
        ):
            for m in pattern.finditer(text):
                found.append(_reason("personal_data", rule, text, m.start(), m.end(), 0.7))
        if not found:  # the rules saw something the spans above missed
            found.append(
                _reason(
                    "personal_data", "personal_data", text, 0, len(text), 0.6, "; ".join(problems)
                )
            )
    for m in _PASSPORT_SERIES_RE.finditer(text.lower()):
        if not any(r.start <= m.start() < r.end for r in found):
            found.append(
                _reason("personal_data", "personal_data.passport", text, m.start(), m.end(), 0.7)
            )
    return found


# A comment without any of these cannot match the prohibited-content patterns (the
# requirements' and ours).
_PROHIBITED_TRIGGER = re.compile(
    r"закладк|купить|способ|вступайте|оружие|мефедрон|\bмеф\b|гашиш|\bгаш\b|амфетамин|кокаин"
    r"|героин|спайс|альфа|марихуан|покончить|повеситься|отравиться|вскрыть|громим|громите"
    r"|громить|разгромим|штурм|захват"
)


def _prohibited_reasons(text: str, low: str, folded: str) -> list[Reason]:
    found: list[Reason] = []
    for problem in prohibited_problems(text):
        snippet = problem.strip("«»").lower()
        start = low.find(snippet)
        if start == -1:
            found.append(_reason("prohibited", "prohibited", text, 0, len(text), 0.8))
            continue
        if _PROHIBITED_BENIGN.match(low, start):
            continue
        end = start + len(snippet)
        found.append(
            _reason("prohibited", "prohibited.149", text, start, end, 0.8, "149-ФЗ ст. 10.6")
        )
    if not found:
        for rule, pattern in _EXTRA_PROHIBITED:
            m = pattern.search(folded)
            if m is not None:
                found.append(
                    _reason("prohibited", rule, text, m.start(), m.end(), 0.8, "149-ФЗ ст. 10.6")
                )
    return found


# -- several classifiers ------------------------------------------------------------------------


def _takes_context(method: Any) -> bool:
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
    return "context" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


class CombinedClassifier:
    """Several classifiers asked in turn; their verdicts merged (:meth:`Verdict.merge`).

    Reasons keep the name of the classifier that gave them (its ``name`` attribute, or
    the class name) in :attr:`Reason.source`. An error in one classifier is not hidden.
    """

    name = "combined"

    def __init__(self, classifiers: Iterable[Classifier | AsyncClassifier]) -> None:
        self.classifiers = tuple(classifiers)
        if not self.classifiers:
            raise ValueError("combine: at least one classifier is needed")
        for clf in self.classifiers:
            if not hasattr(clf, "classify") and not hasattr(clf, "aclassify"):
                raise TypeError(f"combine: {clf!r} has neither classify() nor aclassify()")
        self._sync_context = [
            hasattr(c, "classify") and _takes_context(c.classify) for c in self.classifiers
        ]
        self._async_context = [
            hasattr(c, "aclassify") and _takes_context(c.aclassify) for c in self.classifiers
        ]

    def classify(self, text: str, *, context: ClassifyContext | None = None) -> Verdict:
        verdicts = []
        for clf, with_context in zip(self.classifiers, self._sync_context, strict=True):
            if not isinstance(clf, Classifier):
                raise TypeError(f"{_name(clf)} is async only: use aclassify()")
            verdict = clf.classify(text, context=context) if with_context else clf.classify(text)  # type: ignore[call-arg]
            verdicts.append(_sourced(verdict, _name(clf)))
        return Verdict.merge(verdicts)

    async def aclassify(self, text: str, *, context: ClassifyContext | None = None) -> Verdict:
        """Asks the classifiers concurrently (those without ``aclassify`` synchronously)."""

        async def one(index: int) -> Verdict:
            clf = self.classifiers[index]
            if isinstance(clf, AsyncClassifier):
                if self._async_context[index]:
                    verdict = await clf.aclassify(text, context=context)  # type: ignore[call-arg]
                else:
                    verdict = await clf.aclassify(text)
            elif self._sync_context[index]:
                verdict = clf.classify(text, context=context)  # type: ignore[call-arg]
            else:
                verdict = clf.classify(text)
            return _sourced(verdict, _name(clf))

        verdicts = await asyncio.gather(*(one(i) for i in range(len(self.classifiers))))
        return Verdict.merge(verdicts)


def _name(clf: object) -> str:
    name = getattr(clf, "name", None)
    return name if isinstance(name, str) and name else type(clf).__name__


def _sourced(verdict: Verdict, source: str) -> Verdict:
    if all(r.source for r in verdict.reasons):
        return verdict
    reasons = tuple(r if r.source else replace(r, source=source) for r in verdict.reasons)
    return Verdict(labels=verdict.labels, reasons=reasons, score=verdict.score)


def combine(*classifiers: Classifier | AsyncClassifier) -> CombinedClassifier:
    """One classifier made of several: labels are the union, the score the highest.

    ``combine(RuleClassifier(), MyModel())``: the rules catch мат and spam exactly, the
    model what the rules cannot phrase.
    """
    return CombinedClassifier(classifiers)


_default: RuleClassifier | None = None
_default_lock = threading.Lock()


def classify(text: str, *, context: ClassifyContext | None = None) -> Verdict:
    """Labels of one comment by the built-in rules (a shared :class:`RuleClassifier`)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = RuleClassifier()
    return _default.classify(text, context=context)
