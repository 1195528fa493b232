"""Checks that judge people's text: requisites are not phones; channels get no traffic light."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gospages import Platform, describe
from gospages._models import PageProfile
from gospages.reports import SHEET_TSUR, render_html, render_markdown, write_xlsx
from gospages.reports._summary import view
from gospages.requirements import AuditReport, audit_registry, traffic_light
from gospages.requirements._contacts import find_phones, profile_contacts
from gospages.requirements._model import PageSnapshot
from gospages.requirements._rules import personal_data_problems
from gospages.testing import build_region

MOBILE = "+7 913 555-12-34"


@pytest.mark.parametrize(
    "text",
    [
        "Реклама. ООО «Ромашка», ИНН 7024000000",
        "ИНН/КПП 7024000000/702401001",
        "ИНН: 701700000000",
        "ОГРН 1027000000000, КПП 702401001, БИК 046902606, ОКПО 9135551234",
        "ОКТМО 69701000",
        "р/с 40702810000000000000, к/с: 30101810500000000606",
        "л/с 9135551234",
        "Лицевой счёт № 9135551234",
        "счёт 9135551234",
        "дело № А67-9135551234/2023",
        "Договор № 9135551234 от 01.02.2023",
    ],
)
def test_requisites_are_not_mobile_numbers(text: str) -> None:
    assert personal_data_problems(text) == []
    assert find_phones(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Реклама. ООО «Ромашка», ИНН 7024000000, звоните 8 913 555-12-34",
        "ИНН 7024000000 тел. +7 913 555-12-34",
        "Договор № 7024000000; заявки: 8-913-555-12-34",
        "решение суда: 89135551234",
        "р/с 40702810000000000000 Телефон 8 (913) 555-12-34",
    ],
)
def test_a_real_mobile_next_to_requisites_is_still_found(text: str) -> None:
    assert personal_data_problems(text) == [f"мобильные номера: {MOBILE}"]


def test_profile_contacts_do_not_take_an_inn_for_a_phone() -> None:
    profile = PageProfile(
        platform=Platform.VK,
        id="1",
        name="МКУ",
        description="МКУ «Ромашка», ИНН 7024000000. Приёмная: +7 (38247) 2-11-00",
    )
    assert profile_contacts(profile).phones == ["+7 382 472-11-00"]


# -- the traffic light --------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> AuditReport:
    pytest.importorskip("telethon")
    region = build_region(seed=0, telegram=True, vk_rate_limits=False)
    return asyncio.run(audit_registry(region.registry, region.opener(), "federal"))


def test_channels_get_no_traffic_light(report: AuditReport) -> None:
    channels = [a for a in report.pages if a.snapshot.platform is Platform.TELEGRAM]
    official = [a for a in report.pages if describe(a.snapshot.platform).official]
    assert channels and official
    assert all(a.score is None for a in channels)
    assert all(a.score is not None for a in official if a.snapshot.error is None)


def test_traffic_light_of_a_channel_snapshot_is_none() -> None:
    now = datetime(2024, 5, 1, tzinfo=timezone.utc)
    snap = PageSnapshot(platform=Platform.TELEGRAM, page="ch", captured_at=now, days=28)
    assert traffic_light(snap) is None
    assert traffic_light(snap.model_copy(update={"platform": Platform.VK})) is not None


def test_region_colours_count_official_pages_only(report: AuditReport, tmp_path: Path) -> None:
    v = view(report)
    official = [r for r in v.rows if describe(r.platform).official]
    assert len(official) < len(v.rows)  # the region has channels
    assert sum(v.colors.values()) == len(official)
    unscored = sum(1 for r in official if r.score is None)
    assert v.colors["none"] == unscored  # channels are not "no score" pages
    html = render_html(report)
    assert html.count("не оценивается: не официальная страница") == len(v.rows) - len(official)
    assert "не оценивается" in render_markdown(report)
    write_xlsx(report, tmp_path / "r.xlsx")  # copes with None
    rows = list(load_workbook(tmp_path / "r.xlsx")[SHEET_TSUR].iter_rows(values_only=True))
    # A row per page, then one per organisation without pages (marked «страниц нет»).
    assert len(rows) == 1 + len(v.rows) + len(v.without_pages)
