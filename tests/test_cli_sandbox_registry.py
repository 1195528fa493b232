"""`gospages audit/moderate FILE --sandbox`: your own registry on the sandbox; without keys,
no report that looks real (issue 11)."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from gospages import Platform
from gospages.cli import main
from gospages.registry import Organization, OrgKind, OrgLevel, PageRef, Registry
from gospages.reports import AuditHistory
from gospages.testing import Scenario, sandbox_for
from gospages.testing import _scenario as scenario_module

NAMES = (
    "Администрация Усть-Удинского района",
    "Дума Усть-Удинского района",
    "Администрация Балаганкинского сельского поселения",
    "Администрация Новоудинского сельского поселения",
)
#: The rows of a district's registry as a municipality keeps it in Excel.
ROWS = (
    ("ustuda", NAMES[0], "ОМСУ", "район", "", "vk", "ust_uda_adm", ""),
    ("ustuda", NAMES[0], "ОМСУ", "район", "", "ok", "70000000000123", ""),
    ("ustuda", NAMES[0], "ОМСУ", "район", "", "telegram", "@ustuda_adm", ""),
    ("duma", NAMES[1], "ОМСУ", "район", "ustuda", "vk", "club123456", ""),
    ("balaganka", NAMES[2], "ОМСУ", "поселение", "ustuda", "vk", "", "https://vk.com/balaganka"),
    ("novoudinsk", NAMES[3], "ОМСУ", "поселение", "ustuda", "ok", "70000000000555", ""),
)


@pytest.fixture
def registry_xlsx(tmp_path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("id", "название", "вид", "уровень", "родитель", "площадка", "страница", "ссылка"))
    for row in ROWS:
        sheet.append(row)
    path = tmp_path / "реестр.xlsx"
    book.save(path)
    return path


@pytest.fixture
def no_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No GOSPAGES_* variable and no .env: a newcomer's machine."""
    for name in list(os.environ):
        if name.startswith("GOSPAGES_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_audit_sandbox_shows_your_own_organisations(
    registry_xlsx: Path, tmp_path: Path, no_keys: None, capsys: pytest.CaptureFixture[str]
) -> None:
    html, xlsx, md = tmp_path / "out.html", tmp_path / "out.xlsx", tmp_path / "out.md"
    outputs = ["--html", str(html), "--xlsx", str(xlsx), "--md", str(md)]
    code = main(["audit", str(registry_xlsx), "--sandbox", *outputs])
    out = capsys.readouterr().out
    assert code == 0
    assert "песочница: страницы из вашего реестра" in out.lower()
    assert "выдуманными записями" in out and "Энск" not in out
    page = html.read_text(encoding="utf-8")
    for name in NAMES:
        assert name in page
    assert "Энская" not in page and "Энск" not in page
    # Nobody takes it for a real audit: the title and the top of the page say so.
    assert "<title>ПЕСОЧНИЦА" in page and "выдуманными записями" in page
    assert page.index("выдуманными записями") < page.index("<h1>")
    book = load_workbook(xlsx)
    assert book.properties.title is not None and "ПЕСОЧНИЦА" in book.properties.title
    assert "ПЕСОЧНИЦА" in book.sheetnames
    cells = [str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r if c.value]
    assert any(NAMES[1] in c for c in cells)
    assert "выдуманными записями" in md.read_text(encoding="utf-8").splitlines()[2]
    # Invented content, real shape: subscribers on every network, not zeros.
    for network in ("ВКонтакте", "Одноклассники", "Telegram"):
        match = re.search(rf"<title>{network}: (\d)", page)
        assert match is not None and match.group(1) != "0", network


