"""The behaviour every OfficialPage backend must show.

A backend's test module subclasses :class:`OfficialPageContract` and provides the
``contract_env`` fixture: a page with full credentials on a sandbox that has at least
one recent post with a question, a thread with a reply, and a deleted comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from gospages import (
    Capabilities,
    Comment,
    OfficialPage,
    Operation,
    PageProfile,
    Post,
    PublishStatus,
    ValidationError,
    Verification,
    VerificationState,
)


@dataclass
class ContractEnv:
    page: OfficialPage
    post_with_comments: str
    """Id of a recent post that has a thread (a comment with a reply) and, where the
    platform shows them, a deleted comment."""


def _recent() -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=7)


class OfficialPageContract:
    #: Whether the platform shows deleted comments (VK does, as ``deleted``); where a
    #: deleted comment simply disappears (OK, Telegram) the contract cannot ask for one.
    supports_deleted_comments: bool = True

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
        since = _recent()
        posts = [p async for p in contract_env.page.posts(since=since)]
        assert posts
        assert all(p.date >= since for p in posts)
        dates = [p.date for p in posts if not p.is_pinned]
        assert dates == sorted(dates, reverse=True)
        until = posts[0].date - timedelta(seconds=1)
        older = [p async for p in contract_env.page.posts(since=since, until=until)]
        assert [p.id for p in older] == [p.id for p in posts if p.date <= until]

    async def test_naive_datetimes_are_refused(self, contract_env: ContractEnv) -> None:
        with pytest.raises(ValidationError, match="часовым поясом"):
            _ = [p async for p in contract_env.page.posts(since=datetime(2026, 1, 1))]

    async def test_comments_include_threads_and_deleted(self, contract_env: ContractEnv) -> None:
        comments = [c async for c in contract_env.page.comments(contract_env.post_with_comments)]
        assert comments
        ids = {c.id for c in comments}
        replies = [c for c in comments if c.parent_id is not None]
        assert replies, "the thread's replies are included"
        assert all(r.parent_id in ids for r in replies)
        if self.supports_deleted_comments:
            assert any(c.deleted for c in comments)
        assert all(c.post_id == contract_env.post_with_comments for c in comments)

    async def test_comments_of_all_recent_posts(self, contract_env: ContractEnv) -> None:
        everything = [c async for c in contract_env.page.comments(since=_recent())]
        one = [c async for c in contract_env.page.comments(contract_env.post_with_comments)]
        assert {c.id for c in one} <= {c.id for c in everything}

    async def test_publish_then_read_back(self, contract_env: ContractEnv) -> None:
        post = Post(text="Контрактный тест: публикация")
        receipt = await contract_env.page.publish(post)
        assert receipt.status is PublishStatus.PUBLISHED
        assert receipt.post_id
        latest = [p async for p in contract_env.page.posts(since=_recent())]
        assert any(p.id == receipt.post_id and p.text == post.text for p in latest)

    async def test_scheduled_post_is_not_on_the_wall_yet(self, contract_env: ContractEnv) -> None:
        when = datetime.now(timezone.utc) + timedelta(days=2)
        receipt = await contract_env.page.publish(
            Post(text="Контрактный тест: позже", publish_at=when)
        )
        assert receipt.status is PublishStatus.SCHEDULED
        assert receipt.publish_at == when
        visible = [p async for p in contract_env.page.posts(since=_recent())]
        assert all(p.id != receipt.post_id for p in visible)
        assert all(p.text != "Контрактный тест: позже" for p in visible)

    async def test_reply_appears_in_the_thread(self, contract_env: ContractEnv) -> None:
        page = contract_env.page
        comments = [c async for c in page.comments(contract_env.post_with_comments)]
        question = next(
            c for c in comments if c.parent_id is None and not c.deleted and not c.from_page
        )
        answer = await page.reply(question, "Спасибо за вопрос, ответим в течение дня.")
        assert isinstance(answer, Comment)
        assert answer.parent_id == question.id
        assert answer.from_page
        again = [c async for c in page.comments(contract_env.post_with_comments)]
        found = next(c for c in again if c.id == answer.id)
        assert found.parent_id == question.id
        assert found.text == answer.text

    async def test_delete_comment(self, contract_env: ContractEnv) -> None:
        page = contract_env.page
        comments = [c async for c in page.comments(contract_env.post_with_comments)]
        victim = next(c for c in comments if not c.deleted and not c.from_page)
        await page.delete_comment(victim)
        after = {c.id: c for c in [c async for c in page.comments(contract_env.post_with_comments)]}
        assert victim.id not in after or after[victim.id].deleted

    async def test_empty_reply_is_refused_before_any_request(
        self, contract_env: ContractEnv
    ) -> None:
        comments = [c async for c in contract_env.page.comments(contract_env.post_with_comments)]
        with pytest.raises(ValidationError):
            await contract_env.page.reply(comments[0], "   ")

    async def test_aclose_twice_and_context_manager(self, contract_env: ContractEnv) -> None:
        async with contract_env.page as page:
            assert page is contract_env.page
        await contract_env.page.aclose()
