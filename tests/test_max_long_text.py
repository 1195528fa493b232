"""MAX: a text over 4,000 characters split into messages as Telegram's is, the receipt
listing every message, and a lost answer mid-way read back, never sent twice."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from gospages import (
    Photo,
    Platform,
    Post,
    PublishStatus,
    RetryPolicy,
    ValidationError,
    describe,
)
from gospages.max import MaxChannel, MaxReceipt
from gospages.requirements import check_post
from gospages.testing import SampleMax, sample_max

FAST = RetryPolicy(attempts=3, initial_delay=0.001, max_delay=0.002)
_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def paragraphs(count: int, size: int) -> str:
    """``count`` paragraphs of about ``size`` characters, each of whole sentences."""
    sentence = "Администрация сообщает о плановых работах. "
    block = (sentence * (size // len(sentence) + 1)).strip()
    return "\n\n".join(f"{i}. {block}" for i in range(count))


@pytest.fixture
def sandbox() -> SampleMax:
    return sample_max()


def sent_texts(sandbox: SampleMax) -> list[str]:
    return [m.text for m in sandbox.fake.channels[sandbox.chat_id].messages]


def on_post(sandbox: SampleMax, number: int, act: Callable[[], None]) -> MaxChannel:
    """The channel, with ``act`` run just before its ``number``-th ``POST /messages``."""
    seen = 0

    def spy(request: httpx.Request) -> httpx.Response:
        nonlocal seen
        if request.method == "POST" and request.url.path == "/messages":
            seen += 1
            if seen == number:
                act()
        return sandbox.fake.handler(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(spy))
    return MaxChannel(sandbox.chat_id, token=sandbox.token, http_client=client, retry=FAST)


# -- the descriptor and the checks ------------------------------------------------------


def test_a_long_text_is_a_note_not_a_problem() -> None:
    limits = describe(Platform.MAX).limits
    assert limits.splits_long_text and not limits.utf16
    long = Post(text="я" * 4001)
    assert limits.problems(long) == [] and limits.notes(long)
    [finding] = [f for f in check_post(long, platforms=[Platform.MAX]) if f.rule_id == "GP-LIMITS"]
    assert "разобьют" in (finding.evidence or "") and "MAX" in (finding.evidence or "")


async def test_the_page_says_split_or_refuses(sandbox: SampleMax) -> None:
    long = Post(text="я" * 4001)
    async with sandbox.page() as page:
        assert page.problems(long) == [] and page.notes(long)
        page.check(long)
    async with sandbox.page(long_text="refuse") as refusing:
        [problem] = refusing.problems(long)
        assert "4000" in problem and "лимит MAX" in problem and refusing.notes(long) == []
        refusing.check(Post(text="я" * 4000))
    with pytest.raises(ValidationError, match="long_text"):
        sandbox.page(long_text="cut")  # type: ignore[arg-type]


async def test_too_many_parts_are_refused_before_any_request(sandbox: SampleMax) -> None:
    async with sandbox.page() as page:
        page.max_parts = 2
        with pytest.raises(ValidationError, match=r"MaxChannel\.max_parts"):
            await page.publish(Post(text=paragraphs(4, 2500)))
    assert sandbox.fake.calls == []


# -- splitting ----------------------------------------------------------------------------


async def test_a_long_text_goes_out_as_several_messages(sandbox: SampleMax) -> None:
    text = paragraphs(4, 2500)  # about 10,000 characters: a paragraph a message
    photos = [Photo.from_bytes(_JPEG, filename=f"{i}.jpg") for i in range(2)]
    async with sandbox.page(text_format="markdown") as page:
        receipt = await page.publish(Post(text=text, attachments=photos))
        posts = [p async for p in page.posts()]
    assert isinstance(receipt, MaxReceipt)
    assert receipt.status is PublishStatus.PUBLISHED
    messages = sandbox.fake.channels[sandbox.chat_id].messages[-len(receipt.message_ids) :]
    assert len(messages) == 4 and [m.mid for m in messages] == receipt.message_ids
    assert (
        receipt.post_id == messages[0].mid
        and receipt.url == f"https://max.ru/adm_ensk/{messages[0].mid}"
    )
    assert all(len(m.text) <= 4000 and m.text.endswith(".") for m in messages)
    assert "\n\n".join(m.text for m in messages) == text
    # The photos ride on the first message only; every part keeps the format.
    assert len(messages[0].attachments) == 2 and not messages[1].attachments
    assert all(m.format == "markdown" for m in messages)
    assert (
        receipt.note
        and "разбит на 4 части" in receipt.note
        and "в первом сообщении" in receipt.note
    )
    assert {p.id for p in posts} >= set(receipt.message_ids)


async def test_a_short_text_is_one_message_as_before(sandbox: SampleMax) -> None:
    async with sandbox.page() as page:
        receipt = await page.publish(Post(text="Коротко"))
    assert receipt.message_ids == [receipt.post_id] and receipt.note is None
    assert len(sandbox.fake.calls_of("POST /messages")) == 1


async def test_characters_not_utf16_units_are_counted(sandbox: SampleMax) -> None:
    text = "😀" * 4000  # 4,000 characters, 8,000 UTF-16 units: one MAX message
    async with sandbox.page() as page:
        receipt = await page.publish(Post(text=text))
    assert len(receipt.message_ids) == 1 and sent_texts(sandbox)[-1] == text


# -- a lost answer mid-way ----------------------------------------------------------------


async def test_a_lost_answer_mid_way_is_found_and_the_rest_sent(sandbox: SampleMax) -> None:
    text = paragraphs(3, 3000)
    page = on_post(sandbox, 2, lambda: sandbox.fake.fail_next("POST /messages", lose_response=True))
    async with page:
        receipt = await page.publish(Post(text=text))
    assert receipt.status is PublishStatus.PUBLISHED
    assert len(sandbox.fake.calls_of("POST /messages")) == 3  # never sent twice
    assert len(receipt.message_ids) == 3
    assert "\n\n".join(sent_texts(sandbox)[-3:]) == text
    assert (
        receipt.note
        and "сообщение 2 из 3" in receipt.note
        and "найдено при проверке" in receipt.note
    )


async def test_a_part_certainly_absent_is_reported_not_resent(sandbox: SampleMax) -> None:
    text = paragraphs(3, 3000)
    # HTTP 502 on part 2: MAX did not take it; the read-back does not find it.
    page = on_post(sandbox, 2, lambda: sandbox.fake.fail_next("POST /messages", http_status=502))
    async with page:
        receipt = await page.publish(Post(text=text))
    assert receipt.status is PublishStatus.NEEDS_CHECK
    assert len(sandbox.fake.calls_of("POST /messages")) == 2  # part 3 is not sent
    [first] = receipt.message_ids
    assert receipt.post_id == first and sent_texts(sandbox)[-1] == text.split("\n\n")[0]
    assert receipt.note is not None
    assert "сообщение 2 из 3 (текст) потерян" in receipt.note and "его нет" in receipt.note
    assert "Сообщение 3 из 3 не отправлялось" in receipt.note


async def test_a_lost_part_that_cannot_be_read_back_is_not_success(sandbox: SampleMax) -> None:
    def lose_and_blind() -> None:
        sandbox.fake.fail_next("POST /messages", lose_response=True)
        sandbox.fake.fail_next("GET /messages", http_status=503, times=5)

    page = on_post(sandbox, 2, lose_and_blind)
    async with page:
        receipt = await page.publish(Post(text=paragraphs(3, 3000)))
    assert receipt.status is PublishStatus.NEEDS_CHECK
    assert len(receipt.message_ids) == 1 and len(sandbox.fake.calls_of("POST /messages")) == 2
    assert receipt.note and "не удалось" in receipt.note


async def test_a_part_refused_mid_way_leaves_a_receipt(sandbox: SampleMax) -> None:
    page = on_post(
        sandbox, 2, lambda: sandbox.fake.fail_next("POST /messages", error_code="chat.denied")
    )
    async with page:
        receipt = await page.publish(Post(text=paragraphs(3, 3000)))
    assert receipt.status is PublishStatus.NEEDS_CHECK
    assert len(receipt.message_ids) == 1
    assert receipt.note and "Опубликована только часть" in receipt.note


async def test_an_earlier_identical_part_is_not_taken_for_a_lost_one(sandbox: SampleMax) -> None:
    text = paragraphs(2, 3000)
    _, second = text.split("\n\n")
    sandbox.fake.add_post(sandbox.chat_id, second)  # the same text, posted before
    page = on_post(sandbox, 2, lambda: sandbox.fake.fail_next("POST /messages", http_status=502))
    async with page:
        receipt = await page.publish(Post(text=text))
    assert receipt.status is PublishStatus.NEEDS_CHECK and len(receipt.message_ids) == 1
