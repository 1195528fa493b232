"""The region scenario: a registry and three sandboxes with known faults."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from gospages import Platform, VerificationState
from gospages.registry import OrgLevel, Registry
from gospages.testing import COMMENT_KINDS, build_region
from gospages.vk import VKLimits

NOW = 1_795_000_000.0  # a fixed moment: the scenario is the same on every run


@pytest.fixture(scope="module")
def region():  # type: ignore[no-untyped-def]
    return build_region(seed=3, now=NOW, vk_rate_limits=False)


def test_same_seed_same_region() -> None:
    a = build_region(seed=5, now=NOW, vk_rate_limits=False)
    b = build_region(seed=5, now=NOW, vk_rate_limits=False)
    c = build_region(seed=6, now=NOW, vk_rate_limits=False)
    assert a.registry == b.registry
    assert a.comment_kinds == b.comment_kinds
    assert a.comment_kinds != c.comment_kinds


def test_registry_shape(region) -> None:  # type: ignore[no-untyped-def]
    registry: Registry = region.registry
    levels = {
        level: sum(1 for o in registry.organizations if o.level is level) for level in OrgLevel
    }
    assert levels == {
        OrgLevel.REGION: 1,
        OrgLevel.DISTRICT: 2,
        OrgLevel.SETTLEMENT: 6,
        OrgLevel.INSTITUTION: 4,
    }
    assert [o.id for o in registry.without_pages()] == ["ensk.kamenka"]
    depths = [depth for depth, _ in registry.walk()]
    assert depths[0] == 0 and max(depths) == 2 and len(depths) == len(registry)
    assert {p.platform for _, p in registry.pages()} == set(Platform)


def test_every_comment_kind_is_present(region) -> None:  # type: ignore[no-untyped-def]
    assert set(region.comment_kinds.values()) == set(COMMENT_KINDS)


async def test_ground_truth_is_what_the_pages_show(region) -> None:  # type: ignore[no-untyped-def]
    now = datetime.fromtimestamp(NOW, tz=timezone.utc)
    for (org_id, platform), setup in region.setups.items():
        options = {"limits": VKLimits(user=1000, service=1000)} if platform is Platform.VK else {}
        if platform is Platform.OK:
            options = {"requests_per_second": 1000}
        async with region.open(org_id, platform, **options) as page:
            newest = [p async for p in page.posts()][:1]
            profile = await page.profile()
            verification = await page.verification()
        if setup.silent_days:
            assert newest and newest[0].date < now - timedelta(days=setup.silent_days - 1)
        if platform is Platform.VK:
            assert bool(profile.phones) is setup.contacts, org_id
            assert profile.comments_open is setup.comments_open, org_id
            expected = {
                True: VerificationState.CONFIRMED,
                False: VerificationState.NOT_CONFIRMED,
                None: VerificationState.UNKNOWN,
            }[setup.mark]
            assert verification.state is expected, org_id


async def test_comments_are_readable_with_their_kinds(region) -> None:  # type: ignore[no-untyped-def]
    org = region.registry.get("ensk")
    ref = org.page_on(Platform.VK)
    async with region.open_ref(ref, limits=VKLimits(user=1000, service=1000)) as page:
        comments = [c async for c in page.comments()]
    citizens = [c for c in comments if not c.from_page]
    kinds = [region.comment_kinds[(Platform.VK, c.page, c.id)] for c in citizens]
    assert citizens and all(k in COMMENT_KINDS for k in kinds)
    answers = [c for c in comments if c.from_page]
    assert answers and all(a.parent_id in {c.id for c in citizens} for a in answers)


def test_registry_refuses_inconsistency() -> None:
    from pydantic import ValidationError

    from gospages.registry import Organization, OrgKind

    a = Organization(id="a", name="A", kind=OrgKind.LOCAL_GOVERNMENT, level=OrgLevel.DISTRICT)
    with pytest.raises(ValidationError, match="дважды"):
        Registry(organizations=[a, a])
    orphan = Organization(
        id="b", name="B", kind=OrgKind.SUBORDINATE, level=OrgLevel.INSTITUTION, parent="nobody"
    )
    with pytest.raises(ValidationError, match="родитель"):
        Registry(organizations=[orphan])
