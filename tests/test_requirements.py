"""The requirements module: contacts, policies, rules, post checks, fleet audits."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from gospages import (
    FeedbackWidget,
    Link,
    PageProfile,
    Platform,
    Post,
    PostSummary,
    ValidationError,
    Verification,
    VerificationState,
)
from gospages.registry import Organization, OrgKind, OrgLevel
from gospages.reports import AuditHistory
from gospages.requirements import (
    PRESETS,
    RULES,
    CommentStats,
    PageSnapshot,
    RuleStatus,
    Severity,
    audit_page,
    audit_registry,
    check_post,
    classify_site,
    find_addresses,
    find_emails,
    find_phones,
    load_policy,
    traffic_light,
)
from gospages.testing import build_region
from gospages.vk import VKLimits

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def profile(**fields: Any) -> PageProfile:
    base: dict[str, Any] = {
        "platform": Platform.VK,
        "id": "1",
        "name": "Администрация Энского района",
        "description": "Приёмная: +7 (38247) 2-11-00, adm@ensk.ru. Адрес: 636130, с. Энское, "
        "ул. Ленина, д. 7. Сайт: https://ensk.gosuslugi.ru",
        "avatar_url": "https://a/1.jpg",
        "cover_url": "https://c/1.jpg",
        "members_count": 900,
        "feedback_widgets": [
            FeedbackWidget(title="Сообщить о проблеме"),
            FeedbackWidget(title="Высказать мнение"),
        ],
    }
    return PageProfile(**{**base, **fields})


def posts(
    count: int, *, every_days: float = 1.0, text: str = "Новость района"
) -> list[PostSummary]:
    return [
        PostSummary(
            platform=Platform.VK,
            page="1",
            id=str(i),
            text=text,
            date=NOW - timedelta(days=0.5 + i * every_days),
        )
        for i in range(count)
    ]


def snapshot(**fields: Any) -> PageSnapshot:
    base: dict[str, Any] = {
        "platform": Platform.VK,
        "page": "1",
        "captured_at": NOW,
        "days": 28,
        "profile": profile(),
        "verification": Verification(
            platform=Platform.VK, page="1", state=VerificationState.CONFIRMED, explanation="тест"
        ),
        "posts": posts(12, every_days=2.2),
        "comments": CommentStats(total=3, from_page=1, questions=1),
    }
    return PageSnapshot(**{**base, **fields})


def rule_ids(snap: PageSnapshot, policy: str = "federal") -> dict[str, Severity]:
    return {f.rule_id: f.severity for f in audit_page(snap, load_policy(policy))}


# -- contacts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Приёмная: +7 (38247) 2-11-00", ["+7 382 472-11-00"]),
        ("тел. 8 800 100-00-00", ["+7 800 100-00-00"]),
        ("8(3822)123456 доб. 12", ["+7 382 212-34-56 доб. 12"]),
        ("+7 913 123 45 67; 8-38247-21100", ["+7 913 123-45-67", "+7 382 472-11-00"]),
        ("звоните 2-11-00", []),  # no city code: not dialable from outside
    ],
)
def test_phones_in_every_notation(text: str, expected: list[str]) -> None:
    assert find_phones(text) == expected


def test_emails_addresses_and_sites() -> None:
    assert find_emails("Пишите: adm@ensk.tomsk.ru или Priemnaya@Mail.RU.") == [
        "adm@ensk.tomsk.ru",
        "priemnaya@mail.ru",
    ]
    assert find_addresses("636130, с. Мельниково, ул. Коммунистическая, д. 7")
    assert find_addresses("г. Томск, пр-т Ленина, 73")
    assert find_addresses("Без адреса, просто текст") == []
    hosted = classify_site("https://ensk.gosuslugi.ru")
    assert hosted.own_domain and hosted.hosting and "Госвеб" in hosted.hosting
    assert not classify_site("vk.com/adm").own_domain
    assert classify_site("http://www.admin-ensk.рф/").host == "admin-ensk.рф"


# -- policies -----------------------------------------------------------------------------


def test_presets_and_inheritance(tmp_path: Path) -> None:
    assert {load_policy(p).name for p in PRESETS} == set(PRESETS)
    tomsk = load_policy("tomsk")
    assert tomsk.frequency.posts_per_week == 2 and tomsk.reply.hours == 24  # from federal
    assert load_policy("yakutia").frequency.posts_per_week == 5
    mine = tmp_path / "district.toml"
    mine.write_text(
        'name = "district"\nextends = ["tomsk"]\n[reply]\nhours = 9\n', encoding="utf-8"
    )
    policy = load_policy(mine)
    assert (policy.frequency.posts_per_week, policy.reply.hours) == (2, 9)
    assert policy.severity["POL-FREQ"] is Severity.ERROR


def test_policy_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="предустановок"):
        load_policy("moscow")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[frequency]\nposts_per_week = "много"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"frequency\.posts_per_week"):
        load_policy(bad)
    loop = tmp_path / "loop.toml"
    loop.write_text(f'name = "loop"\nextends = ["{loop}"]\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="по кругу"):
        load_policy(loop)


def test_norm_by_category_and_kind() -> None:
    spb, nsk = load_policy("spb"), load_policy("novosibirsk")
    state = Organization(id="g", name="Г", kind=OrgKind.STATE_BODY, level=OrgLevel.REGION)
    town = Organization(id="t", name="Т", kind=OrgKind.LOCAL_GOVERNMENT, level=OrgLevel.DISTRICT)
    assert spb.posts_per_week_for(None, "визитка") == 0
    assert spb.posts_per_week_for(None, "флагманский") == 4
    assert (nsk.posts_per_week_for(state, None), nsk.posts_per_week_for(town, None)) == (10, 5)


# -- rules --------------------------------------------------------------------------------


def test_an_exemplary_page_has_nothing_to_fix() -> None:
    assert rule_ids(snapshot(), "tomsk") == {}


def test_missing_contacts_are_named() -> None:
    findings = audit_page(
        snapshot(profile=profile(description="Группа администрации")), load_policy("federal")
    )
    content = next(f for f in findings if f.rule_id == "FZ8-13-CONTENT")
    assert content.data["missing"] == ["phone", "email", "address", "site"]
    assert content.severity is Severity.WARNING and content.source.startswith("8-ФЗ")


def test_contacts_from_the_structured_block_count() -> None:
    prof = profile(
        description="",
        phones=["8 (38247) 2-11-00"],
        emails=["a@b.ru"],
        addresses=["ул. Ленина, 7"],
        site="https://ensk.ru",
    )
    assert "FZ8-13-CONTENT" not in rule_ids(snapshot(profile=prof))


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (VerificationState.CONFIRMED, None),
        (VerificationState.NOT_CONFIRMED, Severity.WARNING),
        (VerificationState.UNKNOWN, Severity.INFO),
    ],
)
def test_mark(state: VerificationState, expected: Severity | None) -> None:
    verification = Verification(platform=Platform.VK, page="1", state=state, explanation="т")
    assert rule_ids(snapshot(verification=verification)).get("VERIFY-1") == expected


def test_feedback_widgets_unknown_is_not_absent() -> None:
    assert rule_ids(snapshot(profile=profile(feedback_widgets=None)))["POS-1"] is Severity.INFO
    assert rule_ids(snapshot(profile=profile(feedback_widgets=[])))["POS-1"] is Severity.WARNING


def test_frequency_and_silence() -> None:
    assert rule_ids(snapshot(posts=posts(4, every_days=7)), "tomsk")["POL-FREQ"] is Severity.ERROR
    assert "POL-FREQ" not in rule_ids(snapshot(posts=posts(4, every_days=7)), "federal")
    old = [p.model_copy(update={"date": NOW - timedelta(days=40)}) for p in posts(2)]
    assert "POL-MISSING" in rule_ids(snapshot(posts=old, days=60))
    assert "POL-MISSING" in rule_ids(snapshot(posts=[], days=60))


def test_unanswered_questions_past_the_policy_hours() -> None:
    stats = CommentStats(
        total=2,
        questions=2,
        unanswered=[
            {"id": "5", "hours": 30.0, "text": "Когда дадут воду?"},
            {"id": "6", "hours": 3.0, "text": "А где справка?"},
        ],
    )
    findings = audit_page(snapshot(comments=stats), load_policy("federal"))
    reply = next(f for f in findings if f.rule_id == "POL-REPLY")
    assert reply.data == {"unanswered": 1, "oldest_hours": 30.0}
    assert "POL-REPLY" in rule_ids(snapshot(comments=stats), "yakutia")


def test_big_page_without_rkn_note() -> None:
    assert "303-10K" in rule_ids(snapshot(profile=profile(members_count=15000)))
    noted = profile(
        members_count=15000, description=profile().description + " Запись в перечне РКН № 4950001"
    )
    assert "303-10K" not in rule_ids(snapshot(profile=noted))


def test_posts_with_problems() -> None:
    texts = {
        "38-ADV": "Скидки 50% в магазине «Уют»! Промокод ДВОР",
        "152-PD": "Потерялась собака, звоните хозяйке: +7 913 555-12-34",
        "META": "Подписывайтесь на нас в instagram.com/ensk",
        "LANG-53": "Welcome to the official page of the district administration of Ensk",
        "149-10.6": "Закладки с солью — пиши в лс",
    }
    for rule_id, text in texts.items():
        found = rule_ids(snapshot(posts=posts(12, every_days=2.2, text=text)))
        assert rule_id in found, rule_id
    assert "38-ADV" not in rule_ids(
        snapshot(posts=posts(12, every_days=2.2, text="Реклама. ООО «Уют», erid: 2Vtz"))
    )


def test_b_status_rules_are_never_errors() -> None:
    assert RULES["152-PD"].status is RuleStatus.B
    policy = load_policy("federal", severity={"152-PD": "error", "POS-1": "error"})
    snap = snapshot(
        posts=posts(12, every_days=2.2, text="Звоните: +7 913 555-12-34"),
        profile=profile(feedback_widgets=[]),
    )
    severities = {f.rule_id: f.severity for f in audit_page(snap, policy)}
    assert severities["152-PD"] is Severity.WARNING and severities["POS-1"] is Severity.WARNING


def test_telegram_rules() -> None:
    tg = snapshot(platform=Platform.TELEGRAM, comments=CommentStats(total=4, from_page=2))
    found = rule_ids(tg)
    assert found["R2523-TG"] is Severity.INFO and found["41FZ-MSG"] is Severity.WARNING
    assert "VERIFY-1" not in found  # Telegram's own check is not the Gosuslugi mark


def test_a_failed_capture_is_one_finding() -> None:
    failed = PageSnapshot(platform=Platform.VK, page="1", error="AuthError: ключ отозван")
    [finding] = audit_page(failed)
    assert finding.rule_id == "GP-UNAVAILABLE" and finding.severity is Severity.ERROR
    assert "отозван" in finding.evidence


def test_disabled_rules_are_skipped() -> None:
    policy = load_policy("federal", disabled=["FZ8-13-CONTENT"])
    assert not [
        f
        for f in audit_page(snapshot(profile=profile(description="")), policy)
        if f.rule_id == "FZ8-13-CONTENT"
    ]


def test_every_rule_is_documented() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule_id in [
        *RULES,
        "FZ8-10-OP",
        "FZ8-13-LIST",
        "GP-UNAVAILABLE",
        "GP-DEACTIVATED",
        "GP-COMMENTS",
        "GP-LIMITS",
    ]:
        assert f"`{rule_id}`" in doc, rule_id


# -- scores and post checks ---------------------------------------------------------------


def test_traffic_light() -> None:
    score = traffic_light(snapshot())
    assert score is not None
    assert score.parts == {"mark": 10, "design": 20, "widgets": 10, "activity": 30}
    assert score.total == 100 and score.color == "green"
    assert set(score.unknown) == {"gospubliki", "reach_week", "reach_post"}
    quiet = traffic_light(
        snapshot(posts=posts(1), profile=profile(cover_url=None, feedback_widgets=None))
    )
    assert quiet is not None
    assert quiet.parts["activity"] == 10 and quiet.parts["design"] == 10
    assert "widgets" in quiet.unknown and quiet.total == pytest.approx(100 * 30 / 60, abs=0.1)


def test_check_post() -> None:
    clean = check_post(Post(text="Приём граждан в четверг с 10:00"))
    assert clean == []
    risky = check_post(
        Post(
            text="Скидки! Звоните +7 913 555-12-34, instagram.com/x",
            attachments=[Link(url="https://a.ru"), Link(url="https://b.ru")],
        )
    )
    assert {f.rule_id for f in risky} == {"38-ADV", "152-PD", "META", "GP-LIMITS"}
    long = check_post(Post(text="а" * 5000), platforms=[Platform.TELEGRAM])
    assert [f.rule_id for f in long] == ["GP-LIMITS"] and "4096" in long[0].evidence


# -- fleet audit --------------------------------------------------------------------------


def fast_open(region: Any) -> Any:
    def open_ref(ref: Any) -> Any:
        options: dict[str, Any] = {}
        if ref.platform is Platform.VK:
            options = {"limits": VKLimits(user=1000, service=1000)}
        elif ref.platform is Platform.OK:
            options = {"requests_per_second": 1000}
        return region.open_ref(ref, **options)

    return open_ref


def test_fleet_audit_finds_the_faults_the_region_was_built_with(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    region = build_region(seed=2, vk_rate_limits=False, now=now.timestamp())
    seen: list[tuple[int, int]] = []
    history = AuditHistory(tmp_path / "audits.sqlite")
    report = asyncio.run(
        audit_registry(
            region.registry,
            fast_open(region),
            "tomsk",
            now=now,
            history=history,
            progress=lambda done, total, what: seen.append((done, total)),
        )
    )
    pages = len(region.registry.pages())
    assert len(report.pages) == pages and seen[-1] == (pages, pages)
    by_org: dict[str, set[str]] = {}
    for audit in report.pages:
        by_org.setdefault(audit.org.id, set()).update(f.rule_id for f in audit.findings)  # type: ignore[union-attr]
    assert [f.org_id for f in report.findings] == ["ensk.kamenka"]  # the settlement without a page
    assert "POL-MISSING" in by_org["ensk.berezovka"]  # silent for 30 days
    assert "FZ8-13-CONTENT" in by_org["zarechny.ozernoe"]  # no contacts
    assert "VERIFY-1" in by_org["zarechny.sosnovka"]  # mark: no
    assert "POL-FREQ" in by_org["ensk.library"]  # half a post a week
    assert "POL-MISSING" not in by_org["ensk"]
    assert history.previous("tomsk@2023-02") is not None and report.previous is None
    again = asyncio.run(
        audit_registry(region.registry, fast_open(region), "tomsk", history=history)
    )
    assert again.previous is not None and again.previous["policy"] == "tomsk@2023-02"
    assert len(history.runs()) == 2


def test_a_failing_page_does_not_stop_the_audit() -> None:
    region = build_region(seed=2, vk_rate_limits=False, telegram=False)
    region.ok.tokens.clear()  # OK key revoked
    report = asyncio.run(audit_registry(region.registry, fast_open(region), "federal"))
    broken = [a for a in report.pages if a.ref and a.ref.platform is Platform.OK]
    assert broken and all(a.findings[0].rule_id == "GP-UNAVAILABLE" for a in broken)
    assert all(a.snapshot.error for a in broken)
    fine = [a for a in report.pages if a.ref and a.ref.platform is Platform.VK]
    assert all(a.snapshot.error is None for a in fine)
    assert "ok-access-token" not in str(report.model_dump())


def test_site_lists_pages() -> None:
    from gospages.registry import PageRef
    from gospages.requirements import site_lists_pages

    refs = [
        PageRef(platform=Platform.VK, page="club200001"),
        PageRef(platform=Platform.OK, page="54000000000001"),
        PageRef(platform=Platform.TELEGRAM, page="@ensk_adm"),
    ]
    html = (
        '<a href="https://vk.com/club200001">ВК</a> <a href="https://ok.ru/group/54000000000001">'
        "OK</a>"
    )
    assert site_lists_pages(html, refs) == [refs[2]]
    assert site_lists_pages(html + '<a href="https://t.me/ensk_adm">TG</a>', refs) == []
    assert site_lists_pages("vk.com/club2000011", refs[:1]) == refs[:1]  # another page


def test_fleet_audit_checks_the_official_sites() -> None:
    import httpx

    region = build_region(seed=2, vk_rate_limits=False, telegram=False)
    listed = region.registry.get("region").pages
    html = "".join(f'<a href="{p.url}">{p.platform.label}</a>' for p in listed)
    served: list[str] = []

    def site(request: httpx.Request) -> httpx.Response:
        served.append(str(request.url))
        return httpx.Response(200, text=f"<html><body>{html}</body></html>")

    async def public(host: str) -> list[str]:
        return ["95.163.0.1"]  # a public address, without DNS

    async def go() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(site)) as client:
            return await audit_registry(
                region.registry,
                fast_open(region),
                "federal",
                check_sites=True,
                site_client=client,
                site_resolver=public,
            )

    report = asyncio.run(go())
    listing = {f.org_id: f for f in report.findings if f.rule_id == "FZ8-13-LIST"}
    assert "region" not in listing  # its pages are on the site
    assert listing["ensk"].severity is Severity.WARNING  # B-status: never an error
    assert set(listing["ensk"].data["missing"]) == {
        f"{p.platform.value}:{p.page}" for p in region.registry.get("ensk").pages
    }
    assert served and all(u.startswith("https://ensk.gosuslugi.ru") for u in served)


def test_org_rules_follow_the_policy() -> None:
    from gospages.registry import PageRef
    from gospages.requirements import missing_pages, site_lists_pages

    region = build_region(seed=2, vk_rate_limits=False, telegram=False)
    assert missing_pages(region.registry, load_policy("federal", disabled=["FZ8-10-OP"])) == []
    softer = missing_pages(
        region.registry, load_policy("federal", severity={"FZ8-10-OP": "warning"})
    )
    assert [f.severity for f in softer] == [Severity.WARNING]
    club1 = PageRef(platform=Platform.VK, page="club1", url="https://vk.com/club1")
    assert site_lists_pages('<a href="https://vk.com/club12">', [club1]) == [club1]
    with pytest.raises(ValidationError, match="одного дня"):
        asyncio.run(audit_registry(region.registry, fast_open(region), days=0))
