"""Spam: paid offers, links, floods, and the same text posted again and again.

One comment is judged by *signals* found in its folded text (earnings, loans, gambling,
magic, giveaways, calls to write in private or to follow a link, contacts) and by the
links it carries. A signal alone is rarely enough: «у нас заработок 15 тысяч», «взяла
кредит на ремонт», «когда будет розыгрыш?» are residents' words. The rules ask for the
combinations spam is made of: earnings *per day* or *without investment*, a loan *without
refusal*, a sale *with a phone number*, a link *with a call to follow it*.

Links to official domains (``gosuslugi.ru``, ``*.gov.ru`` ... plus the caller's own)
are never spam. Other links are spam when they are shortened or messenger invitations,
when the comment calls to follow them or sells something, or when the comment is little
more than the link; a resident's link inside a real complaint («вот видео, разберитесь»)
is not.

Across comments, :class:`SpamMemory` keeps fingerprints of texts (folded, letters only,
numbers blurred) so that the same text seen on many pages or under many posts is spam
even when each copy looks innocent.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from ._text import fold

__all__ = [
    "DEFAULT_ALLOWED_DOMAINS",
    "LinkHit",
    "SpamMemory",
    "SpamSignals",
    "fingerprint",
    "spam_signals",
]

DEFAULT_ALLOWED_DOMAINS: tuple[str, ...] = (
    "gosuslugi.ru",
    "gov.ru",
    "госуслуги.рф",
    "kremlin.ru",
    "government.ru",
    "mos.ru",
    "mvd.ru",
    "sudrf.ru",
    "nalog.ru",
    "sfr.gov.ru",
    "mchs.gov.ru",
)
"""Domains whose links are never spam (a domain covers its subdomains)."""

_SHORTENERS = frozenset(
    {
        "bit.ly", "clck.ru", "vk.cc", "tinyurl.com", "goo.gl", "t.co", "cutt.ly", "is.gd",
        "u.to", "qps.ru", "ow.ly", "rebrand.ly", "shorturl.at", "tiny.cc", "v.gd", "clc.to",
    }
)  # fmt: skip
_INVITES = frozenset(
    {"t.me", "telegram.me", "wa.me", "chat.whatsapp.com", "vk.me", "viber.click", "ok.me"}
)

_TLDS = (
    "ru|com|net|org|рф|su|info|io|me|cc|ly|gl|co|at|to|be|xyz|top|site|online|club|pro|biz"
    "|link|shop|store|click|space|website|fun|live|gd|in|us|ua|kz|by"
)
_URL_RE = re.compile(
    rf"(?:https?://|www\.)[^\s<>«»\"']+"
    rf"|(?<![\w@.])(?:[a-zа-я0-9](?:[a-zа-я0-9-]*[a-zа-я0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>«»\"']*)?"
)
_HANDLE_RE = re.compile(r"(?<![\w.])@[a-z][a-z0-9_]{3,}\b")
_EMOJI_RE = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b06\u2934\u2935]")
_RUN_RE = re.compile(r"(\S)\1{14,}")
_LETTERS_RE = re.compile(r"[^\W\d_]")
_WORDS_RE = re.compile(r"[^\W\d_]+")


# Signals, on folded text (lowercase, Latin look-alikes → Cyrillic, ё → е). All are found
# in one pass of one pattern; the first match of each kind counts. Where two kinds could
# claim the same words, the one listed first takes them (a loan's «одобрение» is not
# looked at again as an easy-money promise), and the rules below are written for that.
_SIGNALS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "loan",
        (
            r"\b(?:кредит|займ|микрозайм)\w*\b[^.!?\n]{0,40}?"
            r"(?:без\s+(?:отказа|справок|проверок)|одобрени|на\s+карту|онлайн|с\s+любой)",
            r"\bоформлю\s+кредит",
            r"\bмикрозайм\w*",
            r"\bзаймы?\s+(?:на\s+карту|онлайн|без)",
        ),
    ),
    (
        "gambling",
        (
            r"\bказино\b",
            r"\bставки\s+на\s+спорт",
            r"\bбукмекер\w*",
            r"\bопцион\w*",
            r"\bфриспин\w*",
            r"\bкрипт\w*[^.!?\n]{0,30}доход",
            r"\bинвестиц\w*[^.!?\n]{0,30}доход",
        ),
    ),
    (
        "magic",
        (r"\bпорч[уиа]\b", r"\bсглаз\w*", r"\bприворот\w*", r"\bгадани[ея]\b", r"верну\s+любим"),
    ),
    ("diet", (r"\bпохуден\w*", r"\bминус\s+\d+\s*кг\b")),
    (
        "subscribe",
        (
            r"\bподпис(?:ывайтесь|ывайся|ывайтеся|ись|итесь)\s+на\s+"
            r"(?:наш|мой|мою|нашу|моего|канал|паблик)",
            r"\bподписывайся\b",
            r"\bвступай(?:те)?\s+в\s+(?:нашу|мою|наш|мой)\s+(?:группу|паблик|канал|сообщество)",
            r"\bнаш\s+(?:канал|паблик)\b",
            r"\bмой\s+канал\b",
        ),
    ),
    ("discount", (r"\bскидк\w*\s+(?:до\s+)?\d+\s*%", r"\bакция\s*!")),
    (
        "job",
        (
            r"\bтребуются\b",
            r"\bвакансия\b",
            r"\bнужны\s+(?:курьеры|сотрудники|люди)",
            r"\bна\s+удал[её]нку\b",
            r"\bработа\s+на\s+дому\b",
            r"\bудал[её]нн\w+\s+работ\w*",
        ),
    ),
    (
        "earn",
        (
            r"\bпассивн\w+\s+доход\w*",
            r"заработ\w*",
            r"\bдоход\w*",
            r"подработ\w*",
            r"\bзп\s+от\b",
            r"\bоплата\s+(?:ежедневн\w*|каждый\s+день)",
            r"\bхалява\b",
            r"деньги\s+на\s+карту",
            r"бесплатные\s+деньги",
        ),
    ),
    (
        "easy",
        (
            r"\bбез\s+(?:вложений|опыта|отказа|отказов|проверок|справок|диет|предоплаты)\b",
            r"с\s+любой\s+кредитной",
            r"\bодобрени[ея]\b",
        ),
    ),
    (
        "per_time",
        (
            r"\bв\s+(?:день|неделю|месяц|час)\b",
            r"\bежедневн\w*",
            r"\bкаждый\s+день\b",
            r"\bза\s+(?:неделю|день|месяц)\b",
            r"\bот\s+\d[\d\s]*(?:р\b|руб\w*|₽|\$|тыс\w*|к\b|000)",
            r"\d\s*%\s+в\s+(?:месяц|день|неделю)",
            r"\bв\s+интернете\b",
        ),
    ),
    (
        "private",
        (
            r"\bпиш(?:и|ите)\s+(?:мне\s+)?(?:в\s+)?(?:лс|личк\w*|директ|вотсап|ватсап"
            r"|whatsapp|телег\w*|тг|вайбер)\b",
            r"\bв\s+(?:лс|личку|директ)\b",
            r"\bподробн\w*\s+(?:в\s+)?(?:лс|личк\w*|профил\w*|(?:моем|нашем)\s+профил\w*)",
            r"\b(?:ссылк\w*|условия|инф[ао])\s+в\s+(?:шапке\s+)?(?:моем\s+)?профил\w*",
            r"\bпереход(?:и|ите)\s+по\s+ссылке\b",
            r"\bперейд(?:и|ите)\s+по\s+ссылке\b",
            r"\bжми(?:те)?\b",
            r"\bкликай(?:те)?\b",
        ),
    ),
    ("follow", (r"по\s+ссылке", r"\bсмотрите\s+что\b", r"\bпереход\w*")),
    (
        "giveaway",
        (
            r"\bразыгрываем\b",
            r"\bвыиграй(?:те)?\b",
            r"\bдарим\b",
            r"\bзабери(?:те)?\s+(?:подарок|бонус)",
            r"\bполучи(?:те)?\s+бонус",
            r"\bбонус\w*",
        ),
    ),
    ("draw", (r"\bрозыгрыш\w*",)),
    ("giveaway_call", (r"\bподпиш\w*", r"\bрепост\w*", r"\bлайк\w*", r"айфон\w*")),
    (
        "sale",
        (
            r"\bпрода(?:м|ю)\b",
            r"\bкуплю\b",
            r"\bскупка\b",
            r"\bремонт\s+квартир",
            r"\bнатяжн\w*\s+потол\w*",
            r"\bпод\s+ключ\b",
            r"\bнедорого\b",
            r"\bдоставка\b",
            r"\bраспродаж\w*",
        ),
    ),
    ("phone", (r"(?:\+7|\b8)[\s\-(]*9\d{2}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}\b",)),
)
_SIGNAL_RE = re.compile(
    "|".join(f"(?P<{name}>{'|'.join(patterns)})" for name, patterns in _SIGNALS)
)
_PROMO = ("follow", "earn", "giveaway", "subscribe", "sale", "discount", "private")
_STANDALONE = ("loan", "gambling", "magic", "diet", "subscribe", "discount")


@dataclass(frozen=True)
class LinkHit:
    start: int
    end: int
    host: str
    kind: str
    """``shortener``, ``invite``, ``promo`` or ``bare``."""


@dataclass(frozen=True)
class SpamSignals:
    """What made a comment spam: ``(rule, start, end)`` triples, in the folded text."""

    hits: tuple[tuple[str, int, int], ...]


def _host(url: str) -> str:
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url).split("/", 1)[0].split("?", 1)[0]
    return host.split(":", 1)[0].rstrip(".")


def _allowed(host: str, allowed: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in allowed)


# Every signal above starts with one of these: a comment without any is spared the rest.
_TRIGGER = re.compile(
    r"заработ|доход|подработ|зп\b|оплат|халяв|деньги|кредит|займ|казино|ставки|букмекер"
    r"|опцион|фриспин|крипт|инвестиц|порч|сглаз|приворот|гадани|любим|похуд|кг\b|подпис"
    r"|вступай|канал|паблик|разыгр|выигр|дарим|подар|бонус|розыгрыш|прода|куплю|скупк"
    r"|ремонт\s+квартир|потол|под\s+ключ|недорого|доставк|распрод|скидк|акция|требуются"
    r"|ваканс|нужны|удал[её]нн?|на\s+дому|лс\b|личк|директ|профил|ссылк|жми|кликай"
    r"|перейд|переход|\d\d\d|@|\w\.\w"
)
_URLISH = re.compile(r"\w\.\w|https?:|www\.")


def spam_signals(
    low: str, allowed_domains: Iterable[str], folded: str | None = None
) -> SpamSignals:
    """The spam rules that fire on one lowercased comment (``low``; ``folded`` is
    ``fold(low)`` if the caller has it)."""
    text = fold(low) if folded is None else folded
    if not _TRIGGER.search(text):
        return SpamSignals(tuple(_flood(low)))
    seen: dict[str, re.Match[str]] = {}
    for m in _SIGNAL_RE.finditer(text):
        kind = m.lastgroup
        if kind is not None and kind not in seen:
            seen[kind] = m
    hits: list[tuple[str, int, int]] = []

    def add(rule: str, match: re.Match[str] | None) -> None:
        if match is not None:
            hits.append((rule, match.start(), match.end()))

    handle = _HANDLE_RE.search(low) if "@" in low else None
    contact = seen.get("private") or seen.get("phone") or handle
    urls = _links(low, tuple(allowed_domains), any(k in seen for k in _PROMO))
    hits.extend((f"spam.link.{link.kind}", link.start, link.end) for link in urls)

    earn = seen.get("earn")
    if earn is not None and (
        "per_time" in seen
        or "easy" in seen
        or contact
        or urls
        or earn.group(0).startswith("пассивн")
    ):
        add("spam.earnings", earn)
    for kind in _STANDALONE:
        add(f"spam.{kind}", seen.get(kind))
    giveaway = seen.get("giveaway")
    if giveaway is not None and (
        contact or urls or any(k in seen for k in ("giveaway_call", "draw", "subscribe"))
    ):
        add("spam.giveaway", giveaway)
    elif "draw" in seen and ("subscribe" in seen or "giveaway_call" in seen):
        add("spam.giveaway", seen["draw"])
    if "sale" in seen and (seen.get("phone") or handle or seen.get("private")):
        add("spam.sale", seen["sale"])
    if "job" in seen and ("per_time" in seen or contact or earn):
        add("spam.job", seen["job"])
    if "private" in seen and not hits and ("per_time" in seen or "easy" in seen):
        add("spam.private", seen["private"])
    hits.extend(_flood(low))
    return SpamSignals(tuple(hits))


def _links(low: str, allowed: tuple[str, ...], promo: bool) -> list[LinkHit]:
    """Links that make a comment spam (see the module's docstring)."""
    if not _URLISH.search(low):
        return []
    urls = [m for m in _URL_RE.finditer(low) if not _allowed(_host(m.group(0)), allowed)]
    if not urls:
        return []
    few_words = len(_WORDS_RE.findall(_URL_RE.sub(" ", low))) < 6
    links = []
    for m in urls:
        host = _host(m.group(0))
        if host in _SHORTENERS:
            kind = "shortener"
        elif host in _INVITES:
            kind = "invite"
        elif promo:
            kind = "promo"
        elif few_words:
            kind = "bare"
        else:
            continue
        links.append(LinkHit(m.start(), m.end(), host, kind))
    return links


def _flood(low: str) -> list[tuple[str, int, int]]:
    if len(low) < 12:
        return []
    run = _RUN_RE.search(low)
    if run is not None:
        return [("spam.flood.repeat", run.start(), run.end())]
    if max(low) >= "\u2600":
        emoji = _EMOJI_RE.findall(low)
        if len(emoji) >= 10 and len(_LETTERS_RE.findall(low)) < 2 * len(emoji):
            return [("spam.flood.emoji", 0, len(low))]
    parts = low.split()
    if len(parts) < 6 or len(set(parts)) * 2 > len(parts) + 2:
        return []  # the same word cannot be half of the comment
    words = _WORDS_RE.findall(low)
    count = Counter(words).most_common(1)[0][1] if words else 0
    if count >= 6 and count * 2 >= len(words):
        return [("spam.flood.words", 0, len(low))]
    return []


# -- the same text again -------------------------------------------------------------------

_NOT_LETTERS = re.compile(r"[^а-яa-z0-9]+")
_NUMBERS = re.compile(r"\d+")


def fingerprint(text: str, *, min_letters: int = 24) -> str | None:
    """A short hash of a text that ignores case, look-alikes, punctuation, emoji and the
    numbers in it; ``None`` for texts too short to tell (``+``, «спасибо!», «когда?»).

    ``Заработок от 5000 в день!`` and ``зaработок  от 7000 в день`` share a fingerprint.
    """
    folded = fold(text.lower())
    letters = _NUMBERS.sub("0", _NOT_LETTERS.sub("", folded))
    if sum(c.isalpha() for c in letters) < min_letters:
        return None
    return hashlib.blake2b(letters.encode("utf-8"), digest_size=8).hexdigest()


class SpamMemory:
    """Fingerprints of recently seen texts, with how often each was seen.

    Keep one per inbox (or per region) and pass it in a ``ClassifyContext``: a text seen
    ``threshold`` times (across pages, posts or authors) is then spam, however innocent
    each copy looks. ``key`` (e.g. ``"vk:-123:456"``, the comment's own id) makes
    re-classifying the same comment not count twice. Bounded: the oldest fingerprints
    are dropped past ``max_items``, and with ``window`` (seconds) sightings older than
    the window are forgotten. Thread-safe.
    """

    def __init__(
        self,
        *,
        max_items: int = 100_000,
        window: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_items < 1:
            raise ValueError("SpamMemory: max_items must be at least 1")
        self.max_items = max_items
        self.window = window
        self._clock = clock
        self._seen: OrderedDict[str, list[tuple[float, Hashable]]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def count(self, text: str) -> int:
        """How many times a text like ``text`` was seen (not counting this call)."""
        print_ = fingerprint(text)
        if print_ is None:
            return 0
        with self._lock:
            return len(self._fresh(print_))

    def observe(self, text: str, key: Hashable | None = None) -> int:
        """Record one sighting of ``text``; the number of sightings including this one.

        A sighting with a ``key`` already recorded for this text is not counted again.
        Texts too short to fingerprint are not recorded and give 0.
        """
        print_ = fingerprint(text)
        if print_ is None:
            return 0
        now = self._clock()
        with self._lock:
            sightings = self._fresh(print_)
            if key is None or all(k != key for _, k in sightings):
                sightings.append((now, key if key is not None else object()))
            self._seen[print_] = sightings
            self._seen.move_to_end(print_)
            while len(self._seen) > self.max_items:
                self._seen.popitem(last=False)
            return len(sightings)

    def forget(self, text: str) -> None:
        print_ = fingerprint(text)
        if print_ is not None:
            with self._lock:
                self._seen.pop(print_, None)

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()

    def _fresh(self, print_: str) -> list[tuple[float, Hashable]]:
        sightings = self._seen.get(print_, [])
        if self.window is not None:
            oldest = self._clock() - self.window
            sightings = [s for s in sightings if s[0] >= oldest]
        return list(sightings)
