"""Contacts as Russian municipal pages write them: phones, e-mails, addresses, sites."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import phonenumbers

from .._models import PageProfile

__all__ = [
    "Contacts",
    "SiteInfo",
    "classify_site",
    "find_addresses",
    "find_emails",
    "find_phones",
    "find_urls",
    "profile_contacts",
]

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-zА-Яа-яёЁ]{2,}", re.U)
_URL_RE = re.compile(
    r"(?:https?://)?(?:[\w-]+\.)+(?:ru|рф|su|com|org|net|gov\.ru|[a-z]{2,6})(?:/[^\s,;)»\"]*)?",
    re.I | re.U,
)
# A postal address: a six-digit index, or a street word followed by a name and a number.
_STREET = (
    r"(?:ул\.?|улица|пр-?т\.?|проспект|пер\.?|переулок|пл\.?|площадь|наб\.?|набережная|"
    r"ш\.?|шоссе|бульвар|б-р|мкр\.?|микрорайон|тракт)"
)
_ADDRESS_RE = re.compile(
    rf"(?:\b\d{{6}},?\s*)?(?:[^.;\n]{{0,60}}?)\b{_STREET}\s+[«\"]?[А-ЯЁа-яё0-9][^,;\n]{{0,40}}?,?\s*"
    rf"(?:д\.?|дом)?\s*\d+[а-яА-Я]?(?:/\d+)?",
    re.U,
)
_INDEX_RE = re.compile(r"\b[1-6]\d{5}\b")

#: Platforms municipal sites are hosted on (the body still owns its domain name there).
_HOSTED = {
    "gosuslugi.ru": "платформа «Госвеб» (gosuslugi.ru)",
    "gosweb.gosuslugi.ru": "платформа «Госвеб» (gosuslugi.ru)",
}
_SOCIAL = (
    "vk.com",
    "vk.ru",
    "ok.ru",
    "t.me",
    "telegram.me",
    "max.ru",
    "facebook.com",
    "instagram.com",
    "fb.me",
    "instagr.am",
    "youtube.com",
    "rutube.ru",
    "dzen.ru",
)


# Labels of numbers that are not phones: a legal entity's codes (ИНН 10/12 digits, ОГРН,
# КПП, БИК, ОКПО, ОКТМО ...) and bank, treasury and personal accounts ...
_CODE = (
    r"ИНН|ОГРНИП|ОГРН|КПП|БИК|ОКПО|ОКТМО|ОКАТО|ОКОГУ|ОКОПФ|ОКФС|ОКВЭД|КБК|УИН|СНИЛС"
    r"|[рклс]\s?/\s?сч?(?:ёт|ет)?"
    r"|(?:(?:расч[её]тн|корр?(?:еспондентск)?|лицев|казначейск|банковск)\w*\.?\s+)?"
    r"сч(?:[её]т\w*|\.)|номер\w*\s+сч[её]т\w*"
)
# ... and numbers of cases, contracts and documents, when written with «№».
_NUMBERED = (
    r"(?:по\s+)?дел[оау]|номер\w*\s+дела|case|договор\w*|контракт\w*|соглашени\w*"
    r"|постановлени\w*|решени\w*|приказ\w*|распоряжени\w*|протокол\w*|заявк\w*|лот\w*"
)
_REQUISITE_RE = re.compile(
    rf"(?<!\w)(?:(?:{_CODE})(?:\s*/\s*(?:{_CODE}))*(?:\s*(?:№|N|No\.?|#|:|-|—))*"
    rf"|(?:{_NUMBERED})\s*(?:№|No\.?|N(?=\s*\d))(?:\s*:)?)\s*"
    # the number: digit groups joined by "/", "-", "." or a space before a group of 3+
    # digits, letters in a case number (А67-1234/2023)
    r"(?P<value>[A-Za-zА-Яа-я]{0,3}\d+"
    r"(?:(?:[/.\-]|\s(?=\d{3,}\b)|[/\-][A-Za-zА-Яа-я]{1,3})\d+)*)",
    re.I | re.U,
)


def without_requisites(text: str) -> str:
    """``text`` with labelled numbers that are not phones blanked out (same length).

    «ООО «Ромашка», ИНН 7024000000» would otherwise read as the mobile number
    +7 702 400 0000; ОГРН, КПП, БИК, ОКПО, ОКТМО, accounts («р/с», «л/с», «счёт») and
    case, contract or document numbers («дело №») are blanked the same way.
    """
    return _REQUISITE_RE.sub(
        lambda m: m.group(0)[: m.start("value") - m.start()] + " " * len(m.group("value")), text
    )


_PHONE_DIGITS = 6
"""The fewest digits of a possible phone number with its country code (phonenumbers'
metadata: Austria's +43 and 4 digits); a Russian one without ``+7`` has 10."""


def find_phones(text: str) -> list[str]:
    """Phone numbers in any common Russian notation, as ``+7 XXX XXX-XX-XX``.

    ``+7 (38247) 2-11-00``, ``8 800 100-00-00``, ``8(3822)123456 доб. 12`` ... Numbers
    without a city code (``2-11-00``) cannot be dialled from outside and are not counted,
    nor are labelled numbers of another kind (``ИНН 7024000000``, ``р/с …``, ``дело № …``:
    :func:`without_requisites`).
    """
    found: list[str] = []
    if sum(map(str.isdigit, text)) < _PHONE_DIGITS:
        return found  # no number of any country is that short (the matcher is slow)
    text = without_requisites(text)
    for match in phonenumbers.PhoneNumberMatcher(text, "RU", leniency=phonenumbers.Leniency.VALID):
        formatted = phonenumbers.format_number(
            match.number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        if match.number.extension:
            formatted = formatted.split(" ext.")[0] + f" доб. {match.number.extension}"
        if formatted not in found:
            found.append(formatted)
    return found


def is_mobile(phone: str) -> bool:
    """Whether ``phone`` is a Russian mobile number (a private person's, often)."""
    try:
        number = phonenumbers.parse(phone, "RU")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


def find_emails(text: str) -> list[str]:
    out: list[str] = []
    for email in _EMAIL_RE.findall(text):
        email = email.rstrip(".").lower()
        if email not in out:
            out.append(email)
    return out


def find_urls(text: str) -> list[str]:
    """Web addresses in ``text`` (e-mail domains excluded)."""
    without_emails = _EMAIL_RE.sub(" ", text)
    return [u.rstrip(".") for u in _URL_RE.findall(without_emails) if "." in u]


def find_addresses(text: str) -> list[str]:
    """Postal addresses: a street with a house number, or a six-digit postcode."""
    found = [m.group(0).strip(" ,") for m in _ADDRESS_RE.finditer(text)]
    if not found:
        found = [m.group(0) for m in _INDEX_RE.finditer(text)]
    return found


@dataclass(frozen=True)
class SiteInfo:
    """What a site's address says."""

    url: str
    host: str
    own_domain: bool
    """The body's own site (not a social network page)."""
    hosting: str | None
    """A state hosting platform the site runs on, if recognised."""

    @property
    def description(self) -> str:
        if self.hosting:
            return f"{self.host} — {self.hosting}"
        return self.host if self.own_domain else f"{self.host} — не собственный сайт"


def classify_site(url: str) -> SiteInfo:
    """Host, whether it is the body's own site, and the state platform it is hosted on."""
    raw = url if "://" in url else f"https://{url}"
    host = (urlsplit(raw).hostname or "").lower().removeprefix("www.")
    social = any(host == s or host.endswith("." + s) for s in _SOCIAL)
    hosting = next((v for k, v in _HOSTED.items() if host == k or host.endswith("." + k)), None)
    return SiteInfo(url=url, host=host, own_domain=not social and bool(host), hosting=hosting)


@dataclass
class Contacts:
    """Contacts of a page, from its structured fields and its description."""

    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    sites: list[SiteInfo] = field(default_factory=list)

    @property
    def own_site(self) -> SiteInfo | None:
        return next((s for s in self.sites if s.own_domain), None)


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def profile_contacts(profile: PageProfile) -> Contacts:
    """Everything a person could use to reach the body, read off its profile."""
    text = "\n".join(filter(None, [profile.description, profile.status or ""]))
    structured_phones = [p for raw in profile.phones for p in (find_phones(raw) or [raw])]
    sites = _unique([profile.site or "", *find_urls(text)])
    return Contacts(
        phones=_unique([*structured_phones, *find_phones(text)]),
        emails=_unique([*(e.lower() for e in profile.emails), *find_emails(text)]),
        addresses=_unique([*profile.addresses, *find_addresses(text)]),
        sites=[classify_site(s) for s in sites],
    )
