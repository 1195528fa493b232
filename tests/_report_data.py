"""A realistic AuditReport for report tests: a seeded region read from the sandbox.

Until the audit engine exists, the findings and scores are made here by hand from what the
pages show, the way the engine will make them (rule ids of legal-rules.md, the «светофор»
parts of ``gospages.reports.SCORE_PARTS``).
"""

from __future__ import annotations

import asyncio
import functools
from datetime import datetime, timedelta, timezone
from typing import Any

from gospages import Platform, VerificationState
from gospages.registry import Organization, PageRef
from gospages.reports import summarize
from gospages.requirements import (
    AuditReport,
    Finding,
    PageAudit,
    PageSnapshot,
    RuleStatus,
    Severity,
    TrafficLightScore,
)
from gospages.testing import Scenario, build_region
from gospages.vk import VKLimits

TOMSK = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=TOMSK)
DAYS = 28
NORM = 2  # publications a week: seed 003 (Tomsk region), item 6
POLICY = "tomsk@2023"


def _options(platform: Platform) -> dict[str, Any]:
    if platform is Platform.VK:
        return {"limits": VKLimits(user=1000, service=1000)}
    if platform is Platform.OK:
        return {"requests_per_second": 1000}
    return {}


async def _snapshot(region: Scenario, org: Organization, ref: PageRef) -> PageSnapshot:
    async with region.open_ref(ref, **_options(ref.platform)) as page:
        profile = await page.profile()
        verification = await page.verification()
        posts = [p async for p in page.posts(since=NOW - timedelta(days=DAYS))]
    return PageSnapshot(
        platform=ref.platform,
        page=ref.page,
        url=ref.url,
        captured_at=NOW,
        days=DAYS,
        profile=profile,
        verification=verification,
        posts=posts,
        org=org,
        category=ref.category,
    )


def _finding(
    snap: PageSnapshot, org: Organization, rule_id: str, severity: Severity, message: str, **kw: Any
) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=severity,
        message=message,
        platform=snap.platform,
        page=snap.page,
        org_id=org.id,
        **kw,
    )


def findings_for(snap: PageSnapshot, org: Organization) -> list[Finding]:
    """What an audit of ``snap`` would say, made by hand."""
    out = []
    per_week = snap.posts_per_week()
    if per_week < NORM:
        out.append(
            _finding(
                snap,
                org,
                "POL-FREQ",
                Severity.WARNING,
                "Публикаций меньше нормы",
                evidence=f"{per_week:.1f}".replace(".", ",")
                + f" в неделю за {snap.days} дней при норме {NORM}",
                fix="Составьте контент-план: не меньше двух публикаций в неделю",
                source="Порядок ведения официальных страниц, п. 6",
                data={"norm": NORM, "per_week": per_week},
            )
        )
    last = snap.last_post
    if last is None or last < snap.captured_at - timedelta(days=14):
        out.append(
            _finding(
                snap,
                org,
                "POL-MISSING",
                Severity.ERROR,
                "На странице больше двух недель нет публикаций",
                evidence="за период ни одной записи"
                if last is None
                else f"последняя запись {last.astimezone(TOMSK):%d.%m.%Y}",
                fix="Возобновите публикации о деятельности органа",
                source="8-ФЗ ст. 13",
            )
        )
    profile = snap.profile
    if snap.platform is Platform.TELEGRAM:
        out.append(
            _finding(
                snap,
                org,
                "R2523-TG",
                Severity.INFO,
                "Канал в Telegram — дополнительный канал, а не официальная страница по 8-ФЗ",
                source="распоряжение Правительства РФ № 2523-р",
                status=RuleStatus.S,
            )
        )
        out.append(
            _finding(
                snap,
                org,
                "41FZ-MSG",
                Severity.WARNING,
                "У канала есть группа обсуждения: переписка с гражданами в Telegram запрещена",
                evidence="к каналу привязан чат обсуждения",
                fix="Отключите обсуждение или отвечайте гражданам во ВКонтакте",
                source="41-ФЗ от 01.04.2025",
                status=RuleStatus.V,
            )
        )
    elif profile is not None and not profile.phones:
        out.append(
            _finding(
                snap,
                org,
                "FZ8-13-CONTENT",
                Severity.ERROR,
                "В описании страницы нет телефона справочной службы",
                evidence="телефон не указан ни в описании, ни в контактах",
                fix="Добавьте телефон, почтовый адрес и адрес электронной почты",
                source="8-ФЗ ст. 13",
            )
        )
    state = snap.verification.state if snap.verification else VerificationState.UNKNOWN
    if snap.platform is Platform.VK and state is VerificationState.NOT_CONFIRMED:
        out.append(
            _finding(
                snap,
                org,
                "VERIFY-1",
                Severity.WARNING,
                "Страница не подтверждена через Госуслуги",
                evidence="нет отметки «Госорганизация»",
                fix="Подтвердите страницу в личном кабинете организации на Госуслугах",
                source="Минцифры, 2022",
                status=RuleStatus.V,
            )
        )
    elif snap.platform is Platform.VK and state is VerificationState.UNKNOWN:
        out.append(
            _finding(
                snap,
                org,
                "VERIFY-1",
                Severity.INFO,
                "Не удалось узнать, есть ли отметка «Госорганизация»",
                fix="Проверьте отметку на странице вручную",
                status=RuleStatus.V,
            )
        )
    if profile is not None and profile.comments_open is False:
        out.append(
            _finding(
                snap,
                org,
                "POL-PROFILE",
                Severity.WARNING,
                "Комментарии на странице закрыты",
                fix="Откройте комментарии к записям",
                source="региональный стандарт ведения страниц",
            )
        )
    return out


