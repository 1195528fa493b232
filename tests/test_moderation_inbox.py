"""The comment inbox over the sandboxes, with a stand-in classifier (the real one has its
own tests): dry-run by default, exactly once when applied, the ban ladder, the audit log."""

from __future__ import annotations

import asyncio
import csv
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from gospages import Comment, Platform
from gospages.moderation._inbox import (
    JOURNAL_HEADERS,
    Action,
    ModerationStore,
    decide,
    moderate,
)
from gospages.registry import PageRef
from gospages.requirements import load_policy
from gospages.testing import sample_ok, sample_vk
from gospages.vk import VKLimits, VKPage


@dataclass(frozen=True)
class Verdict:
    labels: frozenset[str]
    reasons: list[str] = field(default_factory=list)


class Keywords:
    """A stand-in classifier: spam for «заработок», obscene for «х*й», PD for phones."""

    def classify(self, text: str) -> Verdict:
        low = text.lower()
        labels = set()
        if "заработок" in low:
            labels.add("spam")
        if "х*й" in low:
            labels.add("obscene")
        if "+7 9" in low:
            labels.add("personal_data")
        return Verdict(frozenset(labels), [f"нашлось в «{text[:20]}»"] if labels else [])


@pytest.fixture
def vk(tmp_path: Path) -> Any:
    sandbox = sample_vk(rate_limits=False)
    ref = PageRef(platform=Platform.VK, page=sandbox.district)

    def open_page(_: PageRef) -> VKPage:
        return VKPage(
            sandbox.district,
            user_token=sandbox.user_token,
            service_token=sandbox.service_token,
            http_client=sandbox.fake.client(),
            limits=VKLimits(user=1000, service=1000),
        )

    return sandbox, [(None, ref)], open_page, ModerationStore(tmp_path / "inbox.sqlite")


def run(pages: Any, open_page: Any, store: ModerationStore, **kw: Any) -> Any:
    return asyncio.run(
        moderate(pages, open_page, "federal", store=store, classifier=Keywords(), **kw)
    )


def test_dry_run_changes_nothing(vk: Any) -> None:
    sandbox, pages, open_page, store = vk
    first = run(pages, open_page, store)
    spam = [d for d in first.decisions if d.action is Action.BAN]
    assert len(spam) == 1 and "Заработок" in spam[0].comment.text
    assert spam[0].ban_days == 1 and "навсегда" not in spam[0].why
    assert sandbox.fake.calls_of("wall.deleteComment") == []
    assert sandbox.fake.calls_of("groups.ban") == []
    again = run(pages, open_page, store)
    assert [d.comment.id for d in again.decisions] == [d.comment.id for d in first.decisions]
    assert all(row["dry_run"] == 1 for row in store.log())


def test_apply_acts_once_and_logs(vk: Any) -> None:
    sandbox, pages, open_page, store = vk
    applied = run(pages, open_page, store, apply=True, actor="специалист ЦУР")
    assert applied.applied and applied.count(Action.BAN) == 1
    spam = next(d for d in applied.decisions if d.action is Action.BAN)
    group = sandbox.fake.groups[100001]
    stored = next(c for p in group.posts for c in p.comments if str(c.id) == spam.comment.id)
    assert stored.deleted
    assert int(spam.comment.author_id) in sandbox.fake.bans[100001]
    assert run(pages, open_page, store, apply=True).decisions == []  # nothing twice
    log = [row for row in store.log() if row["action"] == "ban"]
    assert log[0]["actor"] == "специалист ЦУР" and log[0]["result"] == "done"
    assert "spam" in log[0]["labels"] and log[0]["text"].startswith("Заработок")


def test_the_ban_ladder_climbs_per_author(vk: Any) -> None:
    sandbox, pages, open_page, store = vk
    run(pages, open_page, store, apply=True)
    post = next(p for p in sandbox.fake.groups[100001].posts if not p.is_pinned)
    sandbox.fake.add_comment(100001, post.id, "Опять заработок без вложений", from_id=20002)
    second = run(pages, open_page, store, apply=True)
    [ban] = [d for d in second.decisions if d.action is Action.BAN]
    assert ban.ban_days == 3 and "№ 2" in ban.why


def test_a_failed_action_is_retried_next_time(vk: Any) -> None:
    sandbox, pages, open_page, store = vk
    sandbox.fake.fail_next("wall.deleteComment", error_code=15)
    first = run(pages, open_page, store, apply=True)
    assert any(row["result"].startswith("ошибка") for row in store.log())
    retry = run(pages, open_page, store, apply=True)
    assert [d.comment.id for d in retry.decisions] == [
        d.comment.id for d in first.decisions if d.action is Action.BAN
    ]


