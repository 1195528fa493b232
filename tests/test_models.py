from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pydantic
import pytest

from gospages import Comment, Link, Photo, Platform, Poll, Post, PostSummary, ValidationError
from gospages.vk import VKPage

from .conftest import FAST


def test_post_needs_text_or_attachment() -> None:
    with pytest.raises(pydantic.ValidationError, match="пустая публикация"):
        Post(text="   ")
    assert Post(attachments=[Link(url="https://a.ru")]).text == ""


def test_post_is_strict() -> None:
    with pytest.raises(pydantic.ValidationError):
        Post(text="x", colour="red")  # type: ignore[call-arg]


def test_publish_at_must_be_aware() -> None:
    with pytest.raises(pydantic.ValidationError, match="часовым поясом"):
        Post(text="x", publish_at=datetime(2026, 12, 1, 10, 0))


def test_idempotency_key_is_stable_per_post_and_unique_between_posts() -> None:
    post = Post(text="x")
    assert post.idempotency_key == post.idempotency_key
    assert Post(text="x").idempotency_key != post.idempotency_key


def test_poll_answers() -> None:
    with pytest.raises(pydantic.ValidationError):
        Poll(question="?", answers=["Да"])
    with pytest.raises(pydantic.ValidationError, match="повторяются"):
        Poll(question="?", answers=["Да", "да"])
    with pytest.raises(pydantic.ValidationError):
        Poll(question="?", answers=[str(i) for i in range(11)])


def test_photo_sources() -> None:
    with pytest.raises(pydantic.ValidationError, match="ровно один"):
        Photo()
    assert Photo.from_bytes(b"x", filename="a.png").name == "a.png"
    assert Photo.from_path("dir/b.jpg").name == "b.jpg"
    with pytest.raises(ValueError, match="не удалось прочитать"):
        Photo.from_path(Path("/nonexistent/c.jpg")).read()


def test_output_models_tolerate_new_platform_fields() -> None:
    post = PostSummary.model_validate(
        {
            "platform": "vk",
            "page": "1",
            "id": "2",
            "date": datetime.now(timezone.utc),
            "brand_new_vk_field": {"x": 1},
        }
    )
    assert post.platform is Platform.VK


def vk() -> VKPage:
    return VKPage(1, user_token="user-key-123", limits=FAST)


@pytest.mark.parametrize(
    ("post", "limit"),
    [
        (Post(text="x" * 16385), "16384"),
        (
            Post(text="x", attachments=[Link(url="https://a.ru"), Link(url="https://b.ru")]),
            "ссылок больше 1",
        ),
        (Post(text="x", attachments=[Photo.from_bytes(b"1")] * 11), "вложений больше 10"),
        (
            Post(text="x", attachments=[Poll(question="?", answers=["a", "b"])] * 2),
            "опросов больше 1",
        ),
        (
            Post(text="x", publish_at=datetime.now(timezone.utc) - timedelta(minutes=1)),
            "уже прошло",
        ),
    ],
)
async def test_vk_limits_are_checked_before_any_request(post: Post, limit: str) -> None:
    # No http_client wired: any request would fail with a network error, not ValidationError.
    async with vk() as page:
        with pytest.raises(ValidationError, match=limit):
            await page.publish(post)


async def test_missing_photo_file_is_a_validation_error() -> None:
    async with vk() as page:
        with pytest.raises(ValidationError, match="не удалось прочитать"):
            await page.publish(Post(text="x", attachments=[Photo.from_path("/nonexistent.jpg")]))


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (123, "123"),
        (-123, "123"),
        ("club123", "123"),
        ("public77", "77"),
        ("https://vk.com/adm_ensk", "adm_ensk"),
        ("vk.ru/adm_ensk/", "adm_ensk"),
        ("-55", "55"),
    ],
)
def test_group_references(ref: int | str, expected: str) -> None:
    assert VKPage(ref, service_token="s-key-123", limits=FAST).page_id == expected


@pytest.mark.parametrize("ref", ["", "ад мин", 0, "https://example.com/x y"])
def test_bad_group_references(ref: int | str) -> None:
    with pytest.raises(ValidationError):
        VKPage(ref, service_token="s-key-123", limits=FAST)


def test_at_least_one_token() -> None:
    with pytest.raises(ValidationError, match="хотя бы один ключ"):
        VKPage("adm")


async def test_comment_from_another_page_is_refused() -> None:
    stranger = Comment(
        platform=Platform.OK, page="1", id="5", post_id="7", author_id="3", date=None
    )
    async with VKPage(
        1, user_token="user-key-123", community_token="c-key-123", limits=FAST
    ) as page:
        with pytest.raises(ValidationError, match="не с этой страницы"):
            await page.delete_comment(stranger)
        with pytest.raises(ValidationError, match="не с этой страницы"):
            await page.reply(stranger, "Ответ")
