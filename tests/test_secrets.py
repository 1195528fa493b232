"""No secret reaches a log line, a repr, an exception or a URL."""

from __future__ import annotations

import json
import logging
import pickle
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from pydantic import SecretStr

import gospages
from gospages import (
    CaptchaRequired,
    GospagesError,
    Post,
    RedactingFilter,
    RetryPolicy,
    ValidationRequired,
    redact,
)
from gospages._secrets import register_secret
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


# -- a hostile server echoing the token -----------------------------------------------------

HOSTILE_TOKEN = "vk-hostile-echo-5c1d9e7a2b"


class _Echo(BaseHTTPRequestHandler):
    """Answers every VK call with an error that echoes the access token everywhere it can:
    the message, the captcha and check URLs, the captcha sid, request_params, a header."""

    protocol_version = "HTTP/1.1"
    codes = iter(())  # set per test

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        token = form.get("access_token", ["?"])[0]
        code = next(self.codes, 5)
        error = {
            "error_code": code,
            "error_msg": f"User authorization failed: token {token} is bad ({token})",
            "captcha_sid": token,
            "captcha_img": f"https://api.vk.ru/captcha.php?sid={token}",
            "redirect_uri": f"https://id.vk.ru/check?session_token=keep-me&echo={token}",
            "request_params": [{"key": "access_token", "value": token}],
        }
        payload = json.dumps({"error": error}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Echo-Token", token)
        self.send_header("Set-Cookie", f"remixsid={token}; Path=/")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


async def test_a_hostile_server_echoing_the_token_leaks_it_nowhere() -> None:
    records: list[logging.LogRecord] = []

    class Everything(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    root = logging.getLogger()
    handler = Everything(level=logging.DEBUG)
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    _Echo.codes = iter([14, 17, 5, 100, 10])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    errors: list[GospagesError] = []
    try:
        async with VKPage(
            "adm",
            service_token=HOSTILE_TOKEN,
            api_url=f"http://127.0.0.1:{server.server_address[1]}/method",
            retry=RetryPolicy.none(),
            limits=FAST,
        ) as page:
            for _ in range(5):
                with pytest.raises(GospagesError) as caught:
                    await page.profile()
                errors.append(caught.value)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        server.shutdown()
        server.server_close()
    kinds = {type(e).__name__ for e in errors}
    assert {"CaptchaRequired", "ValidationRequired", "AuthError"} <= kinds
    # httpcore logged the response headers at DEBUG: the echo went through the log.
    headers_logged = [
        r for r in records if r.name.startswith("httpcore") and "X-Echo" in r.getMessage()
    ]
    assert headers_logged, "httpcore's DEBUG log of response headers was not captured"
    texts: list[str] = []
    for record in records:
        texts += [record.getMessage(), str(record.msg), repr(record.args)]
    for error in errors:
        texts += [str(error), repr(error), repr(vars(error)), repr(error.args)]
        texts.append(repr(pickle.loads(pickle.dumps(error)).__dict__))
    assert all(HOSTILE_TOKEN not in text for text in texts)
    captcha = next(e for e in errors if isinstance(e, CaptchaRequired))
    assert captcha.redirect_uri == "https://id.vk.ru/check?session_token=keep-me&echo=***"
    assert captcha.image_url == "https://api.vk.ru/captcha.php?sid=***"


def test_children_of_httpcore_and_httpx_are_redacted_whoever_handles_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_secret("child-logger-secret-77")
    caplog.set_level(logging.DEBUG)
    for name in ("httpcore.http11", "httpcore.some_future_module", "httpx._client", "httpx"):
        logging.getLogger(name).debug("headers [(b'X-Echo', b'child-logger-secret-77')]")
    logging.getLogger("myapp").debug("not ours: child-logger-secret-77")
    messages = [r.getMessage() for r in caplog.records]
    assert messages[:4] == ["headers [(b'X-Echo', b'***')]"] * 4
    assert messages[4] == "not ours: child-logger-secret-77"  # the user's own loggers: untouched


def test_errors_redact_what_they_keep() -> None:
    register_secret("kept-in-an-error-123456")
    error = ValidationRequired(
        "проверка kept-in-an-error-123456",
        redirect_uri="https://vk.ru/?x=kept-in-an-error-123456&access_token=abc",
    )
    assert "kept-in-an-error" not in str(error) + repr(error) + repr(vars(error))
    assert error.redirect_uri == "https://vk.ru/?x=***&access_token=***"
    captcha = CaptchaRequired(
        "капча", sid="1", redirect_uri="https://id.vk.ru/captcha?session_token=eyJ.a-b&token=t0"
    )
    assert captcha.redirect_uri == "https://id.vk.ru/captcha?session_token=eyJ.a-b&token=***"
