"""Platform descriptors, settings and the page factory: one home per platform."""

from __future__ import annotations

import enum
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from gospages import (
    OfficialPage,
    OpenContext,
    PageFactory,
    Platform,
    PlatformKind,
    Post,
    Settings,
    ValidationError,
    describe,
    official_platforms,
    open_page,
)
from gospages.registry import PageRef, registry_from_rows
from gospages.requirements import check_post
from gospages.testing import build_region

SRC = Path(__file__).resolve().parents[1] / "src" / "gospages"


def descriptor_problems(platforms: Iterable[Platform]) -> list[str]:
    """Everything a platform must declare, checked for each of ``platforms``."""
    problems: list[str] = []
    for platform in platforms:
        try:
            d = describe(platform)
        except LookupError as error:
            problems.append(f"{platform!r}: {error}")
            continue
        for name in ("label", "short", "where", "page_hint", "example", "url_prefix"):
            if not getattr(d, name):
                problems.append(f"{platform.value}: empty {name}")
        if not d.hosts or not d.aliases:
            problems.append(f"{platform.value}: no hosts or aliases")
        if not d.page_pattern.fullmatch(d.example):
            problems.append(f"{platform.value}: the example does not match the page pattern")
        try:
            backend = d.backend_class()
            opener = d.opener_function()
        except (ImportError, AttributeError) as error:
            problems.append(f"{platform.value}: backend or opener: {error}")
            continue
        if not (isinstance(backend, type) and issubclass(backend, OfficialPage)):
            problems.append(f"{platform.value}: {d.backend} is not an OfficialPage")
        elif backend.platform is not platform:
            problems.append(f"{platform.value}: {d.backend}.platform is {backend.platform}")
        if not callable(opener):
            problems.append(f"{platform.value}: {d.opener} is not callable")
    return problems


def test_every_platform_has_a_complete_descriptor_and_an_opener() -> None:
    assert descriptor_problems(Platform) == []


def test_a_platform_without_a_descriptor_fails_the_check() -> None:
    # What adding a member to Platform without its descriptor looks like.
    extended = enum.Enum("Extended", {"MAX": "max"})  # type: ignore[misc]
    problems = descriptor_problems([extended.MAX])  # type: ignore[list-item]
    assert problems and "не описана" in problems[0]


def test_legal_status_comes_from_the_descriptors() -> None:
    assert official_platforms() == [Platform.VK, Platform.OK]
    assert [p for p in Platform if describe(p).foreign_owned] == [Platform.TELEGRAM]
    assert describe(Platform.TELEGRAM).kind is PlatformKind.MESSENGER
    assert Platform.VK.label == "ВКонтакте" and Platform.OK.descriptor.short == "ОК"


@pytest.mark.parametrize("platform", list(Platform))
def test_a_page_address_round_trips_through_the_registry(platform: Platform) -> None:
    d = describe(platform)
    url = d.page_url(d.example)
    registry = registry_from_rows(
        [
            {
                "id": "a",
                "название": "Администрация",
                "вид": "ОМСУ",
                "уровень": "район",
                "ссылка": url,
            }
        ],
        source="тест",
    )
    (ref,) = registry.get("a").pages
    assert ref.platform is platform
    assert d.page_key(ref.page) == d.page_key(d.example)


def test_site_links_are_found_for_every_spelling() -> None:
    vk = describe(Platform.VK).site_link_patterns("club123")
    assert any(re.search(p, "см. https://vk.com/public123.") for p in vk)
    tg = describe(Platform.TELEGRAM).site_link_patterns("@ensk_adm")
    assert any(re.search(p, "Наш канал: t.me/ensk_adm.") for p in tg)
    assert not any(re.search(p, "t.me/ensk_adm2") for p in tg)
    assert not any(re.search(p, "t.me/ensk_adm.news") for p in tg)


def test_check_post_uses_the_same_limits_as_the_backends() -> None:
    limits = describe(Platform.VK).limits
    assert limits.text is not None
    post = Post(text="а" * (limits.text + 1))
    (finding,) = [f for f in check_post(post, platforms=[Platform.VK]) if f.rule_id == "GP-LIMITS"]
    assert f"{limits.text} символов" in finding.evidence
    assert limits.problems(Post(text="а" * limits.text)) == []


