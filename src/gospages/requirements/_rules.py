"""The rules: legal-rules.md turned into checks of a page snapshot.

Each rule carries its id (as in legal-rules.md), a Russian title and explanation, the
act it comes from, how sure we are of it (V/S/B) and its default severity. Rules only
read a :class:`PageSnapshot`; they never call a platform.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._models import Platform, PostSummary, VerificationState
from .._platforms import describe, official_platforms
from .._russian import count_phrase, number, yes_no
from ._contacts import find_phones, is_mobile, profile_contacts
from ._model import Finding, PageSnapshot, RuleStatus, Severity
from ._policy import Policy

__all__ = ["RULES", "Rule", "apply_rule_severity", "audit_page"]

_ALL = frozenset(Platform)
#: Platforms of official pages under 8-ФЗ and 2523-р (VK, OK), and the others.
_OFFICIAL = frozenset(official_platforms())
_NOT_OFFICIAL = _ALL - _OFFICIAL
#: Foreign-owned messengers under 41-ФЗ.
_FOREIGN = frozenset(p for p in Platform if describe(p).foreign_owned)


def _official_where() -> str:
    """«во ВКонтакте и/или Одноклассниках»: where official pages are kept."""
    return " и/или ".join(describe(p).where for p in official_platforms())


def _reporting(field: str) -> frozenset[Platform]:
    """The platforms whose API reports the profile ``field``."""
    return frozenset(p for p in Platform if field in describe(p).profile_fields)


Check = Callable[["Rule", PageSnapshot, Policy], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """One requirement, checkable from a page snapshot."""

    id: str
    title: str
    explanation: str
    source: str
    status: RuleStatus
    severity: Severity
    platforms: frozenset[Platform] = _ALL
    check: Check | None = field(default=None, compare=False, repr=False)

    def severity_in(self, policy: Policy) -> Severity:
        return apply_rule_severity(self.status, policy.severity.get(self.id, self.severity))

    def finding(
        self,
        snapshot: PageSnapshot,
        policy: Policy,
        message: str,
        *,
        evidence: str = "",
        fix: str = "",
        severity: Severity | None = None,
        data: dict[str, Any] | None = None,
    ) -> Finding:
        chosen = (
            apply_rule_severity(self.status, severity) if severity else self.severity_in(policy)
        )
        return Finding(
            rule_id=self.id,
            severity=chosen,
            message=message,
            evidence=evidence,
            fix=fix,
            source=self.source,
            status=self.status,
            platform=snapshot.platform,
            page=snapshot.page,
            org_id=snapshot.org.id if snapshot.org else None,
            data=data or {},
        )


def apply_rule_severity(status: RuleStatus, severity: Severity) -> Severity:
    """Rules known only as belief (B) are never errors, whatever a policy asks."""
    if status is RuleStatus.B and severity is Severity.ERROR:
        return Severity.WARNING
    return severity


RULES: dict[str, Rule] = {}
"""Every page rule by id, in the order they run."""


def _rule(
    id: str,
    title: str,
    explanation: str,
    source: str,
    status: RuleStatus,
    severity: Severity,
    platforms: frozenset[Platform] = _ALL,
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES[id] = Rule(id, title, explanation, source, status, severity, platforms, check)
        return check

    return register


def _date(value: datetime | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def _posts_list(posts: Iterable[PostSummary], limit: int = 3) -> str:
    items = [p.url or p.id for p in posts]
    more = f" и ещё {len(items) - limit}" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


# -- the platform ----------------------------------------------------------------------------


@_rule(
    "R2523-TG",
    "Telegram-канал — не официальная страница",
    "Распоряжение № 2523-р называет информационными системами для официальных страниц "
    "ВКонтакте и Одноклассники. Канал в Telegram — дополнительный канал органа: он не "
    "заменяет официальную страницу по 8-ФЗ.",
    "Распоряжение Правительства РФ от 02.09.2022 № 2523-р",
    RuleStatus.S,
    Severity.INFO,
    _NOT_OFFICIAL,
)
def _telegram_not_official(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    yield rule.finding(
        snap,
        policy,
        f"{describe(snap.platform).label}-канал не является официальной страницей по 8-ФЗ",
        evidence=f"площадка: {describe(snap.platform).label}",
        fix=f"Ведите официальные страницы {_official_where()}; канал — в дополнение.",
    )


_META_RE = re.compile(r"\b(?:facebook\.com|fb\.me|instagram\.com|instagr\.am)\b", re.I)


@_rule(
    "META",
    "Ссылки на Facebook и Instagram",
    "Деятельность Meta (Facebook, Instagram) признана экстремистской и запрещена в России "
    "(решение суда от 21.03.2022). Официальных страниц там быть не может, ссылок на них — "
    "тоже.",
    "Решение Тверского районного суда г. Москвы от 21.03.2022",
    RuleStatus.S,
    Severity.WARNING,
)
def _meta_links(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    profile = snap.profile
    if profile is None:
        return
    text = " ".join(filter(None, [profile.description, profile.site or "", profile.status or ""]))
    found = sorted(set(m.group(0).lower() for m in _META_RE.finditer(text)))
    if found:
        yield rule.finding(
            snap,
            policy,
            "В профиле есть ссылки на Facebook или Instagram",
            evidence=", ".join(found),
            fix="Уберите ссылки на сервисы Meta.",
        )
    posts = [p for p in snap.posts if _META_RE.search(p.text)]
    if posts:
        yield rule.finding(
            snap,
            policy,
            "В публикациях есть ссылки на Facebook или Instagram",
            evidence=_posts_list(posts),
            fix="Уберите ссылки на сервисы Meta из публикаций.",
            data={"posts": [p.id for p in posts]},
        )


# -- the profile ------------------------------------------------------------------------------

_FIELD_NAMES = {
    "name": "полное наименование",
    "description": "описание",
    "phone": "телефон",
    "email": "e-mail",
    "address": "почтовый адрес",
    "site": "официальный сайт",
}


@_rule(
    "FZ8-13-CONTENT",
    "Сведения об органе на странице",
    "Официальная страница содержит сведения об органе: полное наименование, почтовый адрес, "
    "адрес электронной почты, номера телефонов справочных служб, сведения об официальном "
    "сайте. gospages ищет их в блоке контактов, адресе, сайте и в описании страницы.",
    "8-ФЗ ст. 13; распоряжение № 2523-р (сводка Правительства)",
    RuleStatus.S,
    Severity.WARNING,
)
def _content(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    profile = snap.profile
    if profile is None:
        return
    contacts = profile_contacts(profile)
    present = {
        "name": bool(profile.name.strip()),
        "description": bool(profile.description.strip()),
        "phone": bool(contacts.phones),
        "email": bool(contacts.emails),
        "address": bool(contacts.addresses),
        "site": contacts.own_site is not None,
    }
    missing = [f for f in policy.profile.required if not present[f]]
    if not missing:
        return
    seen = []
    if contacts.phones:
        seen.append("телефоны: " + ", ".join(contacts.phones))
    if contacts.emails:
        seen.append("e-mail: " + ", ".join(contacts.emails))
    if contacts.addresses:
        seen.append("адрес: " + "; ".join(contacts.addresses))
    if contacts.own_site:
        seen.append("сайт: " + contacts.own_site.description)
    yield rule.finding(
        snap,
        policy,
        "На странице нет: " + ", ".join(_FIELD_NAMES[f] for f in missing),
        evidence="; ".join(seen) or "контактов не найдено ни в блоке контактов, ни в описании",
        fix="Добавьте недостающее в описание сообщества или в блок «Контакты»/«Адреса»/«Сайт».",
        data={"missing": missing},
    )


_PUBLICATIONS = ("публикация", "публикации", "публикаций")
_TIMES = ("раз", "раза", "раз")
#: The marks platforms return about a page (``Verification.marks``), as a person reads them.
_MARK_NAMES = {
    "is_government_organization": "отметка «Госорганизация»",
    "gos_org": "отметка «Госорганизация»",
    "trust_mark": "знак доверия",
    "verified": "галочка верификации",
    "content_as_official": "официальный контент",
    "scam": "пометка «мошенничество»",
    "fake": "пометка «подделка»",
}


def _marks_text(marks: dict[str, Any]) -> str:
    """``отметка «Госорганизация»: нет; галочка верификации: нет`` (no raw API field names)."""
    if not marks:
        return "платформа не вернула признаков подтверждения"
    shown = []
    for key, value in marks.items():
        name = _MARK_NAMES.get(key, "другой признак")
        flag = isinstance(value, (bool, int, str)) and key != "trust_mark"
        text = yes_no(value) if flag else value
        shown.append(f"{name}: {text}")
    return "; ".join(shown)


@_rule(
    "VERIFY-1",
    "Отметка «Госорганизация»",
    "Страница органа подтверждается через Госуслуги (учётная запись организации в ЕСИА) и "
    "получает отметку «Госорганизация». Если площадка не сообщает об отметке, gospages "
    "пишет «неизвестно», а не «нет».",
    "Минцифры и VK, 2022; порядок подтверждения через Госуслуги",
    RuleStatus.V,
    Severity.WARNING,
    _OFFICIAL,
)
def _verification(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    verification = snap.verification
    if verification is None:
        return
    marks = _marks_text(verification.marks)
    if verification.state is VerificationState.NOT_CONFIRMED:
        yield rule.finding(
            snap,
            policy,
            "Нет отметки «Госорганизация»",
            evidence=marks,
            fix="Подтвердите страницу через Госуслуги (раздел «Госпаблики» / ЕСИА организации).",
        )
    elif verification.state is VerificationState.UNKNOWN:
        yield rule.finding(
            snap,
            policy,
            "Не удалось определить, есть ли отметка «Госорганизация»",
            evidence=f"{verification.explanation} ({marks})",
            severity=Severity.INFO,
            fix="Проверьте отметку на странице вручную.",
        )


@_rule(
    "POS-1",
    "Виджеты Платформы обратной связи",
    "На странице размещаются формы ПОС: «Сообщить о проблеме» и «Высказать мнение» / "
    "«Решаем вместе». Во ВКонтакте они видны как пункты меню или кнопки приложений.",
    "Постановление Правительства РФ от 31.12.2022 № 2560",
    RuleStatus.B,
    Severity.WARNING,
    _OFFICIAL & _reporting("feedback_widgets"),
)
def _feedback(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    profile = snap.profile
    if profile is None:
        return
    if profile.feedback_widgets is None:
        yield rule.finding(
            snap,
            policy,
            "Не удалось определить, есть ли виджеты ПОС",
            evidence="ВКонтакте не вернул меню сообщества этому ключу",
            severity=Severity.INFO,
        )
    elif not profile.feedback_widgets:
        yield rule.finding(
            snap,
            policy,
            "Виджетов ПОС на странице не видно",
            evidence="в меню нет «Сообщить о проблеме» и ссылок на pos.gosuslugi.ru",
            fix="Подключите виджеты ПОС через компонент «Госпаблики».",
        )


_RKN_RE = re.compile(r"(?i)(ркн|роскомнадзор|реестр|gosuslugi\.ru/snet|№\s*\d{4,})")


@_rule(
    "303-10K",
    "Страница с аудиторией более 10 000 — в перечне РКН",
    "С 01.11.2024 страницы с аудиторией более 10 000 подписчиков вносятся в перечень "
    "Роскомнадзора. Распространяется ли это на подтверждённые официальные страницы, не "
    "установлено.",
    "303-ФЗ от 08.08.2024",
    RuleStatus.B,
    Severity.WARNING,
)
def _rkn(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    profile = snap.profile
    if profile is None or (profile.members_count or 0) <= 10_000:
        return
    if _RKN_RE.search(profile.description):
        return
    yield rule.finding(
        snap,
        policy,
        "Более 10 000 подписчиков, а отметки о перечне РКН в описании нет",
        evidence=f"подписчиков: {profile.members_count}",
        fix="Проверьте, нужна ли странице запись в перечне РКН, и укажите её в описании.",
    )


@_rule(
    "POL-PROFILE",
    "Оформление страницы",
    "Региональные порядки требуют аватар и обложку, открытые комментарии на страницах "
    "глав и название, совпадающее с официальным наименованием.",
    "Региональные порядки (Санкт-Петербург 2024, Кировская обл. 2022)",
    RuleStatus.S,
    Severity.WARNING,
)
def _design(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    profile = snap.profile
    if profile is None:
        return
    lacking = []
    reported = describe(snap.platform).profile_fields
    if (
        policy.profile.avatar
        and snap.platform in _OFFICIAL
        and "avatar_url" in reported
        and not profile.avatar_url
    ):
        lacking.append("аватар")
    if policy.profile.cover and "cover_url" in reported and not profile.cover_url:
        lacking.append("обложка")
    if lacking:
        yield rule.finding(
            snap,
            policy,
            "Не оформлено: " + ", ".join(lacking),
            fix="Загрузите аватар и обложку с символикой органа.",
        )
    if policy.profile.comments_open and profile.comments_open is False:
        yield rule.finding(
            snap,
            policy,
            "Комментарии на странице закрыты",
            evidence="стена: комментарии запрещены",
            fix="Откройте комментарии: жители должны иметь возможность писать.",
        )
    if snap.org is not None and not _same_name(snap.org.name, profile.name):
        yield rule.finding(
            snap,
            policy,
            "Название страницы не совпадает с наименованием органа в реестре",
            evidence=f"страница: «{profile.name}», реестр: «{snap.org.name}»",
            severity=Severity.INFO,
            fix="Назовите страницу официальным наименованием органа.",
        )


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[а-яёa-z0-9]+", text.casefold()) if len(w) > 3}


def _same_name(official: str, shown: str) -> bool:
    wanted = _words(official)
    return not wanted or len(wanted & _words(shown)) >= max(1, len(wanted) // 2)


# -- activity ---------------------------------------------------------------------------------


@_rule(
    "POL-FREQ",
    "Частота публикаций",
    "Региональные порядки задают минимум публикаций в неделю: Томская обл. — 2, Якутия — 5, "
    "Башкортостан — 3, Санкт-Петербург — более 3, Новосибирская обл. — 10 для органов "
    "власти и 5 для остальных. Число берётся из политики.",
    "Региональные порядки ведения официальных страниц",
    RuleStatus.S,
    Severity.WARNING,
)
def _frequency(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    norm = policy.posts_per_week_for(snap.org, snap.category)
    if norm <= 0:
        return
    rate = snap.posts_per_week()
    if rate + 1e-9 >= norm:
        return
    yield rule.finding(
        snap,
        policy,
        f"Публикаций меньше нормы: {number(rate)} в неделю при норме {number(norm)}",
        evidence=f"за {snap.days} дн. {count_phrase(len(snap.posts), _PUBLICATIONS)}",
        fix=f"Публикуйте не реже {count_phrase(norm, _TIMES)} в неделю (контент-план).",
        data={"per_week": round(rate, 2), "norm": norm},
    )


@_rule(
    "POL-MISSING",
    "Страница молчит",
    "На многих официальных страницах информация не появляется (решение Думы "
    "Усть-Удинского района № 65/10-РД от 30.11.2023): страница без публикаций дольше срока "
    "политики — брошенная страница.",
    "Решения представительных органов о качестве ведения страниц; политика региона",
    RuleStatus.S,
    Severity.WARNING,
)
def _silent(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    limit = policy.frequency.silent_days
    last = snap.last_post
    if last is not None and (snap.captured_at - last).days < limit:
        return
    if last is None and snap.days < limit:
        return  # the period is too short to call the page silent
    evidence = (
        f"последняя публикация {_date(last)}" if last else f"ни одной публикации за {snap.days} дн."
    )
    yield rule.finding(
        snap,
        policy,
        f"Нет публикаций больше {limit} дней",
        evidence=evidence,
        fix="Возобновите публикации или передайте страницу ответственному.",
        data={"last_post": last.isoformat() if last else None},
    )


@_rule(
    "POL-REPLY",
    "Ответы на вопросы жителей",
    "Региональные нормы задают срок ответа на комментарии: Сахалин — 24 часа, Крым — "
    "9 рабочих часов, Якутия — 8 часов на аккаунтах главы. Федерального срока нет.",
    "Региональные порядки; политика региона",
    RuleStatus.S,
    Severity.WARNING,
)
def _replies(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    stats = snap.comments
    if stats is None:
        return
    late = [q for q in stats.unanswered if q.get("hours", 0) > policy.reply.hours]
    if not late:
        return
    oldest = max(q["hours"] for q in late)
    yield rule.finding(
        snap,
        policy,
        f"Без ответа дольше {number(policy.reply.hours)} ч: "
        f"{count_phrase(len(late), ('вопрос', 'вопроса', 'вопросов'))}",
        evidence=f"старейший ждёт {number(oldest, 0)} ч: «{str(late[0].get('text', ''))[:80]}»",
        fix="Ответьте от имени страницы; на обращения направляйте в ПОС.",
        data={"unanswered": len(late), "oldest_hours": round(oldest, 1)},
    )


@_rule(
    "41FZ-MSG",
    "Ответы жителям через иностранный сервис",
    "С 01.06.2025 органам власти, ОМСУ и подведомственным организациям запрещено "
    "переписываться с гражданами, в том числе отвечать на комментарии, через сервисы, "
    "принадлежащие иностранным лицам; на практике называют Telegram.",
    "41-ФЗ от 01.04.2025",
    RuleStatus.V,
    Severity.WARNING,
    _FOREIGN,
)
def _foreign(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
    stats = snap.comments
    if stats is None or not stats.from_page:
        return
    yield rule.finding(
        snap,
        policy,
        f"Канал отвечает жителям {describe(snap.platform).where}",
        evidence=f"ответов от имени канала за период: {stats.from_page}",
        fix="Отвечайте жителям на официальных страницах "
        f"{'/'.join(describe(p).label for p in official_platforms())} или через ПОС.",
    )


# -- what the posts say ------------------------------------------------------------------------

_AD_RE = re.compile(r"(?i)\b(реклам\w*|скидк\w*|промокод\w*|акци[яи] для покупател\w*|купите)\b")
_ERID_RE = re.compile(r"(?i)\berid\b")
_SNILS_RE = re.compile(r"\b\d{3}-\d{3}-\d{3}[ -]\d{2}\b")
_PASSPORT_RE = re.compile(r"(?i)паспорт\w*\D{0,20}\d{2}\s?\d{2}\s?\d{6}")
_PROHIBITED_RE = re.compile(
    r"(?i)(закладк\w* (?:с|на) |купить (?:наркотик|соль|меф)\w*|способ\w* (?:суицид|самоубийств)\w*"
    r"|вступайте в ряды|оружие без лицензии)"
)
_CYRILLIC_RE = re.compile(r"[А-Яа-яЁё]")
_LETTER_RE = re.compile(r"[^\W\d_]")


def ad_problems(text: str) -> list[str]:
    if _AD_RE.search(text) and not _ERID_RE.search(text):
        return ["похоже на рекламу, но нет пометки «Реклама» с токеном erid"]
    return []


def personal_data_problems(text: str) -> list[str]:
    found = []
    mobiles = [p for p in find_phones(text) if is_mobile(p)]
    if mobiles:
        found.append("мобильные номера: " + ", ".join(mobiles))
    if _SNILS_RE.search(text):
        found.append("похоже на СНИЛС")
    if _PASSPORT_RE.search(text):
        found.append("похоже на паспортные данные")
    return found


def prohibited_problems(text: str) -> list[str]:
    match = _PROHIBITED_RE.search(text)
    return [f"«{match.group(0)}»"] if match else []


def language_problems(text: str) -> list[str]:
    # A letter is one character: a text of fewer than 30 has too few letters to judge,
    # and one whose Cyrillic is a fifth of its characters has a fifth of its letters.
    if len(text) < 30:
        return []
    cyrillic = len(_CYRILLIC_RE.findall(text))
    if cyrillic * 5 >= len(text):
        return []
    letters = len(_LETTER_RE.findall(text))
    if letters >= 30 and cyrillic / letters < 0.2:
        return ["текст не на русском языке"]
    return []


def _post_rule(rule_id: str, finder: Callable[[str], list[str]], message: str, fix: str) -> Check:
    def check(rule: Rule, snap: PageSnapshot, policy: Policy) -> Iterable[Finding]:
        hits = [(p, finder(p.text)) for p in snap.posts]
        hits = [(p, what) for p, what in hits if what]
        if not hits:
            return
        yield rule.finding(
            snap,
            policy,
            f"{message}: {len(hits)} публикац.",
            evidence="; ".join(f"{p.url or p.id}: {', '.join(what)}" for p, what in hits[:3]),
            fix=fix,
            data={"posts": [p.id for p, _ in hits]},
        )

    return check


_rule(
    "38-ADV",
    "Реклама без маркировки",
    "Реклама в публикациях требует пометки «Реклама», указания рекламодателя и токена erid "
    "(с 01.09.2022).",
    "38-ФЗ «О рекламе», ст. 18.1",
    RuleStatus.S,
    Severity.WARNING,
)(
    _post_rule(
        "38-ADV",
        ad_problems,
        "Возможная реклама без маркировки",
        "Уберите рекламу или промаркируйте её (пометка «Реклама», рекламодатель, erid).",
    )
)
_rule(
    "152-PD",
    "Персональные данные частных лиц",
    "Публикация персональных данных частных лиц (телефоны, адреса, паспорт, СНИЛС, фото "
    "детей) требует их согласия. gospages отмечает подозрительное для проверки человеком.",
    "152-ФЗ ст. 10.1; ГК РФ ст. 152.1",
    RuleStatus.B,
    Severity.WARNING,
)(
    _post_rule(
        "152-PD",
        personal_data_problems,
        "Возможные персональные данные в публикациях",
        "Проверьте, есть ли согласие; иначе уберите данные.",
    )
)
_rule(
    "149-10.6",
    "Запрещённая информация",
    "На странице не должно быть запрещённой информации (наркотики, суицид, призывы к "
    "беспорядкам и экстремизму...). Найденное — повод для проверки человеком, не приговор.",
    "149-ФЗ ст. 10.6",
    RuleStatus.V,
    Severity.WARNING,
)(
    _post_rule(
        "149-10.6",
        prohibited_problems,
        "Возможная запрещённая информация",
        "Проверьте публикации и при необходимости удалите.",
    )
)
_rule(
    "LANG-53",
    "Государственный язык",
    "В отношениях с гражданами обязателен русский язык; республики могут добавлять свой "
    "государственный язык (двуязычные публикации допустимы).",
    "53-ФЗ ст. 3",
    RuleStatus.V,
    Severity.WARNING,
)(
    _post_rule(
        "LANG-53",
        language_problems,
        "Публикации без русского текста",
        "Публикуйте по-русски; текст на языке республики — вместе с русским.",
    )
)


UNAVAILABLE = Rule(
    "GP-UNAVAILABLE",
    "Страницу не удалось проверить",
    "gospages не смог прочитать страницу: ключ отозван, страница удалена или закрыта, "
    "площадка отказала. Остальные страницы проверяются как обычно.",
    "gospages",
    RuleStatus.V,
    Severity.ERROR,
)


COMMENTS_UNREAD = Rule(
    "GP-COMMENTS",
    "Комментарии не прочитаны",
    "Страницу прочитали (профиль, отметка, публикации), а комментарии — нет: площадка "
    "отказала или ключ этого не позволяет. Правила о публикациях проверены; ответы на "
    "вопросы жителей (POL-REPLY) на этот раз не оценены.",
    "gospages",
    RuleStatus.V,
    Severity.INFO,
)


DEACTIVATED = Rule(
    "GP-DEACTIVATED",
    "Страница удалена или заблокирована",
    "Площадка отвечает, что страницы больше нет: её удалили или заблокировали (во "
    "ВКонтакте — поле deactivated: deleted или banned). Жители не видят ни публикаций, "
    "ни контактов; оценку «светофора» такая страница не получает, остальные правила к ней "
    "не применяются. Восстановите страницу или замените её в реестре действующей.",
    "8-ФЗ ст. 10 ч. 1.1 (официальная страница органа); ответ площадки (VK: deactivated)",
    RuleStatus.V,
    Severity.ERROR,
)

_DEACTIVATION = {"deleted": "удалена", "banned": "заблокирована площадкой"}


def deactivation(snapshot: PageSnapshot) -> str | None:
    """Why the platform says the page is gone («удалена»), or ``None`` if it is not."""
    profile = snapshot.profile
    if profile is None or not profile.deactivated:
        return None
    return _DEACTIVATION.get(profile.deactivated, f"недоступна ({profile.deactivated})")


def audit_page(snapshot: PageSnapshot, policy: Policy | None = None) -> list[Finding]:
    """Every finding of every applicable rule for one page snapshot."""
    if policy is None:
        from ._policy import load_policy

        policy = load_policy("federal")
    if snapshot.error is not None:
        return [
            UNAVAILABLE.finding(
                snapshot,
                policy,
                UNAVAILABLE.title,
                evidence=snapshot.error,
                fix="Проверьте ключ доступа и адрес страницы в реестре.",
            )
        ]
    gone = deactivation(snapshot)
    if gone is not None and DEACTIVATED.id not in policy.disabled:
        return [
            DEACTIVATED.finding(
                snapshot,
                policy,
                f"Страница {gone}",
                evidence=f"deactivated={snapshot.profile.deactivated}" if snapshot.profile else "",
                fix="Восстановите страницу или укажите в реестре действующую.",
            )
        ]
    findings: list[Finding] = []
    for rule in RULES.values():
        if rule.id in policy.disabled or snapshot.platform not in rule.platforms:
            continue
        assert rule.check is not None
        findings.extend(rule.check(rule, snapshot, policy))
    if snapshot.comments_error is not None and COMMENTS_UNREAD.id not in policy.disabled:
        findings.append(
            COMMENTS_UNREAD.finding(
                snapshot,
                policy,
                f"Комментарии не прочитаны: {snapshot.comments_error}",
                evidence=snapshot.comments_error,
                fix="Проверьте, открыты ли комментарии и позволяет ли ключ их читать.",
            )
        )
    return findings
