"""The algorithms `OfficialPage` derives, tested once on a minimal in-memory backend that
implements only the primitives: the date window, the comment walk, the checks against
the platform's limits, and the read-back after a lost write (`_reconcile`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from gospages import (
    Capabilities,
    Comment,
    GospagesError,
    NetworkError,
    Operation,
    OutcomeUnknown,
    PageProfile,
    Platform,
    Post,
    PostSummary,
    PublishStatus,
    ServerError,
    ValidationError,
    Verification,
    VerificationState,
)
from gospages._page import OfficialPage, Written, in_window
from gospages._platforms import describe

T0 = datetime(2025, 3, 1, 12, tzinfo=timezone.utc)


class MemoryPage(OfficialPage):
    """Posts and comments in lists; writes can be made to lose their answer."""

    platform = Platform.VK  # any platform: its descriptor's limits apply

    def __init__(self) -> None:
        self.posts_: list[PostSummary] = []  # newest first
        self.comments_: dict[str, list[Comment]] = {}
        self.read: list[str] = []  # post ids whose comments were read
        self.sent: list[str] = []
        self.lose_answer: type[GospagesError] | None = None  # the write happens, the answer is lost
        self.drop_write = False  # with lose_answer: the write did not happen either
        self.unreadable = False
        self.baselines = 0

    # -- the primitives ----------------------------------------------------------------

    @property
    def page_id(self) -> str:
        return "memory"

    def capabilities(self) -> Capabilities:
        return Capabilities(platform=self.platform, allowed=frozenset(Operation))

    async def profile(self) -> PageProfile:
        return PageProfile(platform=self.platform, id="memory", name="Память")

    async def verification(self) -> Verification:
        return Verification(platform=self.platform, page="memory", state=VerificationState.UNKNOWN)

    async def aclose(self) -> None:
        return None

    async def _posts(
        self, since: datetime | None, until: datetime | None
    ) -> AsyncIterator[PostSummary]:
        for post in self.posts_:  # everything: the base keeps the window
            yield post

    async def _post_comments(self, post_id: str, since: datetime | None) -> AsyncIterator[Comment]:
        self.read.append(post_id)
        if self.unreadable:
            raise NetworkError("нет связи", platform=self.platform)
        for comment in self.comments_.get(post_id, []):
            yield comment

    def _write(self) -> None:
        if self.lose_answer is not None:
            error = self.lose_answer("ответ потерян", platform=self.platform)
            if self.drop_write:
                raise error
            self._pending_error = error

    async def _send_post(self, post: Post, prepared: Any) -> str:
        self._write()
        post_id = str(len(self.posts_) + 1)
        self.posts_.insert(
            0,
            PostSummary(platform=self.platform, page="memory", id=post_id, date=T0, text=post.text),
        )
        self.sent.append(post_id)
        if self.lose_answer is not None:
            raise self._pending_error
        return post_id

    async def _baseline(self, post: Post, prepared: Any) -> set[str] | None:
        self.baselines += 1
        return None if self.unreadable else {p.id for p in self.posts_}

    async def _find_written(self, post: Post, prepared: Any, baseline: set[str]) -> str | None:
        return next(
            (p.id for p in self.posts_ if p.id not in baseline and p.text == post.text), None
        )

    def _post_url(self, prepared: Any, post_id: str) -> str:
        return f"memory://{post_id}"

    async def _reply_baseline(self, comment: Comment, target: Any) -> frozenset[str]:
        return frozenset(c.id for c in self.comments_.get(comment.post_id, []))

    async def _send_reply(self, comment: Comment, text: str, target: Any) -> Comment:
        self._write()
        thread = self.comments_.setdefault(comment.post_id, [])
        answer = comment.model_copy(
            update={
                "id": f"r{len(thread)}",
                "text": text,
                "parent_id": comment.id,
                "from_page": True,
            }
        )
        thread.append(answer)
        self.sent.append(answer.id)
        if self.lose_answer is not None:
            raise self._pending_error
        return answer

    async def _send_delete(self, comment: Comment) -> None:
        self.sent.append(f"delete {comment.id}")


def post_at(page: MemoryPage, post_id: str, date: datetime, comments: int | None) -> None:
    page.posts_.append(
        PostSummary(
            platform=Platform.VK, page="memory", id=post_id, date=date, comments_count=comments
        )
    )


def comment(post_id: str, comment_id: str, date: datetime | None, **extra: Any) -> Comment:
    return Comment(
        platform=Platform.VK,
        page="memory",
        id=comment_id,
        post_id=post_id,
        author_id="7",
        date=date,
        text=extra.pop("text", "Вопрос"),
        **extra,
    )


@pytest.fixture
def page() -> MemoryPage:
    page = MemoryPage()
    post_at(page, "3", T0, comments=2)
    post_at(page, "2", T0 - timedelta(days=2), comments=0)
    post_at(page, "1", T0 - timedelta(days=5), comments=None)  # count unknown
    page.comments_ = {
        "3": [
            comment("3", "a", T0 + timedelta(hours=1)),
            comment("3", "b", T0 - timedelta(days=9)),
        ],
        "2": [comment("2", "c", T0)],
        "1": [comment("1", "d", None), comment("1", "e", T0 - timedelta(days=6))],
    }
    return page


# -- the date window ---------------------------------------------------------------------


def test_in_window() -> None:
    assert in_window(T0, T0, T0)
    assert not in_window(T0, T0 + timedelta(seconds=1))
    assert not in_window(T0, None, T0 - timedelta(seconds=1))
    assert in_window(None, T0, T0)  # an unknown date is not dropped


async def test_posts_keep_the_window(page: MemoryPage) -> None:
    ids = [
        p.id async for p in page.posts(since=T0 - timedelta(days=3), until=T0 - timedelta(days=1))
    ]
    assert ids == ["2"]
    assert [p.id async for p in page.posts()] == ["3", "2", "1"]


async def test_naive_dates_are_refused(page: MemoryPage) -> None:
    with pytest.raises(ValidationError, match="часовым поясом"):
        _ = [p async for p in page.posts(since=datetime(2025, 1, 1))]
    with pytest.raises(ValidationError, match="часовым поясом"):
        _ = [c async for c in page.comments(since=datetime(2025, 1, 1))]


# -- the comment walk --------------------------------------------------------------------


async def test_walk_reads_posts_that_may_have_comments(page: MemoryPage) -> None:
    ids = [c.id async for c in page.comments()]
    assert ids == ["a", "b", "d", "e"]
    assert page.read == ["3", "1"]  # post 2 says it has none: not read


async def test_walk_since_skips_old_posts_and_old_comments(page: MemoryPage) -> None:
    ids = [c.id async for c in page.comments(since=T0 - timedelta(days=1))]
    assert ids == ["a"]  # "b" is older than since; posts 2 and 1 too
    assert page.read == ["3"]


async def test_one_post_keeps_comments_of_unknown_date(page: MemoryPage) -> None:
    ids = [c.id async for c in page.comments("1", since=T0 - timedelta(days=5, hours=1))]
    assert ids == ["d"]
    assert page.read == ["1"]


# -- checks against the platform's limits ------------------------------------------------


def test_problems_come_from_the_descriptor(page: MemoryPage) -> None:
    limit = describe(Platform.VK).limits.text
    assert limit is not None and page.limits.text == limit
    assert page.problems(Post(text="я" * limit)) == []
    [problem] = page.problems(Post(text="я" * (limit + 1)))
    assert str(limit) in problem


def test_scheduling_in_the_past_against_now(page: MemoryPage) -> None:
    post = Post(text="Анонс", publish_at=T0)
    assert page.problems(post, now=T0 - timedelta(minutes=1)) == []
    [problem] = page.problems(post, now=T0 + timedelta(minutes=1))
    assert "уже прошло" in problem
    with pytest.raises(ValidationError, match="уже прошло") as caught:
        page.check(post)  # now: T0 is long past
    assert caught.value.platform is Platform.VK


async def test_publish_checks_before_any_request(page: MemoryPage) -> None:
    with pytest.raises(ValidationError, match="Публикация не пройдёт"):
        await page.publish(Post(text="я" * 20000))
    assert page.sent == [] and page.baselines == 0


# -- reply and delete validation --------------------------------------------------------


async def test_reply_refusals_before_any_request(page: MemoryPage) -> None:
    question = page.comments_["3"][0]
    with pytest.raises(ValidationError, match="пустым"):
        await page.reply(question, "  \n")
    limit = describe(Platform.VK).limits.comment_text
    assert limit is not None
    with pytest.raises(ValidationError, match=str(limit)):
        await page.reply(question, "я" * (limit + 1))
    for alien in (
        question.model_copy(update={"page": "other"}),
        question.model_copy(update={"platform": Platform.OK}),
    ):
        with pytest.raises(ValidationError, match="не с этой страницы"):
            await page.reply(alien, "Ответ")
        with pytest.raises(ValidationError, match="не с этой страницы"):
            await page.delete_comment(alien)
    assert page.sent == []
    await page.delete_comment(question)
    assert page.sent == ["delete a"]


# -- lost writes: one reconcile ----------------------------------------------------------


async def test_publish_answered(page: MemoryPage) -> None:
    receipt = await page.publish(Post(text="Новость"))
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.post_id == "4" and receipt.url == "memory://4" and receipt.note is None


@pytest.mark.parametrize("lost", [NetworkError, ServerError])
async def test_publish_lost_but_found(page: MemoryPage, lost: type[GospagesError]) -> None:
    page.lose_answer = lost
    receipt = await page.publish(Post(text="Новость"))
    assert receipt.status is PublishStatus.PUBLISHED and receipt.post_id == "4"
    assert receipt.note is not None and "найдена" in receipt.note
    assert page.sent == ["4"]  # read back, never sent twice


async def test_publish_lost_and_not_done(page: MemoryPage) -> None:
    page.lose_answer, page.drop_write = NetworkError, True
    receipt = await page.publish(Post(text="Новость"))
    assert receipt.status is PublishStatus.NEEDS_CHECK
    assert receipt.post_id is None and receipt.url is None
    assert receipt.note is not None and "NetworkError" in receipt.note


async def test_an_earlier_identical_post_is_not_taken(page: MemoryPage) -> None:
    await page.publish(Post(text="Новость"))
    page.lose_answer, page.drop_write = NetworkError, True
    receipt = await page.publish(Post(text="Новость"))
    assert receipt.status is PublishStatus.NEEDS_CHECK  # post 4 was there before


async def test_unreadable_baseline_means_needs_check(page: MemoryPage) -> None:
    page.lose_answer, page.unreadable = NetworkError, True
    receipt = await page.publish(Post(text="Новость"))
    assert receipt.status is PublishStatus.NEEDS_CHECK  # published, but nobody can tell
    assert page.sent == ["4"]


async def test_scheduled_receipt(page: MemoryPage) -> None:
    when = datetime.now(timezone.utc) + timedelta(days=1)
    receipt = await page.publish(Post(text="Анонс", publish_at=when))
    assert receipt.status is PublishStatus.SCHEDULED and receipt.publish_at == when


async def test_other_errors_are_not_reconciled(page: MemoryPage) -> None:
    page.lose_answer, page.drop_write = ValidationError, True
    with pytest.raises(ValidationError):
        await page.publish(Post(text="Новость"))


async def test_reply_lost_but_found(page: MemoryPage) -> None:
    question = page.comments_["3"][0]
    page.lose_answer = NetworkError
    answer = await page.reply(question, "Ответ")
    assert answer.from_page and answer.parent_id == "a" and answer.text == "Ответ"
    assert page.sent == [answer.id]


async def test_reply_lost_and_not_found_is_outcome_unknown(page: MemoryPage) -> None:
    question = page.comments_["3"][0]
    await page.reply(question, "Ответ")  # an earlier identical answer: not this one
    page.lose_answer, page.drop_write = ServerError, True
    with pytest.raises(OutcomeUnknown, match="ServerError"):
        await page.reply(question, "Ответ")


async def test_reply_read_back_that_fails_is_outcome_unknown(page: MemoryPage) -> None:
    question = page.comments_["3"][0]
    page.lose_answer, page.unreadable = NetworkError, True
    with pytest.raises(OutcomeUnknown):
        await page.reply(question, "Ответ")


async def test_reconcile_without_finder_keeps_the_error(page: MemoryPage) -> None:
    async def send() -> str:
        raise NetworkError("потерян", platform=Platform.VK)

    with pytest.raises(NetworkError):
        await page._reconcile(send)

    async def found(before: Any) -> str:
        assert before == "до"
        return "42"

    async def baseline() -> str:
        return "до"

    written = await page._reconcile(send, baseline=baseline, find=found)
    assert written == Written("42", lost=written.lost) and isinstance(written.lost, NetworkError)
    assert not written.unknown