def test_no_platform_conditionals_outside_backends_and_descriptors() -> None:
    allowed = {"vk", "ok", "telegram", "testing"}
    pattern = re.compile(r"Platform\.(VK|OK|TELEGRAM)\b|\.value == \"(vk|ok|telegram)\"")
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] in allowed or rel.name in {"_platforms.py", "_demo.py"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if pattern.search(code) and "``" not in code:
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []


# -- settings ------------------------------------------------------------------------------


def test_settings_come_from_gospages_variables_and_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("VK_SERVICE_TOKEN", "OK_APP_KEY", "OK_APPLICATION_KEY", "TG_API_ID"):
        monkeypatch.delenv(f"GOSPAGES_{name}", raising=False)
    (tmp_path / ".env").write_text(
        "GOSPAGES_VK_SERVICE_TOKEN=svc-secret-value\nGOSPAGES_OK_APP_KEY=PUBLICKEY\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GOSPAGES_TG_API_ID", "12345")
    settings = Settings()
    assert settings.vk_service_token is not None
    assert settings.vk_service_token.get_secret_value() == "svc-secret-value"
    assert settings.ok_application_key == "PUBLICKEY"  # the older short name is read
    assert settings.tg_api_id == 12345
    assert "svc-secret-value" not in repr(settings)


def test_settings_only_reads_nothing_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOSPAGES_VK_COMMUNITY_TOKEN", "from-the-env")
    settings = Settings.only(vk_user_token="given")
    assert settings.vk_community_token is None
    assert repr(settings).startswith("Settings(")


def test_blank_keys_are_missing_keys() -> None:
    assert Settings.only(vk_user_token="  ", tg_api_id="").vk_user_token is None


# -- opening pages ------------------------------------------------------------------------


@pytest.mark.parametrize("platform", list(Platform))
def test_missing_keys_name_the_variables_and_leak_nothing(platform: Platform) -> None:
    ref = PageRef(platform=platform, page=describe(platform).example)
    with pytest.raises(ValidationError) as caught:
        open_page(ref, Settings.only())
    message = str(caught.value)
    assert "GOSPAGES_" in message and describe(platform).label in message


async def test_the_factory_opens_every_platform_of_the_sandbox() -> None:
    region = build_region(seed=1, weeks=1)
    factory = region.opener()
    assert isinstance(factory, PageFactory)
    seen = set()
    async with factory:
        for _org, ref in region.registry.pages():
            if ref.platform in seen:
                continue
            seen.add(ref.platform)
            async with factory(ref) as page:
                assert page.platform is ref.platform
                assert (await page.profile()).name
    assert seen == set(Platform)


async def test_the_factory_shares_one_connection_per_run_and_closes_it() -> None:
    closed: list[str] = []

    class Connection:
        async def disconnect(self) -> None:
            closed.append("x")

    async def close(connection: Connection) -> None:
        await connection.disconnect()

    factory = PageFactory(Settings.only())
    context = factory.context(Platform.TELEGRAM)  # what every Telegram opener of the run gets
    assert context.run and factory.context(Platform.TELEGRAM) is context
    first = context.shared("telegram", Connection, close)
    assert context.shared("telegram", Connection, close) is first
    assert closed == []
    await factory.aclose()
    assert closed == ["x"]
    single = OpenContext(settings=Settings.only())  # open_page's: the page owns what it opens
    assert not single.run


def test_the_rules_layer_imports_no_backend() -> None:
    # import-linter's layers contract (pyproject.toml), run as CI runs it.
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    result = subprocess.run(
        [str(lint), "--no-cache"], capture_output=True, text=True, cwd=SRC.parents[1], check=False
    )
    assert result.returncode == 0, result.stdout[-2000:]


def test_a_bad_value_in_dotenv_is_named_not_echoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOSPAGES_TG_API_ID", raising=False)
    (tmp_path / ".env").write_text(
        "GOSPAGES_TG_API_ID=123456:AAE-bot-secret-token-xyz\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError) as caught:
        PageFactory()
    assert "GOSPAGES_TG_API_ID" in str(caught.value)
    assert "AAE-bot-secret" not in str(caught.value) + repr(caught.value)
    (tmp_path / ".env").write_bytes("# примечание\nGOSPAGES_VK_USER_TOKEN=x\n".encode("cp1251"))
    with pytest.raises(ValidationError, match="UTF-8"):
        Settings.from_environment()
