"""Russian morphology through pymorphy3, when it is installed.

pymorphy3 (with its dictionary package pymorphy3-dicts-ru) is optional: the extra
``gospages[moderation]``. Without it the classifier falls back to the curated exception
stems and to a table of endings; see docs/moderation.md for what that loses.

pymorphy3 ships no type information, so it is imported through :mod:`importlib` and used
behind this small typed wrapper.
"""

from __future__ import annotations

import importlib
import threading
from functools import lru_cache
from typing import Any

__all__ = ["Morphology", "get_morphology", "morphology_available"]

# Grammemes of OpenCorpora that mark slang, informal or erroneous words: a word that has
# them is not "an ordinary dictionary word" for our purposes.
_MARKED = frozenset({"Slng", "Infr", "Erro", "Dist"})

_lock = threading.Lock()
_instance: Morphology | None = None
_tried = False


class Morphology:
    """A thin, cached view of a pymorphy3 ``MorphAnalyzer``."""

    def __init__(self, analyzer: Any) -> None:
        self._analyzer = analyzer
        self.plain_word = lru_cache(maxsize=65536)(self._plain_word)
        self.lexeme = lru_cache(maxsize=4096)(self._lexeme)

    def _plain_word(self, word: str) -> bool:
        """Whether ``word`` is in the dictionary as an ordinary (not slang) word.

        ``страхуй`` (страховать), ``плохую`` (плохой), ``хлебушек``: yes. ``охуели``,
        ``хуйня`` (marked Slng), a made-up word: no.
        """
        if not self._analyzer.word_is_known(word):
            return False
        return not any(_MARKED & set(p.tag.grammemes) for p in self._analyzer.parse(word))

    def _lexeme(self, lemma: str) -> frozenset[str]:
        """Every form of ``lemma`` the dictionary knows (empty if it does not know it)."""
        if not self._analyzer.word_is_known(lemma):
            return frozenset()
        forms: set[str] = set()
        for parse in self._analyzer.parse(lemma):
            if parse.normal_form.replace("ё", "е") != lemma:
                continue
            forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
        return frozenset(forms)


def morphology_available() -> bool:
    """Whether pymorphy3 and its Russian dictionary can be loaded."""
    return get_morphology() is not None


def get_morphology() -> Morphology | None:
    """The shared :class:`Morphology`, loaded on first use; ``None`` without pymorphy3."""
    global _instance, _tried
    if _tried:
        return _instance
    with _lock:
        if not _tried:
            try:
                module = importlib.import_module("pymorphy3")
                _instance = Morphology(module.MorphAnalyzer(lang="ru"))
            except (ImportError, OSError, ValueError):  # package or dictionary missing
                _instance = None
            _tried = True
    return _instance
