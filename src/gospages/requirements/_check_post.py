"""Checking a post before it is published."""

from __future__ import annotations

from collections.abc import Iterable

from .._models import Platform, Post
from .._platforms import describe
from ._model import Finding, PageSnapshot, RuleStatus, Severity
from ._policy import Policy, load_policy
from ._rules import (
    RULES,
    ad_problems,
    language_problems,
    personal_data_problems,
    prohibited_problems,
)

__all__ = ["check_post"]

_POST_CHECKS = (
    ("152-PD", personal_data_problems),
    ("META", None),
    ("38-ADV", ad_problems),
    ("149-10.6", prohibited_problems),
    ("LANG-53", language_problems),
)


def _limits(post: Post, platforms: Iterable[Platform]) -> list[str]:
    """What each platform would refuse (or do unexpectedly), from its descriptor: the same
    limits the backends check before sending (`gospages.OfficialPage.check`)."""
    out = []
    for platform in platforms:
        descriptor = describe(platform)
        for problem in descriptor.limits.problems(post) + descriptor.limits.notes(post):
            out.append(f"{descriptor.label}: {problem}")
    return out


def check_post(
    post: Post,
    policy: Policy | None = None,
    *,
    platforms: Iterable[Platform] = tuple(Platform),
) -> list[Finding]:
    """What to look at before publishing ``post``: personal data of private persons,
    links to Meta, advertising without erid, possibly prohibited content, the language,
    and the text limits of the target platforms. Findings are for a person to review."""
    policy = policy or load_policy("federal")
    platforms = list(platforms)
    probe = PageSnapshot(
        platform=platforms[0] if platforms else next(iter(Platform)), page="(черновик)"
    )
    text = post.text + "\n" + "\n".join(str(link.url) for link in post.links)
    findings: list[Finding] = []
    for rule_id, finder in _POST_CHECKS:
        rule = RULES[rule_id]
        if rule_id in policy.disabled:
            continue
        if finder is None:  # META: links to Meta services anywhere in the post
            problems = [
                u
                for u in ("facebook.com", "instagram.com", "fb.me", "instagr.am")
                if u in text.lower()
            ]
        else:
            problems = finder(text)
        if problems:
            findings.append(
                rule.finding(
                    probe,
                    policy,
                    rule.title,
                    evidence="; ".join(problems),
                    fix="Проверьте текст до публикации.",
                ).model_copy(update={"platform": None, "page": None})
            )
    limits = _limits(post, platforms)
    if limits:
        findings.append(
            Finding(
                rule_id="GP-LIMITS",
                severity=Severity.ERROR,
                message="Пост не пройдёт по лимитам площадки",
                evidence="; ".join(limits),
                fix="Сократите текст или вложения.",
                source="gospages",
                status=RuleStatus.V,
            )
        )
    return findings
