"""The Telegram backend on FakeTelegram (real Telethon objects and errors), and the real
Telethon adapter with a recording stand-in for ``TelegramClient``."""

from __future__ import annotations

import importlib
import io
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from telethon import errors, functions
from telethon.crypto import AuthKey
from telethon.extensions import BinaryReader
from telethon.sessions import StringSession
from telethon.tl import types

import gospages
from gospages import (
    AuthError,
    Comment,
    GospagesError,
    Link,
    NetworkError,
    NotFound,
    Operation,
    OutcomeUnknown,
    PermissionDenied,
    Photo,
    Platform,
    PlatformError,
    Poll,
    Post,
    PublishStatus,
    RateLimited,
    RedactingFilter,
    ServerError,
    ValidationError,
    VerificationState,
    redact,
)
from gospages._platforms import describe
from gospages.sync import SyncPage
from gospages.telegram import (
    ForeignServiceWarning,
    TelegramChannel,
    TelethonClient,
    connect,
    split_text,
    telegram_length,
    translate_error,
)
from gospages.testing import FakeTelegram

CHANNEL = FakeTelegram.SAMPLE_CHANNEL
NEWS = 6  # the sample's newest post: a question, the channel's answer, a thanks, spam
ALBUM = 2  # three photos, ids 2-4, one comment
BRIDGE = 1  # no comments

JPEG = b"\xff\xd8\xff\xe0fake-jpeg"


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram.sample()


@pytest.fixture
async def channel(fake: FakeTelegram) -> AsyncIterator[TelegramChannel]:
    async with TelegramChannel(CHANNEL, client=fake) as page:
        yield page


def sends(fake: FakeTelegram) -> int:
    return sum(len(fake.calls_of(m)) for m in ("send_message", "send_photos", "send_poll"))


def channel_texts(fake: FakeTelegram) -> list[str]:
    return [m.text for m in fake.chats[1001].messages]


