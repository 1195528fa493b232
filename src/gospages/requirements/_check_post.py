"""Checking a post before it is published."""

from __future__ import annotations

from collections.abc import Iterable

from .._models import Platform, Post
from .._text import TELEGRAM_LIMITS, telegram_length
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

# Platform limits of one post (OK publishes none).
_VK_TEXT, _VK_ATTACHMENTS, _VK_LINKS = 16384, 10, 1

_POST_CHECKS = (
    ("152-PD", personal_data_problems),
    ("META", None),
    ("38-ADV", ad_problems),
    ("149-10.6", prohibited_problems),
    ("LANG-53", language_problems),
)


def _limits(post: Post, platforms: Iterable[Platform]) -> list[str]:
    out = []
    text = post.text
    for platform in platforms:
        if platform is Platform.VK:
            if len(text) > _VK_TEXT:
                out.append(f"ВКонтакте: текст длиннее {_VK_TEXT} символов ({len(text)})")
            if len(post.attachments) > _VK_ATTACHMENTS:
                out.append(f"ВКонтакте: вложений больше {_VK_ATTACHMENTS}")
            if len(post.links) > _VK_LINKS:
                out.append("ВКонтакте: больше одной ссылки в записи")
        elif platform is Platform.TELEGRAM:
            limit = TELEGRAM_LIMITS["caption" if post.photos else "text"]
            if telegram_length(text) > limit:
                out.append(
                    f"Telegram: текст длиннее {limit} знаков ({telegram_length(text)}); "
                    "его разобьют на несколько сообщений или откажут (long_text=)"
                )
    return out


def check_post(
    post: Post,
    policy: Policy | None = None,
    *,
    platforms: Iterable[Platform] = (Platform.VK, Platform.OK, Platform.TELEGRAM),
) -> list[Finding]:
    """What to look at before publishing ``post``: personal data of private persons,
    links to Meta, advertising without erid, possibly prohibited content, the language,
    and the text limits of the target platforms. Findings are for a person to review."""
    policy = policy or load_policy("federal")
    platforms = list(platforms)
    probe = PageSnapshot(platform=platforms[0] if platforms else Platform.VK, page="(черновик)")
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