def score_for(snap: PageSnapshot) -> TrafficLightScore | None:
    """The scorer's own «светофор» score (Telegram channels are not scored)."""
    from gospages.requirements import traffic_light

    return None if snap.platform is Platform.TELEGRAM else traffic_light(snap)


async def _build(seed: int) -> AuditReport:
    region = build_region(seed=seed, now=NOW.timestamp(), vk_rate_limits=False)
    pages = []
    for org, ref in region.registry.pages():
        snap = await _snapshot(region, org, ref)
        pages.append(
            PageAudit(
                org=org,
                ref=ref,
                snapshot=snap,
                findings=findings_for(snap, org),
                score=score_for(snap),
            )
        )
    without = [
        Finding(
            rule_id="FZ8-10-OP",
            severity=Severity.ERROR,
            message="У организации нет официальной страницы",
            evidence="в реестре нет страниц ни во ВКонтакте, ни в Одноклассниках",
            fix="Создайте страницу во ВКонтакте или Одноклассниках и подтвердите её",
            source="8-ФЗ ст. 10; распоряжение № 2523-р",
            org_id=org.id,
        )
        for org in region.registry.without_pages()
    ]
    return AuditReport(
        policy=POLICY,
        created_at=NOW,
        days=DAYS,
        pages=pages,
        organizations=region.registry.organizations,
        findings=without,
    )


@functools.cache
def build_report(seed: int = 1) -> AuditReport:
    """The report of the seeded region (built once per seed)."""
    return asyncio.run(_build(seed))


def with_previous(report: AuditReport) -> AuditReport:
    """``report`` with a previous run a week earlier: fewer subscribers, other post counts."""
    before = summarize(report)
    before["created_at"] = (report.created_at - timedelta(days=7)).isoformat()
    for i, page in enumerate(before["pages"].values()):
        if page["subscribers"] is not None:
            page["subscribers"] -= 10 * (i % 4)
        page["posts"] += (i % 3) - 1
        if page["score"] is not None:
            page["score"] = max(page["score"] - 5 * (i % 2), 0)
    for network in before["networks"].values():
        network["subscribers"] -= 100
    return report.model_copy(update={"previous": before})
