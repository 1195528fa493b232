"""No secret reaches a log line, a repr, an exception or a URL."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import SecretStr

import gospages
from gospages import GospagesError, Post, RedactingFilter, RetryPolicy, redact
from gospages.testing import SampleVK
from gospages.vk import VKPage

from .conftest import FAST, make_page


async def test_tokens_never_in_logs_urls_reprs_or_errors(
    sandbox: SampleVK, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything: gospages, httpx, httpcore
    fake = sandbox.fake
    secrets = [sandbox.user_token, sandbox.community_token, sandbox.service_token]
    fake.fail_next("groups.getById", error_code=10)  # a retry warning gets logged
    errors: list[BaseException] = []
    async with make_page(sandbox, retry=RetryPolicy(attempts=2, initial_delay=0.001)) as page:
        texts = [repr(page), str(page.capabilities())]
        await page.profile()
        comments = [
            c async for c in page.comments(since=datetime.now(timezone.utc) - timedelta(days=3))
        ]
        await page.reply(comments[0], "Ответ")
        await page.publish(Post(text="Новость"))
        fake.revoke_token(sandbox.user_token)
        for attempt in (page.publish(Post(text="x")), page.delete_comment(comments[0])):
            try:
                await attempt
            except GospagesError as error:
                errors.append(error)
    assert len(errors) == 2
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [str(vars(e)) for e in errors]
    texts.append(caplog.text)
    texts += [call.url for call in fake.calls]
    for secret in secrets:
        for text in texts:
            assert secret not in text
    assert all("access_token" not in call.url for call in fake.calls)
    assert "повтор" in caplog.text  # the retry was logged, without the token


def test_secretstr_reprs() -> None:
    page = VKPage("adm", user_token=SecretStr("vk1.a.very-secret-user-key"), limits=FAST)
    assert "very-secret" not in repr(page)
    assert repr(page) == "VKPage(group='adm', tokens=[user])"


def test_redact_registered_secrets_and_token_params() -> None:
    VKPage("adm", service_token="registered-service-key-42", limits=FAST)
    assert redact("oops registered-service-key-42 leaked") == "oops *** leaked"
    assert (
        redact("POST /method?access_token=abc123&v=5.199")
        == "POST /method?access_token=***&v=5.199"
    )
    assert redact('{"access_token": "xyz"}') == '{"access_token": "***"}'
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer ***"
    assert redact("key vk1.a.AbC-123_x here") == "key *** here"


def test_redacting_filter_on_a_handler() -> None:
    VKPage("adm", community_token="community-secret-999", limits=FAST)
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Collect()
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("some.other.library")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("sending %s to %s", "community-secret-999", "https://x?access_token=t0k")
    finally:
        logger.removeHandler(handler)
    assert records == ["sending *** to https://x?access_token=***"]


def test_public_errors_module_exports_filter() -> None:
    assert gospages.RedactingFilter is RedactingFilter
