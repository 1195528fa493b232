"""Selections of the registry, cross-posting and the regional cascade (issue 13)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from gospages import OfficialPage, Platform, Post, PublishedPost, VirtualClock
from gospages.cli import main
from gospages.planning import (
    Cascade,
    CrossPostResult,
    Selection,
    SelectionError,
    TargetStatus,
    cascade,
    cross_post,
    target_key,
)
from gospages.registry import Organization, OrgKind, OrgLevel, PageRef, Registry
from gospages.testing import Scenario, build_region
from gospages.vk import VKPage


@pytest.fixture
def region() -> Scenario:
    return build_region(seed=0)


def _ids(pages: list[tuple[Organization, PageRef]]) -> list[tuple[str, str]]:
    return [(org.id, ref.platform.value) for org, ref in pages]


# -- selections ------------------------------------------------------------------------------


def test_settlements_of_a_district_on_vk_and_ok(region: Scenario) -> None:
    # «все поселения района во ВКонтакте и Одноклассниках», three spellings, one selection
    texts = [
        "kind=поселение parent=ensk platform=vk,ok",
        "Уровень=ПОСЕЛЕНИЕ родитель=ensk площадка=ВКонтакте площадка=ок",
        "level=settlement parent=ensk platform=вк,Одноклассники",
    ]
    selections = [Selection.parse(t) for t in texts]
    assert selections[0] == selections[1] == selections[2]
    assert selections[0] == Selection(
        level=OrgLevel.SETTLEMENT, parent="ensk", platform=["vk", "ok"]
    )
    assert _ids(selections[0].pages(region.registry)) == [
        ("ensk.lugovoe", "vk"),
        ("ensk.berezovka", "vk"),
    ]
    # the settlement without a page is known, not silently dropped
    assert [o.id for o in selections[0].without_pages(region.registry)] == ["ensk.kamenka"]


def test_an_organisation_with_all_its_pages_and_the_text_round_trip(region: Scenario) -> None:
    # «все страницы администрации района»
    district = Selection.parse("org=ensk")
    assert _ids(district.pages(region.registry)) == [
        ("ensk", "vk"),
        ("ensk", "ok"),
        ("ensk", "telegram"),
    ]
    for text in ("org=ensk", "kind=омсу level=район platform=тг", "все", "parent=region"):
        selection = Selection.parse(text)
        assert Selection.parse(str(selection)) == selection
    everything = Selection.parse("все").pages(region.registry)
    assert everything == region.registry.pages()
    below = Selection.parse("parent=region").pages(region.registry)
    # every page but the region's own
    assert len(below) == len(everything) - len(region.registry.get("region").pages)
    assert {o.id for o, _ in Selection(kind=OrgKind.SUBORDINATE).pages(region.registry)} == {
        "ensk.school1",
        "ensk.library",
        "zarechny.school1",
        "zarechny.library",
    }


def test_category_filter() -> None:
    registry = Registry(
        organizations=[
            Organization(
                id="a",
                name="А",
                kind=OrgKind.LOCAL_GOVERNMENT,
                level=OrgLevel.DISTRICT,
                pages=[
                    PageRef(platform=Platform.VK, page="a_vk", category="Флагманский"),
                    PageRef(platform=Platform.OK, page="123", category="визитка"),
                ],
            )
        ]
    )
    chosen = Selection.parse('категория="флагманский"').pages(registry)
    assert [ref.page for _, ref in chosen] == ["a_vk"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("kind=деревня", ["«деревня»", "kind", "поселение", "ОМСУ"]),
        ("colour=red", ["«colour»", "platform (площадка)"]),
        ("platform=facebook", ["«facebook»", "ВКонтакте (vk)"]),
        ("level", ["«level»", "ключ=значение"]),
        ("", ["пуста"]),
        ('org="ensk', ["кавычки"]),
        ("parent=", ["нет значения"]),
    ],
)
def test_bad_selections_name_the_key_or_value_and_the_allowed_ones(
    text: str, names: list[str]
) -> None:
    with pytest.raises(SelectionError) as caught:
        Selection.parse(text)
    for name in names:
        assert name in str(caught.value)


def test_an_empty_result_is_an_error_saying_why(region: Scenario) -> None:
    with pytest.raises(SelectionError, match=r"parent=nowhere.*нет"):
        Selection.parse("parent=nowhere").pages(region.registry)
    with pytest.raises(SelectionError, match="ни одна их страница не подходит"):
        Selection.parse("level=поселение platform=telegram").pages(region.registry)
    with pytest.raises(SelectionError, match="страниц у них нет"):
        Selection.parse("org=ensk.kamenka").pages(region.registry)


# -- cross-posting ---------------------------------------------------------------------------


def test_cross_post_one_receipt_per_page_and_one_failure_hides_nothing(region: Scenario) -> None:
    pages = Selection.parse("level=район,поселение platform=vk").pages(region.registry)
    region.vk.fail_next("wall.post", error_code=15, error_msg="Access denied")
    seen: list[str] = []

    async def progress_run() -> CrossPostResult:
        async with region.opener() as factory:
            return await cross_post(
                pages,
                Post(text="Новость области"),
                factory,
                progress=lambda done, total, what: seen.append(f"{done}/{total}"),
                item="news-1",
            )

    result = asyncio.run(progress_run())
    assert result.sent
    outcomes = result.outcomes
    assert [(o.org.id, o.ref.platform) for o in outcomes] == [
        (org.id, ref.platform) for org, ref in pages
    ]
    failed = [o for o in outcomes if o.failed]
    assert len(failed) == 1 and "PermissionDenied" in (failed[0].error or "")
    assert all(o.receipt is not None and o.receipt.url for o in outcomes if not o.failed)
    assert len(seen) == len(pages) and seen[-1] == f"{len(pages)}/{len(pages)}"
    assert not result.ok
    # stable keys per target: item + platform + page
    assert outcomes[0].key == target_key("news-1", outcomes[0].ref)
    assert outcomes[0].key.startswith("news-1:vk:")


def test_nothing_is_sent_when_one_target_fails_the_check(region: Scenario) -> None:
    pages = Selection.parse("org=ensk").pages(region.registry)
    post = Post(text="Комментарии к этой записи закрыты", close_comments=True)

    async def run(**kwargs: Any) -> CrossPostResult:
        async with region.opener() as factory:
            return await cross_post(pages, post, factory, **kwargs)

    result = asyncio.run(run())
    assert not result.sent
    refused = result.refused
    assert [o.ref.platform for o in refused] == [Platform.TELEGRAM]
    assert "close_comments" in refused[0].problems[0]
    assert region.vk.calls_of("wall.post") == [] and region.ok.calls_of("mediatopic.post") == []
    # a Telegram variant without close_comments: now everything goes
    variant = post.model_copy(update={"close_comments": False})
    result = asyncio.run(run(variants={Platform.TELEGRAM: variant}))
    assert result.ok
    assert [o.post.close_comments for o in result.outcomes] == [True, True, False]


def test_variant_callable_and_keys_the_platform_does_not_allow(region: Scenario) -> None:
    pages = Selection.parse("level=поселение parent=ensk").pages(region.registry)

    def shorter(org: Organization, ref: PageRef, post: Post) -> Post | None:
        return post.model_copy(update={"text": f"{org.name}: {post.text}"})

    def service_only(ref: PageRef) -> OfficialPage:
        return VKPage(
            ref.page,
            service_token=region.vk_service_token,
            http_client=region.vk.client(),
            clock=region.clock,
        )

    async def run() -> CrossPostResult:
        return await cross_post(pages, Post(text="Текст"), service_only, variants=shorter)

    result = asyncio.run(run())
    assert not result.sent
    for outcome in result.outcomes:
        assert outcome.post.text.startswith(outcome.org.name)
        assert outcome.problems  # a service key cannot publish: said before any request
    assert region.vk.calls_of("wall.post") == []


def test_pages_are_published_concurrently(region: Scenario) -> None:
    # 20 pages whose publication takes 1 s each (virtual): about 1 s in all, not 20.
    clock = VirtualClock()
    org = Organization(
        id="x", name="X", kind=OrgKind.LOCAL_GOVERNMENT, level=OrgLevel.DISTRICT, pages=[]
    )
    pages = [(org, PageRef(platform=Platform.VK, page=f"page{i}")) for i in range(20)]

    async def slow(key: str, page: OfficialPage, post: Post) -> PublishedPost:
        await clock.sleep(1.0)
        return PublishedPost(
            platform=page.platform,
            page=page.page_id,
            post_id="1",
            url=None,
            status="published",
            idempotency_key=post.idempotency_key,
        )

    async def run() -> CrossPostResult:
        opener = lambda ref: VKPage(ref.page, user_token="t")  # noqa: E731
        return await cross_post(pages, Post(text="x"), opener, send=slow, clock=clock)

    result = asyncio.run(run())
    assert result.ok
    assert result.slowest == pytest.approx(1.0)
    assert result.seconds == pytest.approx(1.0)
    keys = {o.post.idempotency_key for o in result.outcomes}
    assert len(keys) == 20  # one idempotency key per target


# -- the cascade -----------------------------------------------------------------------------


def test_cascade_publishes_only_where_missing_and_keeps_json(
    region: Scenario, tmp_path: Path
) -> None:
    state_file = tmp_path / "cascade.json"
    post = Post(text="Губернатор подписал указ о поддержке сельских клубов.")
    region.vk.fail_next("wall.post", error_code=15, error_msg="Access denied")

    async def run(state: Cascade | None) -> Cascade:
        async with region.opener() as factory:
            return await cascade(
                post,
                "level=поселение",
                region.registry,
                factory,
                item="ukaz-12",
                source="https://vk.com/wall-200001_1",
                state=state,
                clock=region.clock,
            )

    first = asyncio.run(run(None))
    assert len(first.targets) == 5
    assert len(first.published) == 4 and len(first.failed) == 1
    assert first.failed[0].error and "PermissionDenied" in first.failed[0].error
    assert all(t.url for t in first.published)
    assert first.without_pages == ["Администрация Каменского сельского поселения"]
    assert "опубликовано 4 из 5" in first.summary() and "ошибок 1" in first.summary()
    first.save(state_file)
    saved = json.loads(state_file.read_text(encoding="utf-8"))
    assert saved["item"] == "ukaz-12" and saved["source"] == "https://vk.com/wall-200001_1"

    sent_before = len(region.vk.calls_of("wall.post"))
    second = asyncio.run(run(Cascade.load(state_file)))
    assert len(region.vk.calls_of("wall.post")) == sent_before + 1  # only the failed page
    assert second.complete and len(second.published) == 5
    assert all(t.status is TargetStatus.PUBLISHED for t in second.targets.values())
    third = asyncio.run(run(second))
    assert len(region.vk.calls_of("wall.post")) == sent_before + 1  # nothing missing
    assert third.targets.keys() == first.targets.keys()


# -- gospages publish ------------------------------------------------------------------------


def test_cli_publish_on_the_sandbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "post.txt"
    text.write_bytes("Приём граждан [bold]перенесён[/] на четверг.".encode("cp1251"))
    code = main(
        ["publish", str(text), "--to", "уровень=поселение родитель=ensk", "--sandbox", "--yes"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count("✓") == 2 and "https://vk.com/wall-" in out
    assert "Каменского" in out  # the settlement with no page is named
    assert "опубликовано 2 из 2" in out


def test_cli_publish_refuses_before_sending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = tmp_path / "post.txt"
    text.write_text("Текст", encoding="utf-8")
    base = ["publish", str(text), "--sandbox"]
    assert main([*base, "--to", "вид=деревня", "--yes"]) == 2
    assert "неизвестный вид" in capsys.readouterr().out
    assert main([*base, "--to", "org=ensk", "--at", "2020-01-01 10:00", "--yes"]) == 2
    out = capsys.readouterr().out
    assert "уже прошло" in out and "Ничего не отправлено" in out
    assert main([*base, "--to", "org=ensk", "--at", "завтра", "--yes"]) == 2
    assert "не понял время" in capsys.readouterr().out
    assert main(["publish", str(text), "--to", "все"]) == 2
    assert "--registry" in capsys.readouterr().out
    monkeypatch.setattr("builtins.input", lambda *_: "нет")
    assert main([*base, "--to", "org=ensk"]) == 2
    assert "Отменено" in capsys.readouterr().out
