"""The behaviour every `gospages.OfficialPage` backend must show, as a pytest suite.

It ships with gospages (as fsspec ships its abstract tests) so that a backend of your
own, or a live page, can be held to the same contract as VK, OK and Telegram. Subclass
:class:`OfficialPageContract` in a test module and provide a ``contract_env`` fixture
that yields a :class:`ContractEnv`::

    import pytest
    from gospages.testing.contract import ContractEnv, OfficialPageContract

    class TestMyBackend(OfficialPageContract):
        supports_deleted_comments = False

        @pytest.fixture
        async def contract_env(self):
            async with MyPage("sandbox", client=my_fake) as page:
                yield ContractEnv(page=page, post_with_comments="42")

The page must have full credentials on a sandbox with at least one recent post (within
:attr:`OfficialPageContract.recent`) that has a question and a thread (a comment with a
reply) and, where the platform shows them, a deleted comment. Optional parts of the
environment switch on more checks; without them those tests are skipped:

* ``lose_next_answer(operation)``: make the platform commit the next write of
  ``operation`` and lose its answer (a timeout for the client);
* ``limited_page``: the same page opened with fewer rights (a read-only key).

The tests are coroutines: run them with pytest-asyncio (``asyncio_mode = "auto"``, or
mark your async fixture with ``pytest_asyncio.fixture``). This module imports pytest;
``gospages.testing`` itself does not import it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import pytest

from .._errors import NotFound, OutcomeUnknown, PermissionDenied, ValidationError
from .._models import (
    Capabilities,
    Comment,
    Operation,
    PageProfile,
    Photo,
    Platform,
    Poll,
    Post,
    PostSummary,
    PublishStatus,
    Verification,
    VerificationState,
)
from .._page import OfficialPage

__all__ = ["MISSING_POST_ID", "ContractEnv", "OfficialPageContract"]

#: A post id no sandbox has: numeric, so that every platform's parser accepts it.
MISSING_POST_ID = "987654321"

# The smallest JPEG header a fake would take for a photo; the tests that send it expect
# the page to refuse before any upload.
_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@dataclass
class ContractEnv:
    """What one backend gives the contract: a page on a sandbox, and optional hooks."""

    page: OfficialPage
    """The page, opened with full credentials."""
    post_with_comments: str
    """Id of a recent post that has a thread (a comment with a reply), a top-level
    question from a citizen and, where the platform shows them, a deleted comment."""
    lose_next_answer: Callable[[Operation], None] | None = None
    """Make the next write of the operation be committed by the platform with its
    answer lost on the way back. ``None``: the lost-write tests are skipped."""
    limited_page: OfficialPage | None = None
    """The same page with limited credentials (a read-only key), for the test that
    capabilities agree with the errors raised. ``None``: only ``page`` is checked."""
    missing_post_id: str = MISSING_POST_ID
    """A post id that does not exist on the page."""


def _unique(label: str) -> str:
    return f"Контрактный тест: {label} {uuid.uuid4().hex[:8]}"


async def _all(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


class OfficialPageContract:
    """The contract tests; subclass with a ``contract_env`` fixture (see the module)."""

    #: Whether the platform shows deleted comments (VK does, as ``deleted``); where a
    #: deleted comment simply disappears (OK, Telegram) the contract cannot ask for one.
    supports_deleted_comments: ClassVar[bool] = True
    #: Skip every test that writes to the page (live pages without consent to write).
    read_only: ClassVar[bool] = False
    #: How far back the sandbox's recent posts go.
    recent: ClassVar[timedelta] = timedelta(days=7)

    def _since(self) -> datetime:
        return datetime.now(timezone.utc) - self.recent

    def _writes(self) -> None:
        if self.read_only:
            pytest.skip("тест пишет на страницу, а окружение только для чтения")

    async def _question(self, env: ContractEnv) -> Comment:
        comments: list[Comment] = await _all(env.page.comments(env.post_with_comments))
        return next(
            c for c in comments if c.parent_id is None and not c.deleted and not c.from_page
        )

    async def _wall(self, env: ContractEnv) -> list[PostSummary]:
        return await _all(env.page.posts(since=self._since()))

    # -- reading ------------------------------------------------------------------------

    async def test_capabilities_are_known_before_any_call(self, contract_env: ContractEnv) -> None:
        caps = contract_env.page.capabilities()
        assert isinstance(caps, Capabilities)
        assert caps.platform == contract_env.page.platform
        for op in Operation:
            assert caps.can(op) == (op in caps.allowed)
            if not caps.can(op):
                assert caps.missing[op]  # every refusal says why

    async def test_profile(self, contract_env: ContractEnv) -> None:
        profile = await contract_env.page.profile()
        assert isinstance(profile, PageProfile)
        assert profile.platform == contract_env.page.platform
        assert profile.name
        assert profile.members_count is None or profile.members_count >= 0

    async def test_verification_is_one_of_three_states(self, contract_env: ContractEnv) -> None:
        verification = await contract_env.page.verification()
        assert isinstance(verification, Verification)
        assert verification.state in set(VerificationState)
        assert verification.explanation

    async def test_posts_are_newest_first_and_within_range(self, contract_env: ContractEnv) -> None:
        since = self._since()
        posts = await _all(contract_env.page.posts(since=since))
        assert posts
        assert all(p.date >= since for p in posts)
        dates = [p.date for p in posts if not p.is_pinned]
        assert dates == sorted(dates, reverse=True)
        until = posts[0].date - timedelta(seconds=1)
        older = await _all(contract_env.page.posts(since=since, until=until))
        assert [p.id for p in older] == [p.id for p in posts if p.date <= until]

    async def test_naive_datetimes_are_refused(self, contract_env: ContractEnv) -> None:
        with pytest.raises(ValidationError, match="часовым поясом"):
            await _all(contract_env.page.posts(since=datetime(2026, 1, 1)))

    async def test_comments_include_threads_and_deleted(self, contract_env: ContractEnv) -> None:
        comments = await _all(contract_env.page.comments(contract_env.post_with_comments))
        assert comments
        ids = {c.id for c in comments}
        replies = [c for c in comments if c.parent_id is not None]
        assert replies, "the thread's replies are included"
        assert all(r.parent_id in ids for r in replies)
        if self.supports_deleted_comments:
            assert any(c.deleted for c in comments)
        assert all(c.post_id == contract_env.post_with_comments for c in comments)

    async def test_comments_of_all_recent_posts(self, contract_env: ContractEnv) -> None:
        everything = await _all(contract_env.page.comments(since=self._since()))
        one = await _all(contract_env.page.comments(contract_env.post_with_comments))
        assert {c.id for c in one} <= {c.id for c in everything}

    async def test_comments_of_a_missing_post_are_not_found(
        self, contract_env: ContractEnv
    ) -> None:
        with pytest.raises(NotFound):
            await _all(contract_env.page.comments(contract_env.missing_post_id))

    # -- writing ------------------------------------------------------------------------

    async def test_publish_then_read_back(self, contract_env: ContractEnv) -> None:
        self._writes()
        post = Post(text=_unique("публикация"))
        receipt = await contract_env.page.publish(post)
        assert receipt.status is PublishStatus.PUBLISHED
        assert receipt.post_id
        latest = await self._wall(contract_env)
        assert any(p.id == receipt.post_id and p.text == post.text for p in latest)

    async def test_scheduled_post_is_not_on_the_wall_yet(self, contract_env: ContractEnv) -> None:
        self._writes()
        if not contract_env.page.capabilities().can(Operation.SCHEDULE):
            pytest.skip("площадка не откладывает публикации (её отказ проверяет другой тест)")
        when = datetime.now(timezone.utc) + timedelta(days=2)
        text = _unique("позже")
        receipt = await contract_env.page.publish(Post(text=text, publish_at=when))
        assert receipt.status is PublishStatus.SCHEDULED
        assert receipt.publish_at == when
        visible = await self._wall(contract_env)
        assert all(p.id != receipt.post_id for p in visible)
        assert all(p.text != text for p in visible)

    async def test_lost_publish_is_read_back_not_duplicated(
        self, contract_env: ContractEnv
    ) -> None:
        """The platform commits the post but its answer is lost: the page must find the
        post (``published``) or say it cannot tell (``needs_check``), and never post twice."""
        self._writes()
        if contract_env.lose_next_answer is None:
            pytest.skip("окружение не умеет терять ответ платформы (lose_next_answer)")
        post = Post(text=_unique("ответ потерян"))
        contract_env.lose_next_answer(Operation.PUBLISH)
        try:
            receipt = await contract_env.page.publish(post)
        except OutcomeUnknown:
            receipt = None  # allowed: the page refuses to guess
        wall = [p for p in await self._wall(contract_env) if p.text == post.text]
        assert len(wall) == 1, "the post is on the wall exactly once"
        if receipt is not None:
            assert receipt.status in (PublishStatus.PUBLISHED, PublishStatus.NEEDS_CHECK)
            if receipt.status is PublishStatus.PUBLISHED:
                assert receipt.post_id == wall[0].id
            else:
                assert receipt.note

    async def test_reply_appears_in_the_thread(self, contract_env: ContractEnv) -> None:
        self._writes()
        page = contract_env.page
        question = await self._question(contract_env)
        answer = await page.reply(question, "Спасибо за вопрос, ответим в течение дня.")
        assert isinstance(answer, Comment)
        assert answer.parent_id == question.id
        assert answer.from_page
        again = await _all(page.comments(contract_env.post_with_comments))
        found = next(c for c in again if c.id == answer.id)
        assert found.parent_id == question.id
        assert found.text == answer.text

    async def test_delete_comment(self, contract_env: ContractEnv) -> None:
        self._writes()
        page = contract_env.page
        comments = await _all(page.comments(contract_env.post_with_comments))
        victim = next(c for c in comments if not c.deleted and not c.from_page)
        await page.delete_comment(victim)
        after = {c.id: c for c in await _all(page.comments(contract_env.post_with_comments))}
        assert victim.id not in after or after[victim.id].deleted

    async def test_empty_reply_is_refused_before_any_request(
        self, contract_env: ContractEnv
    ) -> None:
        comments = await _all(contract_env.page.comments(contract_env.post_with_comments))
        with pytest.raises(ValidationError):
            await contract_env.page.reply(comments[0], "   ")

    async def test_comment_of_another_page_is_refused(self, contract_env: ContractEnv) -> None:
        self._writes()  # a backend that fails this would touch the page
        page = contract_env.page
        question = await self._question(contract_env)
        other_platform = next(p for p in Platform if p is not page.platform)
        strangers = [
            question.model_copy(update={"page": "another_page_of_someone_else"}),
            question.model_copy(update={"platform": other_platform}),
        ]
        for stranger in strangers:
            with pytest.raises(ValidationError):
                await page.reply(stranger, "Ответ не на той странице")
            with pytest.raises(ValidationError):
                await page.delete_comment(stranger)
        after = {c.id for c in await _all(page.comments(contract_env.post_with_comments))}
        assert question.id in after  # nothing was deleted

    async def test_ban_works_or_is_refused_as_capabilities_say(
        self, contract_env: ContractEnv
    ) -> None:
        self._writes()
        page = contract_env.page
        question = await self._question(contract_env)
        assert question.author_id
        until = datetime.now(timezone.utc) + timedelta(days=1)
        if page.capabilities().can(Operation.BAN):
            await page.ban(question.author_id, until=until, reason="контрактный тест")
        else:
            with pytest.raises(PermissionDenied):
                await page.ban(question.author_id, until=until, reason="контрактный тест")

    # -- capabilities against the errors actually raised ---------------------------------

    def _calls(
        self, page: OfficialPage, env: ContractEnv, comment: Comment
    ) -> dict[Operation, Callable[[], Awaitable[Any]]]:
        later = datetime.now(timezone.utc) + timedelta(days=2)
        return {
            Operation.PROFILE: page.profile,
            Operation.VERIFICATION: page.verification,
            Operation.POSTS: lambda: _all(page.posts(since=self._since())),
            Operation.COMMENTS: lambda: _all(page.comments(env.post_with_comments)),
            Operation.PUBLISH: lambda: page.publish(Post(text=_unique("без прав"))),
            Operation.PUBLISH_PHOTOS: lambda: page.publish(
                Post(text=_unique("фото без прав"), attachments=[Photo.from_bytes(_JPEG)])
            ),
            Operation.PUBLISH_POLLS: lambda: page.publish(
                Post(
                    text=_unique("опрос без прав"),
                    attachments=[Poll(question="Контрактный тест?", answers=["Да", "Нет"])],
                )
            ),
            Operation.SCHEDULE: lambda: page.publish(
                Post(text=_unique("отложенная без прав"), publish_at=later)
            ),
            Operation.REPLY: lambda: page.reply(comment, "Ответ без прав"),
            Operation.DELETE_COMMENT: lambda: page.delete_comment(comment),
            Operation.BAN: lambda: page.ban(comment.author_id or "1", reason="без прав"),
        }

    async def _check_refusals(self, page: OfficialPage, env: ContractEnv) -> None:
        comment = await self._question(env)
        caps = page.capabilities()
        calls = self._calls(page, env, comment)
        assert set(calls) == set(Operation), "the contract covers every Operation"
        for op in Operation:
            if caps.can(op):
                if op in (Operation.PROFILE, Operation.POSTS, Operation.VERIFICATION):
                    await calls[op]()  # an allowed read works
                continue
            if self.read_only and op not in (
                Operation.PROFILE,
                Operation.VERIFICATION,
                Operation.POSTS,
                Operation.COMMENTS,
            ):
                continue
            try:
                await calls[op]()
            except PermissionDenied:  # TokenTypeError is a PermissionDenied too
                continue
            pytest.fail(
                f"{op.value}: capabilities говорят «{caps.missing.get(op)}», "
                "а вызов не поднял PermissionDenied"
            )

    async def test_refused_operations_raise_permission_denied(
        self, contract_env: ContractEnv
    ) -> None:
        """Every operation the capabilities do not allow raises PermissionDenied."""
        await self._check_refusals(contract_env.page, contract_env)

    async def test_limited_credentials_agree_with_capabilities(
        self, contract_env: ContractEnv
    ) -> None:
        limited = contract_env.limited_page
        if limited is None:
            pytest.skip("окружение без страницы с ограниченными правами (limited_page)")
        assert limited.platform is contract_env.page.platform
        caps = limited.capabilities()
        assert caps.allowed < contract_env.page.capabilities().allowed, "fewer rights"
        await self._check_refusals(limited, contract_env)

    # -- lifecycle ----------------------------------------------------------------------

    async def test_aclose_twice_and_context_manager(self, contract_env: ContractEnv) -> None:
        async with contract_env.page as page:
            assert page is contract_env.page
        await contract_env.page.aclose()
