"""Obscene language (мат): a lexicon of roots, read from ``data/obscene.json``.

A root is a handful of *stems* (``хуй хуя хуе хуи хую``) with the *prefixes* it takes
(``на-``, ``по-``, ``о-``, ``за-``...) and *exception* stems that contain it innocently
(``страху-`` in «страхуй», ``плоху-`` in «плохую»). A stem found in a token's skeleton:

* at the start of the word, or right after one of the root's prefixes: obscene;
* elsewhere inside the word: depends on the root's ``internal`` mode. ``always``: obscene
  (nothing innocent contains ``пизд``). ``never``: innocent (``еб`` in «тебя», «хлебать»,
  «потребитель»; ``бля`` in «рубля», «оскорблять»). ``dictionary``: innocent if the
  morphological dictionary knows the word as an ordinary word («психуй», «сухую»),
  obscene if it does not («распиздохуй»); without pymorphy3, innocent.

Every inflection of an obscene word keeps its stem, so all word forms are covered by
construction. Masked tokens (``х*йня``, ``за*бали``, ``п**дец``) are matched against the
list of common obscene forms in the same file: the mask stands for one letter or a few.
Masking a word is itself a sign that the writer considers it unprintable, so a masked
token that fits an obscene form is taken as obscene even if it could also be read as
an innocent word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from ._morph import Morphology
from ._text import MASK, joined, skeleton, variants

__all__ = ["ObsceneHit", "ObsceneLexicon", "Root"]

Internal = Literal["always", "never", "dictionary"]


@dataclass(frozen=True)
class Root:
    name: str
    stems: tuple[str, ...]
    words: frozenset[str]
    prefixes: frozenset[str]
    internal: Internal
    exceptions: tuple[str, ...]


@dataclass(frozen=True)
class ObsceneHit:
    """An obscene token: which root, and how it was written."""

    root: str
    how: str
    """``plain``, ``obfuscated`` (look-alikes, digits, separators, repeats, translit),
    ``masked`` or ``spaced``."""
    form: str
    """The token as the lexicon reads it (its skeleton, or the form a mask fits)."""


_MASK_RUN = re.compile(r"\*+")


class ObsceneLexicon:
    """The roots, compiled; :meth:`token` decides one token."""

    def __init__(
        self,
        roots: list[Root],
        *,
        latin_exceptions: frozenset[str],
        masked_forms: tuple[str, ...],
    ) -> None:
        self.roots = tuple(roots)
        self.latin_exceptions = latin_exceptions
        self.masked_forms = masked_forms
        alternatives = []
        for index, root in enumerate(self.roots):
            stems = sorted(root.stems, key=len, reverse=True)
            alternatives.append(f"(?P<r{index}>{'|'.join(map(re.escape, stems))})")
        self._stem_re = re.compile("|".join(alternatives))
        self._words = {word: root for root in self.roots for word in root.words}

    @classmethod
    def load(cls) -> ObsceneLexicon:
        raw = json.loads(
            resources.files(__package__).joinpath("data/obscene.json").read_text("utf-8")
        )
        roots = [
            Root(
                name=item["name"],
                stems=tuple(item["stems"]),
                words=frozenset(item["words"]),
                prefixes=frozenset(item["prefixes"]),
                internal=item["internal"],
                exceptions=tuple(item["exceptions"]),
            )
            for item in raw["roots"]
        ]
        return cls(
            roots,
            latin_exceptions=frozenset(raw["latin_exceptions"]),
            masked_forms=tuple(raw["masked_forms"]),
        )

    # -- one skeleton -------------------------------------------------------------------

    def root_in(self, skel: str, full: str, morph: Morphology | None) -> Root | None:
        """The root ``skel`` (a skeleton) is obscene by, or ``None``.

        ``full`` is the same reading before repeated letters were squeezed, for the
        dictionary check.
        """
        word_root = self._words.get(skel)
        if word_root is not None:
            return word_root
        for match in self._stem_re.finditer(skel):
            group = match.lastgroup
            assert group is not None
            root = self.roots[int(group[1:])]
            at = match.start()
            if _excepted(skel, at, root.exceptions):
                continue
            if at == 0 or skel[:at] in root.prefixes or root.internal == "always":
                return root
            if (
                root.internal == "dictionary"
                and morph is not None
                and not (morph.plain_word(full) or morph.plain_word(skel))
            ):
                return root
        return None

    def _masked(self, skel: str) -> str | None:
        """The obscene form a masked skeleton fits (``х*йня`` → ``хуйня``), or ``None``.

        A run of ``k`` masks stands for 1 to ``k + 1`` letters inside the word, for 0 to
        ``k + 1`` at its edges (``*уйня``, ``бл**``). At least two letters must show, and
        no more masks than letters plus one (``п***ц`` yes, ``п*******ц`` no).
        """
        letters = sum(c.isalpha() for c in skel)
        runs = _MASK_RUN.findall(skel)
        masked = sum(map(len, runs))
        if letters < 2 or not runs or len(runs) > 3 or masked > letters + 1:
            return None
        parts = [part for part in re.split(r"(\*+)", skel) if part]
        pattern = "".join(
            f"[а-я]{{{0 if i in (0, len(parts) - 1) else 1},{len(part) + 1}}}"
            if part.startswith(MASK)
            else re.escape(part)
            for i, part in enumerate(parts)
        )
        fits = re.compile(pattern)
        for form in self.masked_forms:
            if fits.fullmatch(form):
                return form
        return None

    # -- one token ----------------------------------------------------------------------

    def token(
        self,
        raw: str,
        morph: Morphology | None,
        *,
        spaced: bool = False,
        readings: tuple[str, ...] | None = None,
        skeletons: tuple[str, ...] | None = None,
    ) -> ObsceneHit | None:
        """Whether a lowercased token is obscene, through all its readings.

        ``readings`` and their ``skeletons`` may be passed if the caller has them.
        """
        if raw in self.latin_exceptions:
            return None
        plain = raw.replace("ё", "е")
        if readings is None:
            readings = variants(raw)
        if skeletons is None:
            skeletons = tuple(skeleton(r) for r in readings)
        for reading, skel in zip(readings, skeletons, strict=True):
            if MASK not in skel and skel not in self._words and not self._stem_re.search(skel):
                continue
            root = self.root_in(skel, joined(reading), morph)
            if root is not None:
                return ObsceneHit(root.name, _how(reading, plain, spaced), skel)
            if MASK in skel:
                form = self._masked(skel)
                if form is not None:
                    return ObsceneHit(self._root_of(form, morph), "masked", form)
        return None

    def _root_of(self, form: str, morph: Morphology | None) -> str:
        root = self.root_in(form, form, morph)
        return root.name if root is not None else "?"


_TRIPLE = re.compile(r"(.)\1\1")


def _how(reading: str, plain: str, spaced: bool) -> str:
    if spaced:
        return "spaced"
    if reading == plain and plain.isalpha() and not _TRIPLE.search(plain):
        return "plain"
    return "obfuscated"


def _excepted(skel: str, at: int, exceptions: tuple[str, ...]) -> bool:
    """Whether an exception stem of the root covers position ``at`` of ``skel``."""
    for exception in exceptions:
        start = skel.find(exception)
        while start != -1:
            if start <= at < start + len(exception):
                return True
            start = skel.find(exception, start + 1)
    return False
