"""Text normalisation for the rules: what people type, brought back to plain Cyrillic.

The classifier lowercases a comment once, cuts it into tokens (a token keeps the masks
``* # % @`` and the separators people put inside words: ``х.у.й``, ``бл_ять``,
``пи-здец``) and, for each distinct token, builds *skeletons*: Latin look-alikes and digits
turned into Cyrillic letters (``xyй`` → ``хуй``, ``6л9ть`` → ``блять``), ``3.14`` → ``пи``,
separators dropped, ``ё`` → ``е`` and repeated letters squeezed (``хууууй`` → ``хуй``).
A token written wholly in Latin letters is also transliterated (``blyat`` → ``блят``).
Tokens are cached, so a word seen before costs one dictionary look-up.
"""

from __future__ import annotations

import re

__all__ = [
    "MASK",
    "SPACED_RE",
    "TOKEN_RE",
    "fold",
    "joined",
    "lower_same_length",
    "skeleton",
    "variants",
]

MASK = "*"
"""The one mask character masks are reduced to (``* # %``, and ``@`` as a second reading)."""

_INNER_SEP = ".\\-'’`_\u00ad\u200b\u200c\u200d\u2060"
_WORD_CHARS = "\\w*@$#%€"
TOKEN_RE = re.compile(rf"[{_WORD_CHARS}]+(?:(?:[{_INNER_SEP}]|(?<=\d),(?=\d))+[{_WORD_CHARS}]+)*")
"""A token: word characters and masks, with separators allowed *inside*."""

SPACED_RE = re.compile(
    rf"(?<![{_WORD_CHARS}])[{_WORD_CHARS}](?=[ .\-_])"
    rf"(?:[ .\-_]{{1,3}}[{_WORD_CHARS}](?![{_WORD_CHARS}])){{2,}}"
)
"""Three or more single characters apart: ``х у й``, ``п и з д е ц``, ``х. у. й``."""

_SEP_RE = re.compile(rf"[{_INNER_SEP},]")
_REPEAT_RE = re.compile(r"([^\W\d_])\1+")
_CYRILLIC_RE = re.compile(r"[а-яё]")
_PLAIN_RE = re.compile(r"[а-яё]+")
_LATIN_RE = re.compile(r"[a-z]")

# Digits and symbols that stand for letters.
_SYMBOLS = {"0": "о", "1": "и", "3": "з", "4": "ч", "6": "б", "9": "я", "$": "с", "€": "е"}
_MASKS = {"*": MASK, "#": MASK, "%": MASK}
# Latin letters that look like Cyrillic ones (in lowercase or in capitals: B, H, M, T...).
_LOOKALIKE = {
    "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "i": "и", "k": "к", "m": "м",
    "n": "п", "o": "о", "p": "р", "r": "г", "t": "т", "u": "и", "x": "х", "y": "у",
}  # fmt: skip
# Transliteration, letter by letter.
_TRANSLIT = {
    "a": "а", "b": "б", "c": "ц", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и",
    "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р",
    "s": "с", "t": "т", "u": "у", "v": "в", "w": "в", "x": "х", "y": "ы", "z": "з",
}  # fmt: skip
_DIGRAPHS = re.compile(r"shch|sch|sh|ch|zh|kh|ts|ya|ja|yu|ju|yo|jo|ye|(?<=[aeiouy])[yi]")
_DIGRAPH_MAP = {
    "shch": "щ", "sch": "щ", "sh": "ш", "ch": "ч", "zh": "ж", "kh": "х", "ts": "ц",
    "ya": "я", "ja": "я", "yu": "ю", "ju": "ю", "yo": "е", "jo": "е", "ye": "е", "y": "й", "i": "й",
}  # fmt: skip

# Letters of other Cyrillic alphabets that pass for Russian ones (пiздець with Ukrainian і).
_OTHER_CYRILLIC = {"і": "и", "ї": "и", "є": "е", "ґ": "г", "ў": "у", "ј": "й"}
_BASE = {**_SYMBOLS, **_MASKS, **_OTHER_CYRILLIC, "@": "а", "ё": "е"}
_TABLE_LOOK = str.maketrans({**_TRANSLIT, **_LOOKALIKE, **_BASE})
"""Mixed or Latin tokens, first reading: look-alikes (``xyй``, ``nизда``, ``HAXYЙ``)."""
_TABLE_MIXED = str.maketrans({**_TRANSLIT, "y": "у", **_BASE})
"""Mixed tokens, second reading: transliteration (``xuй``)."""
_TABLE_TRANSLIT = str.maketrans({**_TRANSLIT, **_BASE})
_FOLD = str.maketrans({**_LOOKALIKE, "ё": "е"})


def lower_same_length(text: str) -> str:
    """``text.lower()``, keeping every character at its place (spans stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def fold(low: str) -> str:
    """Latin look-alikes → Cyrillic and ``ё`` → ``е``, character for character.

    For the phrase rules (spam, threats): ``зaрaботок`` with Latin ``a`` is still
    ``заработок``. Applied to lowercased text; positions do not move.
    """
    if _LATIN_RE.search(low):
        return low.translate(_FOLD)
    return low.replace("ё", "е")


def joined(token: str) -> str:
    """Separators dropped (``х.у.й`` → ``хуй``), nothing else changed."""
    return _SEP_RE.sub("", token)


def skeleton(token: str) -> str:
    """Separators dropped, repeated letters squeezed: the form lexicons are written in."""
    if not token.isalpha():
        token = _SEP_RE.sub("", token)
    return _REPEAT_RE.sub(r"\1", token)


def _translit(token: str) -> str:
    return _DIGRAPHS.sub(lambda m: _DIGRAPH_MAP[m.group(0)], token).translate(_TABLE_TRANSLIT)


def variants(token: str) -> tuple[str, ...]:
    """The readings of a lowercased token, as Cyrillic strings (separators still in).

    The first reading is the main one (look-alikes); the others are transliteration and
    ``@`` read as a mask instead of ``а``.
    """
    if _PLAIN_RE.fullmatch(token):  # plain Russian letters: the usual case
        return (token.replace("ё", "е"),)
    text = token.replace("3.14", "пи").replace("3,14", "пи").replace("π", "пи")
    has_latin = bool(_LATIN_RE.search(text))
    readings = [text.translate(_TABLE_LOOK)]
    if has_latin:
        if _CYRILLIC_RE.search(text):
            readings.append(text.translate(_TABLE_MIXED))
        else:
            readings.append(_translit(text))
    if "@" in text:
        masked = text.replace("@", MASK)
        readings.append(masked.translate(_TABLE_LOOK))
    return tuple(dict.fromkeys(readings))
