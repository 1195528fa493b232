"""Moderation of comments on official pages: what a comment is, and why.

Municipal procedures for official pages (seeds 003 item 8, 004 item 2.5; POL-MOD in
legal-rules.md) remove comments with spam, insults, aggression and obscene language;
federal law adds prohibited content (149-ФЗ art. 10.6) and personal data of private
persons (152-ФЗ). :func:`classify` labels a comment with

* ``obscene``: мат, in any word form and however it is disguised (``xуй``, ``х.у.й``,
  ``бл*ть``, ``3.14здец``, ``blyat``); euphemisms (блин, фиг, хрен) are not мат;
* ``insult``: insults and threats aimed at people (``вы там все идиоты``, ``убью``);
* ``spam``: paid offers, links, floods, the same text again and again (:class:`SpamMemory`);
* ``personal_data``: mobile numbers, СНИЛС, passport numbers;
* ``prohibited``: drugs, suicide methods, calls to riots and extremism;

and says why (:class:`Reason`: the rule, the words, their place in the text). The rules
are :class:`RuleClassifier`; an organisation's own model plugs in next to them through
the :class:`Classifier` protocol and :func:`combine`.

Morphology uses pymorphy3 when it is installed (``pip install 'gospages[moderation]'``);
see docs/moderation.md for what the fallback loses.

The inbox (:func:`moderate`, :class:`ModerationStore`, :func:`decide`) fetches new
comments of every page, classifies them and acts under the region's policy.
"""

from ._classify import (
    AsyncClassifier,
    Classifier,
    CombinedClassifier,
    RuleClassifier,
    classify,
    combine,
)
from ._inbox import (
    JOURNAL_HEADERS,
    Action,
    Decision,
    ModerationLocked,
    ModerationRun,
    ModerationStore,
    OverdueQuestion,
    decide,
    moderate,
    would_remove,
)
from ._model import (
    LABEL_TITLES,
    LABELS,
    ClassifyContext,
    Label,
    Reason,
    Verdict,
    label_title,
    labels_text,
)
from ._morph import morphology_available
from ._spam import DEFAULT_ALLOWED_DOMAINS, SpamMemory, fingerprint

__all__ = [
    "DEFAULT_ALLOWED_DOMAINS",
    "JOURNAL_HEADERS",
    "LABELS",
    "LABEL_TITLES",
    "Action",
    "AsyncClassifier",
    "Classifier",
    "ClassifyContext",
    "CombinedClassifier",
    "Decision",
    "Label",
    "ModerationLocked",
    "ModerationRun",
    "ModerationStore",
    "OverdueQuestion",
    "Reason",
    "RuleClassifier",
    "SpamMemory",
    "Verdict",
    "classify",
    "combine",
    "decide",
    "fingerprint",
    "label_title",
    "labels_text",
    "moderate",
    "morphology_available",
    "would_remove",
]
