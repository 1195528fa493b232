"""What a classifier says about a comment: labels, reasons, a score."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from ._spam import DEFAULT_ALLOWED_DOMAINS, SpamMemory

__all__ = [
    "LABELS",
    "LABEL_TITLES",
    "ClassifyContext",
    "Label",
    "Reason",
    "Verdict",
    "label_title",
    "labels_text",
]

Label = Literal["obscene", "insult", "spam", "personal_data", "prohibited"]
LABELS: tuple[Label, ...] = get_args(Label)
"""The labels, in the order reports show them."""
LABEL_TITLES: dict[str, str] = {
    "obscene": "нецензурная брань",
    "insult": "оскорбление",
    "spam": "спам",
    "personal_data": "персональные данные",
    "prohibited": "запрещённые сведения",
}
"""How each label is shown to people (console, reports, the reason a platform shows)."""


def label_title(label: str) -> str:
    """The Russian name of ``label`` (a custom classifier's own label comes back as it is)."""
    return LABEL_TITLES.get(label, label)


def labels_text(labels: Iterable[str]) -> str:
    """``"оскорбление, спам"``: labels in :data:`LABELS` order, then any others, by name."""
    labels = set(labels)
    ordered = [x for x in LABELS if x in labels] + sorted(labels - set(LABELS))
    return ", ".join(label_title(x) for x in ordered)


@dataclass(frozen=True, slots=True)
class Reason:
    """One finding behind a label: what matched, where, by which rule."""

    label: str
    """One of :data:`LABELS` (a custom classifier may add its own)."""
    rule: str
    """The rule that fired: ``obscene.masked``, ``insult.threat.kill``, ``spam.link.invite``..."""
    match: str
    """The matched text, as written in the comment."""
    start: int
    end: int
    """Span of :attr:`match` in the original text (``text[start:end] == match``)."""
    score: float = 1.0
    """How sure the rule is, 0..1."""
    detail: str = ""
    """What the rule recognised: the root or lemma, the masked form, the link's host..."""
    source: str = ""
    """The classifier that found it: ``rules`` for :class:`RuleClassifier`; :func:`combine`
    fills it in with the classifier's ``name`` where a classifier left it empty."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "rule": self.rule,
            "match": self.match,
            "start": self.start,
            "end": self.end,
            "score": self.score,
            "detail": self.detail,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The labels a comment got, and why.

    ``labels`` is empty for a clean comment (:attr:`clean`). ``score`` is the highest score
    of the reasons (0.0 when clean): how sure the classifier is that the comment needs a
    moderator, not how bad it is.
    """

    labels: frozenset[str] = frozenset()
    reasons: tuple[Reason, ...] = ()
    score: float = 0.0

    @property
    def clean(self) -> bool:
        return not self.labels

    def has(self, label: str) -> bool:
        return label in self.labels

    def reasons_for(self, label: str) -> list[Reason]:
        return [r for r in self.reasons if r.label == label]

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": sorted(self.labels),
            "score": self.score,
            "reasons": [r.to_dict() for r in self.reasons],
        }

    @classmethod
    def of(cls, reasons: Iterable[Reason]) -> Verdict:
        """The verdict made of ``reasons`` (labels and score follow from them)."""
        unique = tuple(dict.fromkeys(reasons))
        if not unique:
            return CLEAN
        return cls(
            labels=frozenset(r.label for r in unique),
            reasons=unique,
            score=max(r.score for r in unique),
        )

    @classmethod
    def merge(cls, verdicts: Iterable[Verdict]) -> Verdict:
        """Several classifiers' verdicts as one: union of labels and reasons, highest score.

        A verdict may carry labels without reasons (a model that only says "spam, 0.93"):
        those labels are kept.
        """
        verdicts = list(verdicts)
        reasons = tuple(dict.fromkeys(r for v in verdicts for r in v.reasons))
        labels = frozenset(label for v in verdicts for label in v.labels)
        if not labels:
            return CLEAN
        return cls(labels=labels, reasons=reasons, score=max(v.score for v in verdicts))


CLEAN = Verdict()


@dataclass(frozen=True)
class ClassifyContext:
    """What the caller knows beyond the text itself.

    ``memory`` (a :class:`SpamMemory` the inbox keeps) and ``recent`` (texts seen lately,
    e.g. the other comments under the post) let the classifier see the same text posted
    again and again: at ``repeat_threshold`` sightings, including this one, it is spam.
    ``key`` identifies the comment (``"vk:-123:456"``) so that classifying it twice does
    not count twice. ``remember=False`` only reads the memory.
    ``allowed_domains`` add to the official domains whose links are never spam (the
    organisation's site, say).
    """

    memory: SpamMemory | None = None
    recent: Sequence[str] = ()
    key: Hashable | None = None
    remember: bool = True
    repeat_threshold: int = 3
    allowed_domains: tuple[str, ...] = field(default=())

    def domains(self) -> tuple[str, ...]:
        return DEFAULT_ALLOWED_DOMAINS + tuple(d.lower().lstrip(".") for d in self.allowed_domains)
