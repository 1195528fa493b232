"""Russian numerals in text people read: agreement of a noun with a number, decimal commas.

One helper for the console, HTML, XLSX and Markdown, so «1 публикация», «2 публикации»,
«5 публикаций» and «0,2 публикации» come out the same everywhere::

    plural(21, "публикация", "публикации", "публикаций")  # "публикация"
    count_phrase(134, ("комментарий", "комментария", "комментариев"))  # "134 комментария"
    number(0.25, 1)  # "0,3"; number(2421) == "2 421" (a non-breaking space)

The rule (the one every grammar gives): a whole number ending in 1, except 11, takes the
first form (one); ending in 2–4, except 12–14, the second (few); anything else the third
(many). A fraction takes the second form — the genitive singular: «0,5 публикации»,
«1,5 часа». When pymorphy3 is installed (the ``moderation`` extra) :func:`agree` can inflect
a word given in the nominative singular alone; the three-form functions do not need it.
"""

from __future__ import annotations

import functools
import importlib
import math
from typing import Any

__all__ = [
    "NBSP",
    "agree",
    "count_phrase",
    "integer",
    "number",
    "plural",
    "yes_no",
]

NBSP = "\u00a0"
"""Non-breaking space: between thousands (``2 421``) and between a number and its word."""
MINUS = "\u2212"

Forms = tuple[str, str, str]
"""``(one, few, many)``: «публикация», «публикации», «публикаций»."""


def _form_index(n: float) -> int:
    """0 (one), 1 (few) or 2 (many) for ``n``; fractions take the few form."""
    if isinstance(n, float) and not n.is_integer():
        return 1 if math.isfinite(n) else 2
    whole = abs(int(n))
    if whole % 10 == 1 and whole % 100 != 11:
        return 0
    if 2 <= whole % 10 <= 4 and not 12 <= whole % 100 <= 14:
        return 1
    return 2


def plural(n: float, one: str, few: str, many: str) -> str:
    """The form of a noun that agrees with ``n``: 1 публикация, 2 публикации, 5 публикаций.

    A fraction takes ``few`` (the genitive singular): «0,2 публикации».
    """
    return (one, few, many)[_form_index(n)]


def count_phrase(n: float, forms: Forms, digits: int = 1) -> str:
    """``n`` written by :func:`number` and the agreeing word: ``"134 комментария"``.

    The number is what is shown, so agreement follows the rounded value: 1.04 shows as
    «1» and takes «публикация».
    """
    shown = _shown(n, digits)
    return f"{number(shown, digits)}{NBSP}{plural(shown, *forms)}"


def _shown(n: float, digits: int) -> float:
    if isinstance(n, float) and math.isfinite(n):
        rounded = round(n, digits)
        return int(rounded) if rounded.is_integer() else rounded
    return n


def integer(value: float) -> str:
    """``2421`` → ``"2 421"``: thousands split by a non-breaking space, a true minus sign."""
    text = f"{round(abs(value)):,}".replace(",", NBSP)
    return (MINUS if round(value) < 0 else "") + text


def number(value: float, digits: int = 1) -> str:
    """A number as Russian documents write it: ``1,5``; ``2 421``; whole numbers bare.

    ``digits`` is the most digits after the comma; trailing zeros are dropped
    (``number(2.50, 2) == "2,5"``). ``0.04`` with one digit is ``"0"``.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "—"
    rounded = round(float(value), digits)
    if rounded.is_integer():
        return integer(rounded)
    whole, _, fraction = f"{abs(rounded):.{digits}f}".partition(".")
    fraction = fraction.rstrip("0")
    sign = MINUS if rounded < 0 else ""
    return f"{sign}{integer(int(whole))},{fraction}"


def yes_no(value: Any) -> str:
    """«да» / «нет» for a flag a platform returns (``True``, ``1``, ``"1"``...)."""
    if isinstance(value, str):
        return "да" if value.strip().lower() in {"1", "true", "yes", "да"} else "нет"
    return "да" if value else "нет"


@functools.cache
def _morph() -> Any:
    """pymorphy3's analyser, or ``None`` without it (imported only when first needed).

    pymorphy3 ships no type information: it is imported through :mod:`importlib`, as in
    ``gospages.moderation._morph`` (which this lowest layer cannot import).
    """
    try:
        module = importlib.import_module("pymorphy3")
        return module.MorphAnalyzer(lang="ru")
    except (ImportError, OSError, ValueError):  # package or dictionary missing
        return None


def agree(n: float, word: str, forms: Forms | None = None) -> str:
    """``word`` (nominative singular) agreeing with ``n``.

    With ``forms`` given the rule table decides (no dependency). Without them pymorphy3's
    ``make_agree_with_number`` inflects ``word`` when it is installed; else ``word`` comes
    back as it is. A fraction takes the genitive singular either way.
    """
    if forms is not None:
        return plural(n, *forms)
    morph = _morph()
    if morph is None:
        return word
    parsed = morph.parse(word)[0]
    if isinstance(n, float) and not n.is_integer():
        inflected = parsed.inflect({"sing", "gent"})
    else:
        inflected = parsed.make_agree_with_number(abs(int(n)))
    if inflected is None:
        return word
    text: str = inflected.word
    return text.capitalize() if word[:1].isupper() else text
