"""Text written by strangers, made safe for the place it is shown or stored.

Comment and post text, page names, descriptions, author names and addresses come from the
platforms: anybody can write them. Every output of gospages passes them through one of
these helpers, and only these:

* :func:`shown_text` — for people (console, HTML, Markdown): bidi and other control
  characters made visible, invisible format characters dropped, very long text cut with «…»;
* :func:`markdown_text` — :func:`shown_text` escaped for Markdown, so that a renderer
  produces no HTML tags, links or images from it;
* :func:`console_text` — :func:`shown_text` as a ``rich.text.Text``: printed as it is,
  never read as Rich markup (``[/]``, ``[link=…]``, VK mentions ``[id1|Имя]``);
* :func:`csv_cell` / :func:`csv_uncell` — OWASP's rule against formula injection for every
  CSV and XLSX cell (a leading ``'`` before ``=``, ``+``, ``-``, ``@``, TAB, CR ...), and
  its exact inverse for files gospages reads back (the registry);
* :func:`xlsx_cell` — :func:`csv_cell` without the characters XML cannot hold.

Data files (CSV, XLSX) keep the whole text: only what people read is cut.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rich.text import Text

__all__ = [
    "FORMULA_TRIGGERS",
    "SHOWN_LIMIT",
    "console_text",
    "csv_cell",
    "csv_uncell",
    "markdown_text",
    "shown_text",
    "xlsx_cell",
]

#: How many characters of one piece of text people are shown (the rest becomes «…»).
SHOWN_LIMIT = 1000

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV
#: injection), with their full-width forms that some Excel locales accept too.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Joiners build emoji and some scripts' letters: they stay.
_KEEP_FORMAT = frozenset("\u200c\u200d")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")

T = TypeVar("T")


def _visible(char: str) -> str:
    return f"⟨U+{ord(char):04X}⟩"


def _clean_char(char: str, keep_newlines: bool) -> str:
    if char in _BIDI:
        return _visible(char)
    if (char == "\n" and keep_newlines) or char == "\t":
        return char
    category = unicodedata.category(char)
    if category in ("Zl", "Zp"):
        return "\n" if keep_newlines else " "
    if category in ("Cc", "Cs"):  # C0/C1 controls (ESC...), lone surrogates
        return " " if char in "\r\n\x0b\x0c\x85" else _visible(char)
    if category == "Cf" and char not in _KEEP_FORMAT:
        return ""  # zero-width spaces, soft hyphens, BOM, tag characters
    return char


_SPECIAL = frozenset(("Cc", "Cs", "Cf", "Zl", "Zp"))


def _needs_cleaning(text: str) -> bool:
    return any(char not in "\n\t" and unicodedata.category(char) in _SPECIAL for char in text)


def shown_text(text: str, limit: int | None = SHOWN_LIMIT, *, keep_newlines: bool = True) -> str:
    """``text`` as people may be shown it.

    Bidi controls (U+202E ...), other control characters (ESC ...) and lone surrogates
    become visible as ``⟨U+202E⟩``; invisible format characters (zero-width space, BOM,
    soft hyphen, tag characters) are dropped; line and paragraph separators become line
    breaks (spaces with ``keep_newlines=False``, which also turns CR and other breaks
    into spaces). Text longer than ``limit`` characters is cut and ends with «…».
    """
    if _needs_cleaning(text):
        text = "".join(_clean_char(c, keep_newlines) for c in text)
    if not keep_newlines:
        text = text.replace("\n", " ")
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + "…"
    return text


# Characters Markdown (CommonMark and Python-Markdown) would read as syntax anywhere in a line.
# An underscore inside a word (club_1, channel_3001) is no emphasis in either: it stays.
# Parentheses and ``!`` make a link or an image only after ``]``, which is escaped.
_MD_INLINE = re.compile(r"([\\`*\[\]|]|(?<!\w)_|_(?!\w))")
# ... and at the start of a line (or of a list item): headings, lists, quotes, rules.
_MD_START = re.compile(r"^(\s*(?:\d+)?)([#+.)-])")


def markdown_text(text: str, limit: int | None = SHOWN_LIMIT) -> str:
    """``text`` for inline Markdown (a table cell, a list item): it renders as the same text.

    One line (breaks become spaces, ``|`` escaped for tables); ``<``, ``>`` and ``&`` as
    HTML entities, so no tag or autolink survives; link, image, emphasis and code syntax
    escaped with backslashes; :func:`shown_text` first.
    """
    text = shown_text(text, limit, keep_newlines=False)
    text = re.sub(r"[ \t]+", " ", text).strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_START.sub(r"\1\\\2", text)


def console_text(text: str, limit: int | None = SHOWN_LIMIT, *, style: str = "") -> Text:
    """``text`` for a Rich console or table: a ``Text``, never parsed as markup."""
    from rich.text import Text

    return Text(shown_text(text, limit), style=style)


def _needs_quote(value: str) -> bool:
    rest = value.lstrip(" '")
    if not rest or rest[0] not in FORMULA_TRIGGERS:
        return False
    # A plain number ("-5", "+79131234567") is not a formula: it stays a number.
    return not (rest == value and _NUMBER.fullmatch(value))


def csv_cell(value: T) -> T:
    """A cell for a CSV or XLSX file that a spreadsheet will not run as a formula.

    A text starting with ``=``, ``+``, ``-``, ``@``, TAB, CR or LF (after any spaces and
    apostrophes) gets a leading ``'`` (OWASP, CSV injection); plain numbers such as
    ``-5`` stay as they are. Other values (numbers, ``None``) pass unchanged.
    :func:`csv_uncell` undoes it exactly.
    """
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value  # type: ignore[return-value]
    return value


def csv_uncell(value: str) -> str:
    """The text :func:`csv_cell` was given: ``csv_uncell(csv_cell(s)) == s`` for every ``s``."""
    if value.startswith("'") and _needs_quote(value[1:]):
        return value[1:]
    return value


# Characters an XLSX file (XML 1.0) cannot hold: openpyxl refuses them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xlsx_cell(value: T) -> T:
    """:func:`csv_cell` for an XLSX cell; characters XML cannot hold become visible."""
    if isinstance(value, str):
        value = _XML_ILLEGAL.sub(lambda m: _visible(m.group(0)), value)  # type: ignore[assignment]
    return csv_cell(value)
