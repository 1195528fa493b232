"""Insults and aggression aimed at people: words from ``data/insult.json`` and threats.

Two kinds of words. *Strong* ones (``идиот``, ``мразь``, ``бездарь``, ``казнокрад``) insult
whoever they name. *Weak* ones (``вор``, ``дурак``, ``клоун``, ``козёл``, ``тупой``) insult
only when aimed: an addressee (``вы``, ``ты``, ``ваш``, ``глава``, ``администрация``,
``депутат``...) must stand within a few words, so that «воры залезли в сарай», «козлы
бродят по дороге» and «две беды — дураки и дороги» stay clean. «Нас держат за дураков»,
«я не идиот» and a title in quotes («Идиот») are not insults either.

Word forms come from the morphological dictionary (the whole lexeme of each lemma) when
pymorphy3 is there, and from a table of endings in any case.

Threats and calls to violence (``убью``, ``сжечь бы вашу администрацию``, ``гнать вас
поганой метлой``, ``повесить бы вас``) are phrase patterns on the folded text, written
with an object that is a person, so that «сжигать листву», «повесить объявление» and
«убить время» stay clean.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources

from ._morph import Morphology
from ._text import skeleton

__all__ = ["GO_VERBS", "THREATS", "THREAT_TRIGGER", "InsultLexicon", "InsultWord", "modal_threat"]


@dataclass(frozen=True)
class InsultWord:
    lemma: str
    strong: bool


_VOWELS = "аеиоуыэюя"
_HUSHING = "гкхжшчщ"
_NOUN_HARD = ("", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах")
_NOUN_HARD_HUSH = ("", "а", "у", "ом", "е", "и", "ов", "ам", "ами", "ах", "ей")
_NOUN_A = ("а", "ы", "и", "е", "у", "ой", "ою", "", "ам", "ами", "ах")
_NOUN_SOFT = ("ь", "я", "ю", "ем", "е", "и", "ей", "ям", "ями", "ях", "ью", "ью")
_NOUN_O = ("о", "а", "у", "ом", "е")
_NOUN_J = ("й", "я", "ю", "ем", "е", "и", "ев", "ям", "ями", "ях", "ей")
_ADJ = (
    "ый", "ой", "ий", "ого", "его", "ому", "ему", "ым", "им", "ом", "ем", "ая", "яя", "ую",
    "юю", "ые", "ие", "ых", "их", "ыми", "ими", "ое", "ее",
)  # fmt: skip


def _endings(lemma: str) -> set[str]:
    """Forms of ``lemma`` from a table of endings: rough, but needs no dictionary."""
    forms = {lemma}
    if lemma.endswith(("ый", "ой", "ий")):
        forms.update(lemma[:-2] + e for e in _ADJ)
    elif lemma.endswith(("а", "я")):
        forms.update(lemma[:-1] + e for e in _NOUN_A)
    elif lemma.endswith("ь"):
        forms.update(lemma[:-1] + e for e in _NOUN_SOFT)
    elif lemma.endswith("й"):
        forms.update(lemma[:-1] + e for e in _NOUN_J)
    elif lemma.endswith(("о", "е")):
        forms.update(lemma[:-1] + e for e in _NOUN_O)
    elif lemma[-1] not in _VOWELS:
        stem = lemma
        table = _NOUN_HARD_HUSH if stem[-1] in _HUSHING else _NOUN_HARD
        forms.update(stem + e for e in table)
        # A fleeting vowel: придурок → придурка, козел → козла, ублюдок → ублюдка.
        if len(stem) > 4 and stem[-2] in "оеё" and stem[-1] in "кцл":
            short = stem[:-2] + stem[-1]
            forms.update(short + e for e in table if e)
    return forms


class InsultLexicon:
    """Every known form of every insult, addressee and pronoun, as skeletons."""

    def __init__(self, morph: Morphology | None) -> None:
        raw = json.loads(
            resources.files(__package__).joinpath("data/insult.json").read_text("utf-8")
        )
        self.words: dict[str, InsultWord] = {}
        for strong, key in ((False, "weak"), (True, "strong")):
            for lemma in raw[key]:
                for form in self._forms(lemma, morph):
                    self.words[form] = InsultWord(lemma, strong)
        self.addressees: frozenset[str] = frozenset(
            form for lemma in raw["addressees"] for form in self._forms(lemma, morph)
        ) | frozenset(raw["pronouns"])

    @staticmethod
    def _forms(lemma: str, morph: Morphology | None) -> set[str]:
        forms = _endings(lemma)
        if morph is not None:
            forms |= morph.lexeme(lemma)
        return {skeleton(f.replace("ё", "е")) for f in forms}


FIRST_PERSON = frozenset({"я", "мы", "меня", "нас", "нам", "мне"})
GO_VERBS = frozenset(
    {"пошли", "пошел", "пошла", "иди", "идите", "катись", "катитесь", "вали", "валите"}
)
"""``пошли вы ...``: followed by an obscene word, an insult (``иди нахуй``)."""

_PERSON = (
    r"(?:вас|их|тебя|его|всех|таких|этих|ваш\w*|администрац\w*|главу|мэра|мэрию|депутат\w*"
    r"|чиновник\w*|начальник\w*|директор\w*|подрядчик\w*)"
)
_VIOLENCE = (
    r"(?:убить|убивать|вешать|повесить|перевешать|расстрелять|расстреливать|перестрелять"
    r"|пристрелить|сжечь|спалить|закопать|придушить|удавить|прибить|четвертовать|посадить\s+на\s+кол)"
)
_VIOLENCE_RE = re.compile(rf"\b{_VIOLENCE}\b")
_PERSON_RE = re.compile(rf"\b{_PERSON}\b")
_MODAL_RE = re.compile(r"\b(?:надо|нужно|бы|мало|пора|следует|стоит)\b")


def modal_threat(folded: str) -> tuple[int, int] | None:
    """«Таких надо вешать», «вас всех перестрелять мало»: a violent verb, a person and
    a modal word («надо», «бы», «мало») close together. The span of the verb."""
    for m in _VIOLENCE_RE.finditer(folded):
        window = folded[max(0, m.start() - 40) : m.end() + 30]
        if _PERSON_RE.search(window) and _MODAL_RE.search(window):
            return m.span()
    return None


THREAT_TRIGGER = re.compile(
    r"убь|убит|убив|сжечь|спалить|поджечь|расстрел|повес|вешат|набить|начистить|разбить"
    r"|расквас|морд|рожу|харю|ноги|руки|голову|шею|башку|найд|подкараул|прибь|прибить|вилы"
    r"|стенк|гнать|метлой|сдох|пошли|пошел|иди|катис|вали|перестрел|пристрел|закопа|придуш"
    r"|удав|четверт|пришиб|зареж|урою|пиздюл|навалять|пролом|оторв|отверн|сверн"
)
"""A comment without any of these cannot match :data:`THREATS` nor :func:`modal_threat`."""

THREATS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("insult.threat.kill", r"\bубь(?:ю|ем)\b|\bубить\s+бы\b|\bубить\s+" + _PERSON),
        ("insult.threat.kill", r"\bубивать\s+(?:бы\s+|надо\s+)?(?:таких|их|вас|всех|надо)\b"),
        ("insult.threat.kill", r"\b(?:таких|их|вас|всех)\s+(?:надо\s+|бы\s+)?убивать\b"),
        ("insult.threat.burn", r"\b(?:сжечь|спалить|поджечь)\s+(?:бы\s+)?" + _PERSON),
        (
            "insult.threat.shoot",
            r"\b(?:надо|нужно|бы|всех|таких|их|вас)\s+(?:\w+\s+)?расстрел(?:ять|ивать)\b"
            r"|\bрасстрел(?:ять|ивать)\s+(?:бы|надо|нужно|всех|таких|их|вас)\b",
        ),
        ("insult.threat.hang", r"\bповесить\s+(?:бы\s+)?" + _PERSON),
        (
            "insult.threat.beat",
            r"\b(?:набить|начистить|разбить|расквасить)\s+(?:бы\s+)?"
            r"(?:морду|рожу|лицо|харю|рыло|ебало)\b"
            r"|\b(?:морду|рожу|харю)\s+(?:бы\s+)?(?:набить|начистить|набью|начищу)\b",
        ),
        (
            "insult.threat.maim",
            r"\b(?:ноги|руки|голову|шею|башку)\s+(?:бы\s+)?"
            r"(?:переломаю|переломать|оторву|оторвать|сверну|свернуть|откручу|открутить)\b",
        ),
        ("insult.threat.find", r"\b(?:я|мы)\s+(?:тебя|вас|его|их)\s+найд(?:у|ем)\b|\bподкараулю\b"),
        (
            "insult.threat.first_person",
            r"\b(?:прибью|пришибу|зарежу|закопаю|придушу|урою|удавлю|пристрелю)\b"
            r"|\b(?:проломлю|разобью|оторву|отверну|сверну)\s+(?:тебе\s+|вам\s+|им\s+|ему\s+)?"
            r"(?:башку|голову|морду|лицо|ебало|шею)\b"
            r"|\b(?:башку|голову|морду|шею)\s+(?:тебе\s+|вам\s+)?(?:проломлю|разобью|оторву|отверну|сверну)\b",
        ),
        (
            "insult.threat.beat",
            r"\bпиздюл\w*\s+(?:бы\s+)?(?:вам|тебе|им|ему|вашему|вашим|этому|этим|таким)\b"
            r"|\b(?:вам|тебе|им|ему)\s+(?:бы\s+)?пиздюл\w*|\bнавалять\s+бы\b",
        ),
        ("insult.threat.misc", r"\bприбь(?:ю|ем)\s+(?:тебя|вас|его|их|всех)\b"),
        ("insult.threat.misc", r"\bна\s+вилы\b|\bпоставить\s+к\s+стенке\b|\bк\s+стенке\s+их\b"),
        (
            "insult.expel",
            r"\bгнать\s+(?:бы\s+|надо\s+)?(?:вас|их|таких|всех|тебя)\b|\bпоганой\s+метлой\b",
        ),
        (
            "insult.wish_death",
            r"\bсдохни(?:те)?\b|\bчтоб(?:ы)?\s+(?:вы|ты|они|вас|тебя)\s+(?:\w+\s+)?сдох\w*",
        ),
        (
            "insult.go",
            r"\b(?:пошли|пошел|иди|идите|катись|катитесь|вали|валите)\s+"
            r"(?:(?:вы|ты|все|вон|бы)\s+)*(?:на|в|к)\s+"
            r"(?:хрен|хер|фиг|три\s+буквы|жопу|черту|чертям)\b",
        ),
    )
)