def test_platform_limits_turn_into_weaker_actions() -> None:
    comment = Comment(
        platform=Platform.OK,
        page="1",
        id="c",
        post_id="p",
        author_id="9",
        date=None,
        text="заработок",
    )
    policy = load_policy("federal")
    verdict = Keywords().classify("заработок")
    assert decide(comment, verdict, policy, can_ban=False).action is Action.DELETE
    assert decide(comment, verdict, policy, can_ban=False, can_delete=False).action is Action.REVIEW
    assert decide(comment, Keywords().classify("звоните +7 913"), policy).action is Action.REVIEW
    assert decide(comment, Keywords().classify("спасибо"), policy).action is Action.KEEP
    ladder = [decide(comment, verdict, policy, strikes=n).ban_days for n in range(7)]
    assert ladder == [1, 3, 7, 30, 0, 0, 0]


def test_ok_pages_delete_but_do_not_ban(tmp_path: Path) -> None:
    sandbox = sample_ok()
    ref = PageRef(platform=Platform.OK, page=sandbox.group_id)

    def open_page(_: PageRef) -> Any:
        return sandbox.page(requests_per_second=1000)

    store = ModerationStore(tmp_path / "ok.sqlite")
    result = run([(None, ref)], open_page, store, apply=True)
    [spam] = [d for d in result.decisions if d.labels == ["spam"]]
    assert spam.action is Action.DELETE and "только удаление" in spam.why
    assert len(sandbox.fake.calls_of("discussions.deleteDiscussionComment")) == 1


def test_overdue_questions(vk: Any) -> None:
    _, pages, open_page, store = vk
    later = datetime.now(timezone.utc) + timedelta(hours=30)
    result = run(pages, open_page, store, now=later)
    texts = [q.comment.text for q in result.overdue]
    assert any(t.startswith("А почему предупреждаете") for t in texts)
    assert not any(t.startswith("Когда отремонтируют") for t in texts)  # answered by the page


def test_export_csv_for_excel(vk: Any, tmp_path: Path) -> None:
    _, pages, open_page, store = vk
    run(pages, open_page, store)
    out = tmp_path / "log.csv"
    store.export_csv(out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert rows and {"Действие", "Почему", "Текст комментария", "Пробный прогон"} <= set(rows[0])
    assert list(rows[0]) == list(JOURNAL_HEADERS.values())


def test_questions_get_the_policy_template_but_not_on_telegram(vk: Any) -> None:
    sandbox, pages, open_page, store = vk
    template = "Спасибо за вопрос! Ответим в течение рабочего дня."
    policy = load_policy("federal", moderation={"question_template": template})
    run_ = asyncio.run(
        moderate(pages, open_page, policy, store=store, classifier=Keywords(), apply=True)
    )
    replies = [d for d in run_.decisions if d.action is Action.REPLY]
    assert replies and all("?" in d.comment.text for d in replies)
    answered = {
        str(c.reply_to)
        for p in sandbox.fake.groups[100001].posts
        for c in p.comments
        if c.text == template
    }
    assert answered == {d.comment.id for d in replies}
    question = Comment(
        platform=Platform.TELEGRAM,
        page="ch",
        id="1",
        post_id="2",
        author_id="3",
        date=None,
        text="Когда дадут воду?",
    )
    telegram = decide(question, Keywords().classify(question.text), policy)
    assert telegram.action is Action.REVIEW and "41-ФЗ" in telegram.why


def test_a_failed_ban_keeps_the_comment_for_the_next_run(vk: Any) -> None:
    sandbox, pages, open_page, store = vk
    sandbox.fake.fail_next("groups.ban", error_code=15)
    first = run(pages, open_page, store, apply=True)
    [spam] = [d for d in first.decisions if d.action is Action.BAN]
    stored = next(
        c
        for p in sandbox.fake.groups[100001].posts
        for c in p.comments
        if str(c.id) == spam.comment.id
    )
    assert not stored.deleted  # banned first: the failure left the comment in place
    second = run(pages, open_page, store, apply=True)
    assert [d.comment.id for d in second.decisions if d.action is Action.BAN] == [spam.comment.id]
    assert stored.deleted and int(spam.comment.author_id) in sandbox.fake.bans[100001]


def test_no_template_under_an_answered_question(vk: Any) -> None:
    _, pages, open_page, store = vk
    template = "Спасибо за вопрос!"
    policy = load_policy("federal", moderation={"question_template": template})
    result = asyncio.run(moderate(pages, open_page, policy, store=store, classifier=Keywords()))
    replied = {d.comment.text for d in result.decisions if d.action is Action.REPLY}
    assert "Когда отремонтируют дорогу на ул. Садовой?" not in replied  # the page answered it