def test_audit_sandbox_is_the_same_every_time(
    registry_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = []
    for run in range(2):
        out = tmp_path / f"{run}.md"
        assert main(["audit", str(registry_xlsx), "--sandbox", "--md", str(out)]) == 0
        pages.append(out.read_text(encoding="utf-8").split("\n", 4)[4])
    capsys.readouterr()
    assert pages[0] == pages[1]


def test_audit_without_keys_writes_no_report(
    registry_xlsx: Path, tmp_path: Path, no_keys: None, capsys: pytest.CaptureFixture[str]
) -> None:
    html, xlsx, history = tmp_path / "out.html", tmp_path / "out.xlsx", tmp_path / "h.sqlite"
    outputs = ["--html", str(html), "--xlsx", str(xlsx), "--history", str(history)]
    code = main(["audit", str(registry_xlsx), *outputs])
    out = capsys.readouterr().out
    assert code != 0
    assert not html.exists() and not xlsx.exists()
    assert AuditHistory(history).previous() is None  # no run of zeros in the trend either
    assert "не прочитана ни одна страница" in out and "отчёт не записан" in out
    for variable in (
        "GOSPAGES_VK_USER_TOKEN",
        "GOSPAGES_VK_SERVICE_TOKEN",
        "GOSPAGES_OK_APPLICATION_KEY",
        "GOSPAGES_OK_APPLICATION_SECRET_KEY",
        "GOSPAGES_OK_ACCESS_TOKEN",
        "GOSPAGES_TG_API_ID",
        "GOSPAGES_TG_API_HASH",
        "GOSPAGES_TG_SESSION",
    ):
        assert variable in out
    for docs in ("vk-tokens.md", "ok.md", "telegram.md", ".env"):
        assert docs in out
    assert "--sandbox" in out
    # No fake table of zeros and no Python parameter names.
    assert "Итого" not in out and "user_token" not in out


def test_moderate_without_keys_refuses(
    registry_xlsx: Path, tmp_path: Path, no_keys: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["moderate", str(registry_xlsx), "--db", str(tmp_path / "m.sqlite")])
    out = capsys.readouterr().out
    assert code != 0
    assert "не прочитана ни одна страница" in out and "GOSPAGES_VK_USER_TOKEN" in out
    assert "Удалить:" not in out


def test_moderate_sandbox_on_your_registry(
    registry_xlsx: Path, tmp_path: Path, no_keys: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["moderate", str(registry_xlsx), "--sandbox", "--db", str(tmp_path / "m.sqlite")])
    out = capsys.readouterr().out
    assert code == 0
    assert "выдуманными записями" in out and "Удалить:" in out
    assert "ust_uda_adm" in out or "club123456" in out or "70000000000123" in out
    assert "Энск" not in out


def test_a_page_the_sandbox_cannot_make_fails_alone(
    registry_xlsx: Path,
    tmp_path: Path,
    no_keys: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # As without Telethon: the channel is not made, the other pages are, the report is written.
    monkeypatch.setattr(scenario_module, "_telegram", lambda clock: None)
    html = tmp_path / "out.html"
    assert main(["audit", str(registry_xlsx), "--sandbox", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert "Не создана в песочнице: Telegram @ustuda_adm" in out
    assert html.exists() and NAMES[3] in html.read_text(encoding="utf-8")


# -- Scenario.from_registry --------------------------------------------------------------------


def _registry(pages: int = 8) -> Registry:
    orgs = [
        Organization(
            id="district",
            name="Администрация района",
            kind=OrgKind.LOCAL_GOVERNMENT,
            level=OrgLevel.DISTRICT,
            pages=[
                PageRef(platform=Platform.VK, page="adm_rayon"),
                PageRef(platform=Platform.OK, page="70000000000001"),
                PageRef(platform=Platform.TELEGRAM, page="https://t.me/adm_rayon"),
            ],
        )
    ]
    for n in range(pages - 3):
        orgs.append(
            Organization(
                id=f"s{n}",
                name=f"Администрация поселения № {n}",
                kind=OrgKind.LOCAL_GOVERNMENT,
                level=OrgLevel.SETTLEMENT,
                parent="district",
                # A numeric id next to the ids the sandbox gives screen names.
                pages=[PageRef(platform=Platform.VK, page=f"club{200001 + n}")],
            )
        )
    return Registry(organizations=orgs)


def test_from_registry_makes_every_page_under_its_own_name() -> None:
    registry = _registry()
    scenario = Scenario.from_registry(registry, seed=4, now=1_780_000_000)

    async def names() -> dict[str, str]:
        found = {}
        async with scenario.opener() as open_page:
            for _org, ref in registry.pages():
                async with open_page(ref) as page:
                    found[f"{ref.platform.value}:{ref.page}"] = (await page.profile()).name
                    assert [post async for post in page.posts()], ref
        return found

    names_seen = asyncio.run(names())
    assert names_seen == {
        f"{ref.platform.value}:{ref.page}": org.name for org, ref in registry.pages()
    }
    assert scenario.registry is registry and not scenario.skipped
    assert len(scenario.vk.groups) == 6  # the screen name got an id of its own
    setups = list(scenario.setups.values())
    good = [
        s for s in setups if s.silent_days == 0 and s.contacts and s.comments_open and s.answers
    ]
    assert good and len(good) < len(setups)  # some pages compliant, some not
    kinds = set(scenario.comment_kinds.values())
    assert {"question", "spam", "thanks"} <= kinds


def test_from_registry_is_deterministic_per_seed() -> None:
    registry = _registry()

    def fingerprint(seed: int) -> object:
        s = sandbox_for(registry, seed=seed, now=1_780_000_000)
        posts = {g: [(p.text, p.date) for p in grp.posts] for g, grp in s.vk.groups.items()}
        return sorted(map(repr, s.setups.items())), posts, sorted(s.comment_kinds.items())

    assert fingerprint(1) == fingerprint(1)
    assert fingerprint(1) != fingerprint(2)


def test_from_registry_skips_what_it_cannot_make_and_shares_pages() -> None:
    shared = PageRef(platform=Platform.VK, page="club777")
    registry = Registry(
        organizations=[
            Organization(
                id="a",
                name="Администрация",
                kind=OrgKind.LOCAL_GOVERNMENT,
                level=OrgLevel.DISTRICT,
                pages=[shared, PageRef(platform=Platform.OK, page="adm.ok")],
            ),
            Organization(
                id="b",
                name="Дума",
                kind=OrgKind.LOCAL_GOVERNMENT,
                level=OrgLevel.DISTRICT,
                pages=[PageRef(platform=Platform.VK, page="777")],
            ),
        ]
    )
    scenario = Scenario.from_registry(registry, telegram=False)
    assert list(scenario.vk.groups) == [777]  # one page for two spellings of it
    assert [ref.page for ref, _ in scenario.skipped] == ["adm.ok"]
    assert "Одноклассников" in scenario.skipped[0][1]


def test_a_column_gospages_does_not_use_is_said_in_russian(
    tmp_path: Path, no_keys: None, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    header = ("id", "название", "вид", "уровень", "родитель", "площадка", "страница", "ссылка")
    sheet.append((*header, "Ответственный"))
    for row in ROWS:
        sheet.append((*row, "Иванова И. И."))
    path = tmp_path / "с_лишним_столбцом.xlsx"
    book.save(path)
    assert main(["audit", str(path), "--sandbox", "--md", str(tmp_path / "out.md")]) == 0
    captured = capsys.readouterr()
    assert "Реестр:" in captured.out and "Ответственный" in captured.out
    assert "RegistryWarning" not in captured.out + captured.err