def paragraphs(count: int, size: int) -> str:
    """``count`` paragraphs of about ``size`` characters, each of whole sentences."""
    sentence = "Администрация сообщает о плановых работах. "
    block = (sentence * (size // len(sentence) + 1)).strip()
    return "\n\n".join(f"{i}. {block}" for i in range(count))


def session_string() -> str:
    session = StringSession()
    session.set_dc(2, "149.154.167.51", 443)
    session.auth_key = AuthKey(bytes(range(256)))
    return str(session.save())


# -- public surface ---------------------------------------------------------------------


def test_all_is_sorted_and_importable() -> None:
    module = importlib.import_module("gospages.telegram")

    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[:1].isupper() else 2), name

    assert list(module.__all__) == sorted(module.__all__, key=key)
    for name in module.__all__:
        assert hasattr(module, name), name
    assert issubclass(TelegramChannel, gospages.OfficialPage)
    assert issubclass(ForeignServiceWarning, UserWarning)
    assert "FakeTelegram" in importlib.import_module("gospages.testing").__all__


# -- capabilities: decided from the constructor, no request -------------------------------


def test_capabilities_make_no_request_and_warn_about_41fz(fake: FakeTelegram) -> None:
    caps = TelegramChannel(CHANNEL, client=fake).capabilities()
    assert fake.calls == []
    assert caps.platform is Platform.TELEGRAM
    assert caps.allowed == frozenset(Operation) - {Operation.BAN}
    assert "блокировка" in caps.missing[Operation.BAN]
    assert "41-ФЗ" in caps.warnings[Operation.REPLY]
    assert "41FZ-MSG" in caps.warnings[Operation.REPLY]
    assert "2523-р" in caps.warnings[Operation.PUBLISH]


def test_capabilities_without_discussion_group(fake: FakeTelegram) -> None:
    caps = TelegramChannel(CHANNEL, client=fake, comments=False).capabilities()
    assert fake.calls == []
    for op in (Operation.COMMENTS, Operation.REPLY, Operation.DELETE_COMMENT):
        assert not caps.can(op)
        assert "группы обсуждений" in caps.missing[op]
    assert caps.can(Operation.PUBLISH)
    assert Operation.REPLY not in caps.warnings


@pytest.mark.parametrize(
    ("ref", "page_id"),
    [
        ("@ensk_adm", "ensk_adm"),
        ("https://t.me/ensk_adm", "ensk_adm"),
        ("t.me/s/ensk_adm/", "ensk_adm"),
        (-1000000001001, "-1000000001001"),
        (1001, "-1000000001001"),
        ("-1000000001001", "-1000000001001"),
    ],
)
async def test_channel_references(fake: FakeTelegram, ref: str | int, page_id: str) -> None:
    page = TelegramChannel(ref, client=fake)
    assert page.page_id == page_id
    assert (await page.profile()).name == "Администрация города Энска"


@pytest.mark.parametrize("ref", ["", "a b", "https://vk.com/adm", "x"])
def test_bad_channel_reference(fake: FakeTelegram, ref: str) -> None:
    with pytest.raises(ValidationError, match="имя канала"):
        TelegramChannel(ref, client=fake)


def test_bad_long_text_option(fake: FakeTelegram) -> None:
    with pytest.raises(ValidationError, match="split"):
        TelegramChannel(CHANNEL, client=fake, long_text="cut")  # type: ignore[arg-type]


# -- the fake answers real Telethon objects ---------------------------------------------


async def test_fake_answers_real_telethon_objects(fake: FakeTelegram) -> None:
    entity = await fake.get_entity(CHANNEL)
    full = await fake.get_full_channel(entity)
    assert isinstance(entity, types.Channel) and entity.broadcast
    assert isinstance(full, types.messages.ChatFull)
    assert isinstance(full.full_chat, types.ChannelFull)
    assert full.full_chat.linked_chat_id == 2001
    posts = [m async for m in fake.iter_messages(entity)]
    comments = [m async for m in fake.iter_messages(entity, reply_to=NEWS)]
    news = next(m for m in posts if m.id == NEWS)
    assert isinstance(news.replies, types.MessageReplies)
    assert news.replies.comments and news.replies.channel_id == 2001
    assert news.replies.replies == len(comments) == 4
    assert all(isinstance(c.peer_id, types.PeerChannel) for c in comments)
    assert all(c.peer_id.channel_id == 2001 for c in comments)  # the group's ids
    assert all(isinstance(c.reply_to, types.MessageReplyHeader) for c in comments)
    # Every object serialises to MTProto bytes and reads back identically.
    for obj in [entity, full, *posts, *comments]:
        data = bytes(obj)
        assert bytes(BinaryReader(data).tgread_object()) == data


def test_fake_rejects_unknown_methods(fake: FakeTelegram) -> None:
    with pytest.raises(gospages.testing.UnsupportedByFake):
        fake.fail_next("send_sticker", error="FLOOD_WAIT_1")
    with pytest.raises(ValueError, match="fail_next"):
        fake.fail_next("send_message")


# -- profile and verification ------------------------------------------------------------


async def test_profile(channel: TelegramChannel, fake: FakeTelegram) -> None:
    profile = await channel.profile()
    assert profile.platform is Platform.TELEGRAM
    assert profile.id == "-1000000001001"
    assert profile.screen_name == "ensk_adm"
    assert profile.url == "https://t.me/ensk_adm"
    assert "Приёмная" in profile.description
    assert profile.members_count == 491
    assert profile.comments_open is True
    assert profile.wall_open is False
    assert profile.is_closed is False
    assert profile.feedback_widgets is None
    assert profile.extras["has_photo"] is True
    assert profile.extras["linked_chat_id"] == -1000000002001
    assert profile.extras["linked_chat_title"] == "Энск: обсуждение новостей"
    assert [c.method for c in fake.calls] == ["get_entity", "get_full_channel"]


async def test_profile_of_a_channel_without_group_or_photo() -> None:
    fake = FakeTelegram()
    fake.add_channel(1, "Библиотека", username="ensk_lib", photo=False)
    profile = await TelegramChannel("ensk_lib", client=fake).profile()
    assert profile.comments_open is False
    assert profile.extras["has_photo"] is False
    assert profile.extras["linked_chat_id"] is None


@pytest.mark.parametrize(
    ("flags", "state", "words"),
    [
        ({}, VerificationState.UNKNOWN, "Галочки верификации"),
        ({"verified": True}, VerificationState.UNKNOWN, "собственная проверка Telegram"),
        ({"scam": True}, VerificationState.NOT_CONFIRMED, "SCAM"),
        ({"fake": True}, VerificationState.NOT_CONFIRMED, "FAKE"),
    ],
)
async def test_verification(flags: dict[str, bool], state: VerificationState, words: str) -> None:
    fake = FakeTelegram()
    fake.add_channel(1, "Администрация", username="adm_x", **flags)
    verification = await TelegramChannel("adm_x", client=fake).verification()
    assert verification.state is state
    assert words in verification.explanation
    assert "Госорганизация" in verification.explanation
    assert "Госуслуги" in verification.explanation
    assert verification.marks == {
        "verified": flags.get("verified", False),
        "scam": flags.get("scam", False),
        "fake": flags.get("fake", False),
    }


# -- posts ---------------------------------------------------------------------------------


async def test_posts_merge_albums_and_skip_service_messages(channel: TelegramChannel) -> None:
    posts = [p async for p in channel.posts()]
    assert [p.id for p in posts] == [str(NEWS), str(ALBUM), str(BRIDGE)]
    album = posts[1]
    assert album.attachments == ["photo", "photo", "photo"]
    assert album.text.startswith("Субботник")
    assert album.message_ids == ["2", "3", "4"]
    assert album.comments_count == 1
    news = posts[0]
    assert news.url == f"https://t.me/ensk_adm/{NEWS}"
    assert (news.views, news.likes, news.reposts, news.comments_count) == (640, 12, 5, 4)
    assert posts[2].comments_count == 0


async def test_posts_since_until(channel: TelegramChannel, fake: FakeTelegram) -> None:
    everything = [p async for p in channel.posts()]
    since = everything[1].date
    assert [p.id for p in channel_posts_since(everything, since)] == [
        p.id async for p in channel.posts(since=since)
    ]
    until = everything[0].date - timedelta(seconds=1)
    assert [p.id async for p in channel.posts(until=until)] == [str(ALBUM), str(BRIDGE)]
    call = fake.calls_of("iter_messages")[-1]
    assert call.params["offset_date"] == until + timedelta(seconds=1)


def channel_posts_since(posts: list[Any], since: datetime) -> list[Any]:
    return [p for p in posts if p.date >= since]


async def test_scheduled_messages_are_not_posts(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    when = fake.now() + timedelta(hours=3)
    receipt = await channel.publish(Post(text="Отключение воды завтра", publish_at=when))
    assert receipt.status is PublishStatus.SCHEDULED
    assert receipt.post_id is None  # Telegram numbers the post when it goes out
    assert receipt.scheduled_ids == ["1"]
    assert receipt.publish_at == when
    [call] = fake.calls_of("send_message")
    assert call.params["schedule"] == when
    assert [m.text for m in fake.chats[1001].scheduled] == ["Отключение воды завтра"]
    assert all(p.text != "Отключение воды завтра" for p in [p async for p in channel.posts()])

    [published] = fake.publish_scheduled(until=when)
    assert published.id == 7  # a new id in the history, not the scheduled one
    assert (await anext(channel.posts())).text == "Отключение воды завтра"


# -- comments ----------------------------------------------------------------------------


async def test_comment_threads(channel: TelegramChannel) -> None:
    comments = [c async for c in channel.comments(str(NEWS))]
    by_text = {c.text: c for c in comments}
    question = by_text["А записываться заранее нужно?"]
    answer = by_text["Да, по телефону приёмной."]
    thanks = by_text["Спасибо!"]
    spam = by_text["Заработок от 5000 в день, пиши в личку"]
    assert question.parent_id is None and question.thread_id is None
    assert spam.parent_id is None
    assert answer.parent_id == question.id and answer.thread_id == question.id
    # An answer to an answer: its parent is the answer, its thread the top-level comment.
    assert thanks.parent_id == answer.id and thanks.thread_id == question.id
    assert answer.from_page and answer.author_id == "-1000000001001"
    assert not question.from_page and question.author_id == "5001"
    assert {c.post_id for c in comments} == {str(NEWS)}
    assert not any(c.deleted for c in comments)
    assert [c.date for c in comments] == sorted(c.date for c in comments if c.date)


async def test_comments_of_recent_posts_skip_posts_without_comments(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    comments = [c async for c in channel.comments(since=fake.now() - timedelta(days=7))]
    assert {c.post_id for c in comments} == {str(NEWS), str(ALBUM)}
    threads = [c.params["reply_to"] for c in fake.calls_of("iter_messages")]
    assert BRIDGE not in threads  # no comments: no request
    recent = [c async for c in channel.comments(since=fake.now() - timedelta(days=2))]
    assert {c.post_id for c in recent} == {str(NEWS)}


async def test_comments_since_skips_older_comments(fake: FakeTelegram) -> None:
    post = fake.add_post(1001, "Новость")
    fake.add_comment(1001, post.id, "старый", from_user=1, date=fake.now() - timedelta(days=3))
    fake.add_comment(1001, post.id, "новый", from_user=2)
    page = TelegramChannel(CHANNEL, client=fake)
    since = fake.now() - timedelta(days=1)
    assert [c.text async for c in page.comments(str(post.id), since=since)] == ["новый"]


async def test_comments_without_discussion_group() -> None:
    fake = FakeTelegram()
    fake.add_channel(1, "Библиотека", username="ensk_lib")
    fake.add_post(1, "Новые книги")
    page = TelegramChannel("ensk_lib", client=fake)
    with pytest.raises(NotFound, match="нет связанной группы обсуждений"):
        _ = [c async for c in page.comments("1")]
    assert not fake.calls_of("iter_messages")
    with pytest.raises(NotFound, match="нет связанной группы"):
        await page.delete_comment(
            Comment(
                platform=Platform.TELEGRAM,
                page="ensk_lib",
                id="5",
                post_id="1",
                author_id=None,
                date=None,
            )
        )


async def test_comments_of_a_post_without_thread(fake: FakeTelegram) -> None:
    page = TelegramChannel(CHANNEL, client=fake)
    with pytest.raises(NotFound) as caught:
        _ = [c async for c in page.comments("99")]
    assert caught.value.code == "MSG_ID_INVALID"
    with pytest.raises(ValidationError, match="номер сообщения"):
        _ = [c async for c in page.comments("abc")]


# -- publish: text, limits, splitting ----------------------------------------------------


async def test_publish_text_as_is(channel: TelegramChannel, fake: FakeTelegram) -> None:
    text = "**Не жирный** текст _как есть_ [ссылка](https://example.ru)"
    receipt = await channel.publish(Post(text=text))
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.post_id == "7"
    assert receipt.url == "https://t.me/ensk_adm/7"
    assert receipt.note is not None and "не разбивался" in receipt.note
    assert "1 сообщение" in receipt.note
    [call] = fake.calls_of("send_message")
    assert call.params["text"] == text
    assert channel_texts(fake)[-1] == text


async def test_long_text_is_split_on_paragraphs(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    text = paragraphs(5, 1500)  # about 7,500 characters
    assert telegram_length(text) > (describe(Platform.TELEGRAM).limits.text or 0)
    receipt = await channel.publish(Post(text=text))
    parts = [c.params["text"] for c in fake.calls_of("send_message")]
    assert len(parts) == 3
    assert all(telegram_length(p) <= 4096 for p in parts)
    assert all(p.endswith(".") for p in parts)  # cut between paragraphs
    assert "\n\n".join(parts) == text
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.message_ids == ["7", "8", "9"]
    assert receipt.post_id == "7"
    assert receipt.note is not None and "разбит на 3 части" in receipt.note


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("я" * 4096, True),
        ("я" * 4097, False),
        ("😀" * 2048, True),  # an emoji is two UTF-16 units, as Telegram counts
        ("😀" * 2049, False),
    ],
)
async def test_refuse_mode_at_4096(fake: FakeTelegram, text: str, fits: bool) -> None:
    page = TelegramChannel(CHANNEL, client=fake, long_text="refuse")
    if fits:
        receipt = await page.publish(Post(text=text))
        assert receipt.status is PublishStatus.PUBLISHED
        assert channel_texts(fake)[-1] == text
        return
    with pytest.raises(ValidationError, match="4096") as caught:
        await page.publish(Post(text=text))
    assert "сообщения" in caught.value.message
    assert sends(fake) == 0
    assert fake.calls == []  # refused before any request


async def test_refuse_mode_caption_at_1024(fake: FakeTelegram) -> None:
    page = TelegramChannel(CHANNEL, client=fake, long_text="refuse")
    photo = Photo.from_bytes(JPEG, filename="afisha.jpg")
    with pytest.raises(ValidationError, match="1024"):
        await page.publish(Post(text="я" * 1025, attachments=[photo]))
    assert fake.calls == []
    receipt = await page.publish(Post(text="я" * 1024, attachments=[photo]))
    assert receipt.status is PublishStatus.PUBLISHED
    [call] = fake.calls_of("send_photos")
    assert call.params["caption"] == "я" * 1024
    assert call.params["photos"] == ["afisha.jpg"]


async def test_split_mode_long_caption(channel: TelegramChannel, fake: FakeTelegram) -> None:
    text = paragraphs(3, 700)  # about 2,100 characters: over the caption limit
    photos = [Photo.from_bytes(JPEG, filename=f"{i}.jpg") for i in range(3)]
    receipt = await channel.publish(Post(text=text, attachments=photos))
    [album] = fake.calls_of("send_photos")
    [rest] = fake.calls_of("send_message")
    assert telegram_length(album.params["caption"]) <= 1024
    assert album.params["caption"] + "\n\n" + rest.params["text"] == text
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.post_id == "7"  # the album's first message
    assert receipt.message_ids == ["7", "8", "9", "10"]
    assert receipt.note is not None
    assert "разбит на 2 части" in receipt.note and "альбомом" in receipt.note
    posts = [p async for p in channel.posts()]
    assert posts[1].attachments == ["photo"] * 3 and posts[0].text == rest.params["text"]


async def test_album_limit(channel: TelegramChannel, fake: FakeTelegram) -> None:
    photos = [Photo.from_bytes(JPEG) for _ in range(11)]
    with pytest.raises(ValidationError, match="больше 10"):
        await channel.publish(Post(text="Фотоотчёт", attachments=photos))
    assert fake.calls == []


async def test_photo_size_limit(channel: TelegramChannel, fake: FakeTelegram) -> None:
    big = Photo.from_bytes(b"\xff" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="10 МБ"):
        await channel.publish(Post(text="Фото", attachments=[big]))
    assert sends(fake) == 0


async def test_link_goes_into_the_text(channel: TelegramChannel, fake: FakeTelegram) -> None:
    url = "https://ensk.example.ru/news/1"
    await channel.publish(Post(text="Подробности на сайте", attachments=[Link(url=url)]))
    await channel.publish(Post(text=f"Подробности: {url}", attachments=[Link(url=url)]))
    texts = [c.params["text"] for c in fake.calls_of("send_message")]
    assert texts == [f"Подробности на сайте\n\n{url}", f"Подробности: {url}"]


async def test_poll_is_a_telegram_poll(channel: TelegramChannel, fake: FakeTelegram) -> None:
    poll = Poll(question="Где поставить лавочки?", answers=["В парке", "У школы"])
    receipt = await channel.publish(Post(text="Опрос жителей", attachments=[poll]))
    [call] = fake.calls_of("send_poll")
    media = call.params["poll"]
    assert isinstance(media, types.InputMediaPoll)
    assert media.poll.question.text == "Где поставить лавочки?"
    assert [a.text.text for a in media.poll.answers] == ["В парке", "У школы"]
    assert not media.poll.public_voters
    assert receipt.message_ids == ["7", "8"]
    assert receipt.note is not None and "анонимным" in receipt.note
    posts = [p async for p in channel.posts()]
    assert posts[0].attachments == ["poll"] and posts[1].text == "Опрос жителей"


async def test_publish_refusals(channel: TelegramChannel, fake: FakeTelegram) -> None:
    poll = Poll(question="?", answers=["да", "нет"])
    with pytest.raises(ValidationError, match="опросов больше 1"):
        await channel.publish(Post(text="x", attachments=[poll, poll]))
    with pytest.raises(ValidationError, match="100 символов"):
        await channel.publish(Post(attachments=[Poll(question="?", answers=["a" * 101, "b"])]))
    with pytest.raises(ValidationError, match="close_comments"):
        await channel.publish(Post(text="x", close_comments=True))
    with pytest.raises(ValidationError, match="уже прошло"):
        await channel.publish(Post(text="x", publish_at=fake.now() - timedelta(minutes=1)))
    with pytest.raises(ValidationError, match="365"):
        await channel.publish(Post(text="x", publish_at=fake.now() + timedelta(days=400)))
    assert fake.calls == []


# -- flood waits: Telethon's own sleeping, no second retry loop --------------------------


async def test_flood_wait_beyond_threshold_is_rate_limited(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.fail_next("send_message", error="FLOOD_WAIT_120")
    with pytest.raises(RateLimited) as caught:
        await channel.publish(Post(text="Срочно"))
    error = caught.value
    assert error.retry_after == 120
    assert error.platform is Platform.TELEGRAM
    assert error.code == "FLOOD_WAIT"
    assert error.method == "SendMessageRequest"
    assert len(fake.calls_of("send_message")) == 1  # gospages did not try again
    assert fake.slept == []
    assert "Срочно" not in channel_texts(fake)


async def test_short_flood_wait_is_slept_by_the_client(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.fail_next("send_message", error="FLOOD_WAIT_5")
    receipt = await channel.publish(Post(text="Срочно"))
    assert receipt.status is PublishStatus.PUBLISHED
    assert fake.slept == [5]
    assert len(fake.calls_of("send_message")) == 1
    assert channel_texts(fake).count("Срочно") == 1


async def test_flood_wait_on_reading(channel: TelegramChannel, fake: FakeTelegram) -> None:
    fake.fail_next("get_full_channel", error="FLOOD_WAIT_300")
    with pytest.raises(RateLimited) as caught:
        await channel.profile()
    assert caught.value.retry_after == 300
    fake.fail_next("iter_messages", error="SLOWMODE_WAIT_90")
    with pytest.raises(RateLimited) as caught:
        _ = [p async for p in channel.posts()]
    assert caught.value.retry_after == 90


# -- lost answers: read back, never send twice -------------------------------------------


async def test_lost_send_found_on_read_back(channel: TelegramChannel, fake: FakeTelegram) -> None:
    fake.fail_next("send_message", lose_response=True)
    receipt = await channel.publish(Post(text="Приём переносится на понедельник"))
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.post_id == "7"
    assert receipt.note is not None and "найдено при проверке" in receipt.note
    assert len(fake.calls_of("send_message")) == 1
    assert channel_texts(fake).count("Приём переносится на понедельник") == 1
    baseline, read_back = fake.calls_of("iter_messages")
    assert baseline.params == read_back.params  # the same view, before and after
    assert read_back.params["limit"] == 30


async def test_lost_send_unknown_and_unreadable_needs_check(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.fail_next("send_message", exception=ConnectionError("reset by peer"))
    fake.fail_next("iter_messages", exception=ConnectionError("reset by peer"))
    receipt = await channel.publish(Post(text="Приём переносится"))
    assert receipt.status is PublishStatus.NEEDS_CHECK
    assert receipt.post_id is None
    assert receipt.note is not None
    assert "не удалось" in receipt.note and "Посмотрите канал" in receipt.note
    assert len(fake.calls_of("send_message")) == 1  # exactly one send


async def test_lost_send_committed_but_unreadable_is_not_success(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.fail_next("send_message", lose_response=True, exception=TimeoutError())
    fake.fail_next("iter_messages", error="INTERNAL", code=500, times=4)
    receipt = await channel.publish(Post(text="Приём переносится"))
    assert receipt.status is PublishStatus.NEEDS_CHECK  # it is there, but we did not see it
    assert channel_texts(fake).count("Приём переносится") == 1
    assert len(fake.calls_of("send_message")) == 1


async def test_lost_send_not_found_is_not_resent(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.fail_next("send_message", exception=TimeoutError())
    receipt = await channel.publish(Post(text="Приём переносится"))
    assert receipt.status is PublishStatus.NEEDS_CHECK
    assert receipt.note is not None and "его нет" in receipt.note
    assert len(fake.calls_of("send_message")) == 1
    assert "Приём переносится" not in channel_texts(fake)


async def test_internal_errors_are_retried_by_the_client_only(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.fail_next("send_message", error="INTERNAL", code=500, times=4)  # 1 + 3 retries
    receipt = await channel.publish(Post(text="Приём переносится"))
    assert fake.slept == [2, 2, 2, 2]
    assert len(fake.calls_of("send_message")) == 1
    assert receipt.status is PublishStatus.NEEDS_CHECK


async def test_lost_scheduled_send_found_among_scheduled(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    when = fake.now() + timedelta(days=1)
    fake.fail_next("send_message", lose_response=True)
    receipt = await channel.publish(Post(text="Завтра субботник", publish_at=when))
    assert receipt.status is PublishStatus.SCHEDULED
    assert receipt.scheduled_ids == ["1"]
    baseline, read_back = fake.calls_of("iter_messages")
    assert baseline.params == read_back.params  # the same view, before and after
    assert read_back.params["scheduled"] is True


async def test_lost_album_found_and_rest_sent(channel: TelegramChannel, fake: FakeTelegram) -> None:
    text = paragraphs(2, 900)
    fake.fail_next("send_photos", lose_response=True)
    photos = [Photo.from_bytes(JPEG), Photo.from_bytes(JPEG)]
    receipt = await channel.publish(Post(text=text, attachments=photos))
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.message_ids == ["7", "8", "9"]
    assert len(fake.calls_of("send_photos")) == 1
    assert len(fake.calls_of("send_message")) == 1


async def test_first_message_refused_raises(channel: TelegramChannel, fake: FakeTelegram) -> None:
    fake.fail_next("send_message", error="CHAT_ADMIN_REQUIRED")
    with pytest.raises(PermissionDenied):  # nothing is out: the error itself
        await channel.publish(Post(text=paragraphs(3, 2000)))
    assert len(fake.calls_of("send_message")) == 1


async def test_part_published_then_refused(
    channel: TelegramChannel, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = fake.send_message

    async def second_is_refused(*args: Any, **kwargs: Any) -> Any:
        if fake.calls_of("send_message"):
            fake.fail_next("send_message", error="CHAT_ADMIN_REQUIRED")
        return await original(*args, **kwargs)

    monkeypatch.setattr(fake, "send_message", second_is_refused)
    receipt = await channel.publish(Post(text=paragraphs(3, 2000)))
    assert receipt.status is PublishStatus.NEEDS_CHECK  # part is out: a receipt, not an error
    assert receipt.post_id == "7"
    assert receipt.message_ids == ["7"]
    assert receipt.note is not None and "только часть" in receipt.note
    assert "Допубликуйте" in receipt.note


# -- reply and delete ------------------------------------------------------------------


async def test_reply_warns_41fz_and_answers_as_the_channel(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    comments = [c async for c in channel.comments(str(NEWS))]
    spam = next(c for c in comments if c.text.startswith("Заработок"))
    with pytest.warns(ForeignServiceWarning, match="41-ФЗ") as record:
        answer = await channel.reply(spam, "Реклама здесь запрещена.")
    assert record[0].message.rule_id == "41FZ-MSG"  # type: ignore[union-attr]
    assert answer.parent_id == spam.id
    assert answer.thread_id == spam.id
    assert answer.from_page
    assert answer.post_id == str(NEWS)
    [call] = fake.calls_of("send_message")
    assert call.chat == 2001  # the discussion group
    assert call.params["reply_to"] == int(spam.id)
    assert call.params["send_as"] == 1001  # on behalf of the channel
    again = {c.id: c for c in [c async for c in channel.comments(str(NEWS))]}
    assert again[answer.id].parent_id == spam.id
    assert again[answer.id].from_page


async def test_reply_in_a_deeper_thread(channel: TelegramChannel) -> None:
    comments = [c async for c in channel.comments(str(NEWS))]
    thanks = next(c for c in comments if c.text == "Спасибо!")
    with pytest.warns(ForeignServiceWarning):
        answer = await channel.reply(thanks, "Обращайтесь!")
    assert answer.thread_id == thanks.thread_id
    again = {c.id: c for c in [c async for c in channel.comments(str(NEWS))]}
    assert again[answer.id].thread_id == thanks.thread_id
    assert again[answer.id].parent_id == thanks.id


async def test_reply_refusals(channel: TelegramChannel, fake: FakeTelegram) -> None:
    comments = [c async for c in channel.comments(str(NEWS))]
    calls = len(fake.calls)
    with pytest.raises(ValidationError, match="пустым"):
        await channel.reply(comments[0], "  ")
    with pytest.raises(ValidationError, match="4096"):
        await channel.reply(comments[0], "я" * 4097)
    alien = comments[0].model_copy(update={"platform": Platform.VK})
    with pytest.raises(ValidationError, match="не с этой страницы"):
        await channel.reply(alien, "Ответ")
    assert len(fake.calls) == calls  # refused before any request


async def test_reply_without_admin_rights_in_channel(fake: FakeTelegram) -> None:
    fake.chats[1001].admin = False
    page = TelegramChannel(CHANNEL, client=fake)
    question = [c async for c in page.comments(str(NEWS))][0]
    with pytest.warns(ForeignServiceWarning), pytest.raises(PermissionDenied) as caught:
        await page.reply(question, "Ответ")
    assert caught.value.code == "SEND_AS_PEER_INVALID"


async def test_delete_comment(channel: TelegramChannel, fake: FakeTelegram) -> None:
    comments = [c async for c in channel.comments(str(NEWS))]
    spam = next(c for c in comments if c.text.startswith("Заработок"))
    await channel.delete_comment(spam)
    [call] = fake.calls_of("delete_messages")
    assert call.chat == 2001 and call.params["ids"] == [int(spam.id)]
    assert spam.id not in {c.id async for c in channel.comments(str(NEWS))}
    with pytest.raises(NotFound, match="уже удалён"):
        await channel.delete_comment(spam)


async def test_delete_comment_without_rights(fake: FakeTelegram) -> None:
    fake.chats[2001].admin = False
    page = TelegramChannel(CHANNEL, client=fake)
    victim = [c async for c in page.comments(str(NEWS))][0]
    with pytest.raises(PermissionDenied) as caught:
        await page.delete_comment(victim)
    assert caught.value.code == "MESSAGE_DELETE_FORBIDDEN"


# -- error mapping -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "code", "expected", "native"),
    [
        ("FLOOD_WAIT_999", None, RateLimited, "FLOOD_WAIT"),
        ("CHAT_ADMIN_REQUIRED", None, PermissionDenied, "CHAT_ADMIN_REQUIRED"),
        ("CHAT_WRITE_FORBIDDEN", None, PermissionDenied, "CHAT_WRITE_FORBIDDEN"),
        ("CHANNEL_PRIVATE", None, NotFound, "CHANNEL_PRIVATE"),
        ("USERNAME_NOT_OCCUPIED", None, NotFound, "USERNAME_NOT_OCCUPIED"),
        ("MESSAGE_ID_INVALID", None, NotFound, "MESSAGE_ID_INVALID"),
        ("AUTH_KEY_UNREGISTERED", None, AuthError, "AUTH_KEY_UNREGISTERED"),
        ("SESSION_REVOKED", None, AuthError, "SESSION_REVOKED"),
        ("MESSAGE_TOO_LONG", None, ValidationError, "MESSAGE_TOO_LONG"),
        ("NEW_UNKNOWN_THING", 400, ValidationError, "NEW_UNKNOWN_THING"),
        ("INTERNAL", 500, ServerError, "INTERNAL"),
        ("NO_WORKERS_RUNNING", -500, ServerError, "NO_WORKERS_RUNNING"),
        ("SEE_OTHER", 303, PlatformError, "SEE_OTHER"),
    ],
)
async def test_telethon_errors_are_mapped(
    fake: FakeTelegram,
    error: str,
    code: int | None,
    expected: type[GospagesError],
    native: str,
) -> None:
    fake.request_retries = 0
    fake.fail_next("get_full_channel", error=error, code=code)
    with pytest.raises(expected) as caught:
        await TelegramChannel(CHANNEL, client=fake).profile()
    assert type(caught.value) is expected
    assert caught.value.platform is Platform.TELEGRAM
    assert caught.value.code == native
    assert caught.value.method == "GetFullChannelRequest"
    assert "Telegram" in str(caught.value)


@pytest.mark.parametrize(
    "exception", [ConnectionError("reset"), TimeoutError(), OSError("network unreachable")]
)
async def test_network_errors_are_mapped(fake: FakeTelegram, exception: Exception) -> None:
    fake.fail_next("iter_messages", exception=exception)
    with pytest.raises(NetworkError) as caught:
        _ = [p async for p in TelegramChannel(CHANNEL, client=fake).posts()]
    assert caught.value.platform is Platform.TELEGRAM
    assert caught.value.method == "iter_messages"


async def test_unknown_channel_and_revoked_session(fake: FakeTelegram) -> None:
    with pytest.raises(NotFound) as caught:
        await TelegramChannel("nobody_here", client=fake).profile()
    assert caught.value.code == "USERNAME_NOT_OCCUPIED"
    with pytest.raises(NotFound, match="не найден"):  # Telethon's ValueError for an id
        await TelegramChannel(-1000000000042, client=fake).profile()
    fake.add_channel(3001, "Группа", username="ensk_chat").broadcast = False
    with pytest.raises(NotFound, match="не канал"):
        await TelegramChannel("ensk_chat", client=fake).profile()
    fake.revoke_session()
    with pytest.raises(AuthError, match="создайте строку сессии заново"):
        await TelegramChannel(CHANNEL, client=fake).profile()


def test_translate_error_units() -> None:
    request = functions.messages.SendMessageRequest(
        peer=types.InputPeerChannel(channel_id=1, access_hash=2), message="x"
    )
    flood = translate_error(errors.FloodWaitError(request, capture=42), "send_message")
    assert isinstance(flood, RateLimited) and flood.retry_after == 42.0
    assert flood.method == "SendMessageRequest"
    bad_gateway = translate_error(errors.RPCError(request, "BAD_GATEWAY", 502), "x")
    assert isinstance(bad_gateway, ServerError)
    assert isinstance(
        translate_error(errors.TimedOutError(request, "Timeout", -503), "x"), ServerError
    )
    mine = NotFound("x")
    assert translate_error(mine, "x") is mine


# -- secrets: the session string never shows ---------------------------------------------


def test_connect_configures_telethon_and_hides_the_session(
    caplog: pytest.LogCaptureFixture,
) -> None:
    session = session_string()
    client = connect(
        12345,
        "0123456789abcdef0123456789abcdef",
        session,
        request_retries=2,
        flood_sleep_threshold=30,
    )
    telethon_client = client.client
    assert telethon_client.flood_sleep_threshold == 30
    assert telethon_client._request_retries == 2
    assert telethon_client._raise_last_call_error is True  # the last error, not ValueError
    assert isinstance(telethon_client.session, StringSession)
    assert telethon_client.session.save() == session  # the one given, not a shared file
    assert not telethon_client.is_connected()  # nothing sent before the first call

    page = TelegramChannel(CHANNEL, client=client)
    for text in (repr(client), str(client), repr(page), str(page), repr(page.capabilities())):
        assert session not in text
        assert "0123456789abcdef0123456789abcdef" not in text
    assert redact(f"session={session}") == "session=***"

    handler = logging.Handler()
    handler.addFilter(RedactingFilter())
    records: list[str] = []
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("telethon.test")
    logger.addHandler(handler)
    try:
        logger.warning("connecting with %s", session)
    finally:
        logger.removeHandler(handler)
    assert records == ["connecting with ***"]

    leaked = translate_error(RuntimeError(f"odd failure {session}"), "get_entity")
    assert session not in str(leaked) and session not in repr(leaked)


@pytest.mark.parametrize(
    ("session", "words"),
    [("", "пустая строка сессии"), ("2abc", "повреждена"), ("1" + "A" * 20, "повреждена")],
)
def test_connect_refuses_bad_sessions_without_echoing(session: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words) as caught:
        connect(1, "0123456789abcdef0123456789abcdef", session)
    if session:
        assert session not in str(caught.value)


def test_connect_refuses_bad_settings() -> None:
    with pytest.raises(ValidationError, match="api_id"):
        connect("abc", "hash-hash", session_string())
    with pytest.raises(ValidationError, match="отрицательными"):
        connect(1, "hash-hash", session_string(), request_retries=-1)


# -- the real adapter over a stand-in TelegramClient ------------------------------------


class RecordingClient:
    """What TelethonClient calls on a TelegramClient, recorded."""

    api_id = 12345

    def __init__(self, *, authorized: bool = True) -> None:
        self.authorized = authorized
        self.connected = False
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def is_connected(self) -> bool:
        return self.connected

    async def connect(self) -> None:
        self.calls.append(("connect", (), {}))
        self.connected = True

    async def disconnect(self) -> None:
        self.calls.append(("disconnect", (), {}))
        self.connected = False

    async def is_user_authorized(self) -> bool:
        return self.authorized

    async def __call__(self, request: Any) -> Any:
        self.calls.append(("call", (request,), {}))
        return "full"

    async def get_entity(self, entity: Any) -> Any:
        self.calls.append(("get_entity", (entity,), {}))
        return "entity"

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(("send_message", args, kwargs))
        return "message"

    async def send_file(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(("send_file", args, kwargs))
        files = args[1]
        if isinstance(files, list):
            return [types.Message(id=i, peer_id=None, date=None, message="") for i in (11, 10)]
        return types.Message(id=10, peer_id=None, date=None, message="")

    async def delete_messages(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(("delete_messages", args, kwargs))
        return [types.messages.AffectedMessages(pts=1, pts_count=1)]

    async def iter_messages(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        self.calls.append(("iter_messages", args, kwargs))
        yield "m1"


async def test_adapter_forwards_to_telethon() -> None:
    stub = RecordingClient()
    client = TelethonClient(stub)  # type: ignore[arg-type]
    assert await client.get_entity("ensk_adm") == "entity"
    assert await client.get_full_channel("chan") == "full"
    when = datetime(2030, 1, 1, tzinfo=timezone.utc)
    await client.send_message("chan", "**как есть**", reply_to=5, send_as="me", schedule=when)
    one = await client.send_photos("chan", [("a.jpg", JPEG)], caption="подпись")
    two = await client.send_photos("chan", [("a.jpg", JPEG), ("b.png", JPEG)])
    await client.send_poll("chan", "poll-media", schedule=when)
    await client.delete_messages("group", (7, 8))
    got = [m async for m in client.iter_messages("chan", reply_to=3, reverse=True)]
    await client.disconnect()
    await client.disconnect()

    names = [c[0] for c in stub.calls]
    assert names.count("connect") == 1  # connected once, lazily
    [(_, (request,), _)] = [c for c in stub.calls if c[0] == "call"]
    assert isinstance(request, functions.channels.GetFullChannelRequest)
    [send] = [c for c in stub.calls if c[0] == "send_message"]
    assert send[1] == ("chan", "**как есть**")
    assert send[2] == {"parse_mode": None, "reply_to": 5, "send_as": "me", "schedule": when}
    single, album, poll = [c for c in stub.calls if c[0] == "send_file"]
    assert isinstance(single[1][1], io.BytesIO) and single[1][1].name == "a.jpg"
    assert single[2]["caption"] == "подпись" and single[2]["parse_mode"] is None
    assert [f.name for f in album[1][1]] == ["a.jpg", "b.png"]
    assert poll[1] == ("chan", "poll-media") and poll[2] == {"schedule": when}
    assert [m.id for m in one] == [10] and [m.id for m in two] == [10, 11]
    [delete] = [c for c in stub.calls if c[0] == "delete_messages"]
    assert delete[1] == ("group", [7, 8])
    [history] = [c for c in stub.calls if c[0] == "iter_messages"]
    assert history[2]["reply_to"] == 3 and history[2]["reverse"] is True
    assert got == ["m1"]
    assert names.count("disconnect") == 1


async def test_adapter_refuses_an_unauthorised_session() -> None:
    stub = RecordingClient(authorized=False)
    client = TelethonClient(stub)  # type: ignore[arg-type]
    with pytest.raises(AuthError, match="не авторизована"):
        await TelegramChannel(CHANNEL, client=client).profile()
    assert [c[0] for c in stub.calls] == ["connect", "disconnect"]


# -- lifecycle, sync facade, splitting ---------------------------------------------------


async def test_aclose_closes_the_client_once(fake: FakeTelegram) -> None:
    page = TelegramChannel(CHANNEL, client=fake)
    await page.aclose()
    await page.aclose()
    assert fake.disconnects == 1
    async with TelegramChannel(CHANNEL, client=fake, close_client=False):
        pass
    assert fake.disconnects == 1


def test_sync_facade() -> None:
    fake = FakeTelegram.sample()
    with SyncPage(lambda: TelegramChannel(CHANNEL, client=fake)) as page:
        assert page.profile().members_count == 491
        assert [p.id for p in page.posts()][0] == str(NEWS)


def test_split_text_prefers_paragraphs_then_sentences_then_words() -> None:
    text = "Первый абзац. Ещё.\n\nВторой абзац, подлиннее. И ещё предложение."
    assert split_text(text, 40) == [
        "Первый абзац. Ещё.",
        "Второй абзац, подлиннее.",
        "И ещё предложение.",
    ]
    sentences = "Раз два три. Четыре пять шесть. Семь восемь."
    assert split_text(sentences, 32) == ["Раз два три. Четыре пять шесть.", "Семь восемь."]
    assert split_text("слово " * 10, 20) == [
        "слово слово слово",
        "слово слово слово",
        "слово слово слово",
        "слово",
    ]
    assert split_text("а" * 25, 10) == ["а" * 10, "а" * 10, "а" * 5]
    assert split_text("😀" * 6, 4) == ["😀😀", "😀😀", "😀😀"]
    assert split_text("Короткий текст.", 4096) == ["Короткий текст."]
    first = split_text("Раз. Два. Три. Четыре.", 100, first_limit=10)
    assert first == ["Раз. Два.", "Три. Четыре."]


async def test_an_earlier_identical_post_is_not_taken_for_a_lost_one(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    text = "Приём граждан переносится на понедельник"
    fake.add_post(1001, text, date=fake.now() - timedelta(seconds=60))
    fake.fail_next("send_message", exception=ConnectionError("refused before sending"))
    receipt = await channel.publish(Post(text=text))
    assert receipt.status is PublishStatus.NEEDS_CHECK
    assert receipt.post_id is None
    assert channel_texts(fake).count(text) == 1


async def test_reply_with_a_lost_answer_is_read_back(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    comments = [c async for c in channel.comments(since=fake.now() - timedelta(days=7))]
    question = next(c for c in comments if c.text.startswith("А записываться"))
    fake.fail_next("send_message", lose_response=True)
    with pytest.warns(ForeignServiceWarning):
        answer = await channel.reply(question, "Да, по телефону приёмной.")
    assert answer.parent_id == question.id and answer.from_page
    assert len(fake.calls_of("send_message")) == 1


async def test_reply_whose_fate_is_unknown_raises_outcome_unknown(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    comments = [c async for c in channel.comments(since=fake.now() - timedelta(days=7))]
    question = next(c for c in comments if c.text.startswith("А записываться"))
    fake.fail_next("send_message", exception=ConnectionError("refused"))
    with pytest.warns(ForeignServiceWarning), pytest.raises(OutcomeUnknown):
        await channel.reply(question, "Ответ, который не дошёл")
    assert len(fake.calls_of("send_message")) == 1


def test_split_text_refuses_a_limit_too_small_for_an_emoji() -> None:
    from gospages.telegram import split_text

    with pytest.raises(ValueError, match="at least 2"):
        split_text("😀x", 1)
    assert split_text("😀x", 2) == ["😀", "x"]


# -- receipts and deprecated names ---------------------------------------------------------


async def test_receipt_declares_message_ids(channel: TelegramChannel, fake: FakeTelegram) -> None:
    from gospages import PublishedPost
    from gospages.telegram import TelegramReceipt

    assert {"message_ids", "scheduled_ids"} <= set(TelegramReceipt.model_fields)
    receipt = await channel.publish(Post(text="Новость"))
    assert isinstance(receipt, TelegramReceipt) and isinstance(receipt, PublishedPost)
    assert receipt.message_ids == [receipt.post_id] and receipt.scheduled_ids == []
    assert receipt.model_extra in (None, {})  # nothing rides on extra="allow"
    later = await channel.publish(Post(text="Анонс", publish_at=fake.now() + timedelta(days=1)))
    assert isinstance(later, TelegramReceipt)
    assert later.message_ids == [] and later.scheduled_ids and later.post_id is None


def test_deprecated_limits_aliases() -> None:
    import gospages.telegram
    import gospages.vk

    with pytest.warns(DeprecationWarning, match="describe"):
        assert gospages.telegram.TELEGRAM_LIMITS["caption"] == 1024  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="describe"):
        assert gospages.vk.VK_LIMITS["text"] == describe(Platform.VK).limits.text  # type: ignore[attr-defined]
    assert "TELEGRAM_LIMITS" not in gospages.telegram.__all__
    assert "VK_LIMITS" not in gospages.vk.__all__


def test_check_and_problems(channel: TelegramChannel, fake: FakeTelegram) -> None:
    long = Post(text="я" * 5000)
    assert channel.problems(long) == [] and channel.notes(long)  # split, and said so
    refusing = TelegramChannel(CHANNEL, client=fake, long_text="refuse")
    [problem] = refusing.problems(long)
    assert "4096" in problem and refusing.notes(long) == []
    with pytest.raises(ValidationError, match="Публикация не пройдёт в Telegram"):
        refusing.check(long)
