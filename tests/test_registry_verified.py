"""The «Госорганизация» mark recorded in the registry (`PageRef.verified`): read and
written by every format, and used by platforms whose API cannot report it (MAX)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gospages import Platform, Settings, VerificationState, describe, open_page
from gospages.registry import (
    PageRef,
    RegistryError,
    load_registry,
    registry_from_rows,
    registry_to_rows,
    save_registry,
)
from gospages.testing import sample_max

_MARK = "Отметка «Госорганизация»"


def _row(link: str, mark: object, org: str = "o1") -> dict[str, object]:
    return {
        "id": org,
        "название": "Администрация",
        "вид": "ОМСУ",
        "уровень": "район",
        "ссылка": link,
        _MARK: mark,
    }


def _marks(registry: object) -> dict[str, bool | None]:
    return {ref.page: ref.verified for _, ref in registry.pages()}  # type: ignore[attr-defined]


def test_cells_read_as_yes_no_or_unknown() -> None:
    rows = [
        _row("https://max.ru/adm_a", "да", "a"),
        _row("https://max.ru/adm_b", "нет", "b"),  # «нет» is an answer here, not a blank
        _row("https://max.ru/adm_c", "", "c"),
        _row("https://max.ru/adm_d", "—", "d"),
        _row("https://vk.com/adm_e", True, "e"),  # XLSX booleans
        _row("https://vk.com/adm_f", False, "f"),
    ]
    registry = registry_from_rows(rows, source="тест")
    assert _marks(registry) == {
        "adm_a": True,
        "adm_b": False,
        "adm_c": None,
        "adm_d": None,
        "adm_e": True,
        "adm_f": False,
    }


@pytest.mark.parametrize("header", [_MARK, "Госорганизация", "verified", "Отметка"])
def test_headers_people_write(header: str) -> None:
    row = _row("https://max.ru/adm_a", "да")
    row[header] = row.pop(_MARK)
    assert _marks(registry_from_rows([row], source="тест")) == {"adm_a": True}


def test_a_wrong_value_is_a_problem_with_its_cell() -> None:
    with pytest.raises(RegistryError, match="ожидается «да», «нет»") as caught:
        registry_from_rows([_row("https://max.ru/adm_a", "может быть")], source="тест")
    assert _MARK in str(caught.value)
    with pytest.raises(RegistryError, match="отметка указана, а страницы нет"):
        registry_from_rows([_row("", "да")], source="тест")


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".xlsx"])
def test_every_format_round_trips_the_mark(tmp_path: Path, suffix: str) -> None:
    rows = [
        _row("https://max.ru/adm_a", "да", "a"),
        _row("https://max.ru/adm_b", "нет", "b"),
        _row("https://vk.com/adm_c", "", "c"),
    ]
    registry = registry_from_rows(rows, source="тест")
    path = tmp_path / f"registry{suffix}"
    save_registry(registry, path)
    again = load_registry(path)
    assert again == registry
    assert _marks(again) == {"adm_a": True, "adm_b": False, "adm_c": None}
    if suffix == ".yaml":
        text = path.read_text(encoding="utf-8")
        assert "verified: true" in text and "verified: false" in text


def test_tables_have_no_mark_column_when_nothing_is_recorded() -> None:
    registry = registry_from_rows([_row("https://max.ru/adm_a", "")], source="тест")
    [row] = registry_to_rows(registry)
    assert _MARK not in row
    marked = registry_from_rows([_row("https://max.ru/adm_a", "да")], source="тест")
    assert registry_to_rows(marked)[0][_MARK] == "да"


def test_yaml_reads_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "organizations:\n"
        "  - id: a\n    name: Администрация\n    kind: local_government\n"
        "    level: district\n    pages:\n"
        "      - {platform: max, page: adm_ensk, verified: true}\n"
        "      - {platform: vk, page: adm_ensk, verified: нет}\n",
        encoding="utf-8",
    )
    pages = [(ref.platform, ref.verified) for _, ref in load_registry(path).pages()]
    assert pages == [(Platform.MAX, True), (Platform.VK, False)]


# -- platforms whose API cannot report the mark ---------------------------------------


def test_only_max_takes_the_mark_from_the_registry() -> None:
    assert [p for p in Platform if describe(p).verification_from_registry] == [Platform.MAX]


@pytest.mark.parametrize(
    ("recorded", "state"),
    [
        (True, VerificationState.CONFIRMED),
        (False, VerificationState.NOT_CONFIRMED),
        (None, VerificationState.UNKNOWN),
    ],
)
async def test_a_max_channel_opened_from_the_registry_answers_from_it(
    recorded: bool | None, state: VerificationState
) -> None:
    sandbox = sample_max()
    ref = PageRef(platform="max", page=sandbox.name, verified=recorded)
    settings = Settings.only(max_token=sandbox.token)
    async with open_page(ref, settings, connection=sandbox.fake.client()) as page:
        verification = await page.verification()
    assert verification.state is state
    if recorded is None:
        assert "запишите в реестр" in verification.explanation
    else:
        assert "по записи реестра" in verification.explanation
        assert verification.marks == {"registry": recorded}
    assert sandbox.fake.calls == []  # the mark costs no request
