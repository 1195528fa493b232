"""MAX: the backend on FakeMax, the token header, errors and retries, TLS trust for the
API host only, the registry, policies and the sandbox."""

from __future__ import annotations

import json
import logging
import ssl
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import trustme

from gospages import (
    AuthError,
    Link,
    NotFound,
    Operation,
    PermissionDenied,
    Photo,
    Platform,
    Poll,
    Post,
    RetryPolicy,
    Settings,
    ValidationError,
    describe,
    open_page,
)
from gospages.max import MaxChannel, max_http_client
from gospages.registry import PageRef, registry_from_rows
from gospages.testing import FakeMax, SampleMax, sample_max, sandbox_for
from gospages.testing._max import ALL_RIGHTS

FAST = RetryPolicy(attempts=3, initial_delay=0.001, max_delay=0.002)
_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture
def sandbox() -> SampleMax:
    return sample_max()


# -- descriptor ------------------------------------------------------------------------


def test_descriptor_says_what_max_is() -> None:
    d = describe(Platform.MAX)
    assert d.kind.value == "messenger" and not d.official and not d.foreign_owned
    assert d.limits.text == 4000 and not d.limits.can_schedule
    assert d.parse_path(["adm_ensk"]) == "adm_ensk"
    with pytest.raises(ValueError, match="канала MAX"):
        d.parse_path(["join", "AbCdEf"])
    assert d.page_pattern.fullmatch("-70000000000005") and d.page_pattern.fullmatch("adm_ensk")


# -- the backend on the fake ----------------------------------------------------------


async def test_token_goes_raw_in_the_header_never_in_the_url(sandbox: SampleMax) -> None:
    seen: list[httpx.Request] = []

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return sandbox.fake.handler(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(spy))
    async with client, MaxChannel(sandbox.name, token=sandbox.token, http_client=client) as page:
        await page.profile()
    assert seen and all(r.headers["Authorization"] == sandbox.token for r in seen)
    assert all(sandbox.token not in str(r.url) for r in seen)
    assert sandbox.token not in repr(page) and "Bearer" not in seen[0].headers["Authorization"]


async def test_a_name_is_resolved_once_and_profile_read(sandbox: SampleMax) -> None:
    async with sandbox.page(chat_id="@adm_ensk") as page:
        profile = await page.profile()
        await page.profile()
    assert profile.id == str(sandbox.chat_id) and profile.members_count == 812
    assert profile.url == "https://max.ru/adm_ensk" and profile.avatar_url
    assert len(sandbox.fake.calls_of("GET /chats/adm_ensk")) == 1


async def test_errors_are_typed(sandbox: SampleMax) -> None:
    async with sandbox.page(token="wrong-token", retry=FAST) as page:
        with pytest.raises(AuthError) as auth:
            await page.profile()
    assert auth.value.code == "verify.token" and auth.value.platform is Platform.MAX
    async with sandbox.page(chat_id=-70000000000099) as page:
        with pytest.raises(NotFound):
            await page.profile()
    sandbox.fake.fail_next("GET /chats/{id}", error_code="chat.denied")
    async with sandbox.page() as page:
        with pytest.raises(PermissionDenied):
            await page.profile()


async def test_reads_are_retried_on_429_and_5xx_writes_are_not(sandbox: SampleMax) -> None:
    fake = sandbox.fake
    fake.fail_next("GET /chats/{id}", error_code="too.many.requests")
    fake.fail_next("GET /chats/{id}", http_status=503)
    async with sandbox.page(retry=FAST) as page:
        assert (await page.profile()).name
        assert len(fake.calls_of("GET /chats/{id}")) == 3
        await page.load_rights()
        fake.fail_next("POST /messages", http_status=502)
        receipt = await page.publish(Post(text="Новость без дублей"))
    # The answer was lost (HTTP 502): not resent, read back, not found: needs_check.
    assert len(fake.calls_of("POST /messages")) == 1
    assert receipt.status.value == "needs_check" and receipt.note


async def test_attachment_not_ready_is_retried_for_a_post(sandbox: SampleMax) -> None:
    fake = sandbox.fake
    async with sandbox.page(retry=FAST) as page:
        fake.fail_next("POST /messages", error_code="attachment.not.ready")
        post = Post(text="С фото", attachments=[Photo.from_bytes(_JPEG)])
        receipt = await page.publish(post)
    assert receipt.status.value == "published"
    assert len(fake.calls_of("POST /messages")) == 2
    sent = fake.channels[sandbox.chat_id].messages[-1]
    assert sent.attachments[0]["type"] == "image" and sent.text == "С фото"


async def test_scheduling_and_polls_are_refused_before_any_request(sandbox: SampleMax) -> None:
    later = datetime.now(timezone.utc) + timedelta(days=1)
    async with sandbox.page() as page:
        with pytest.raises(PermissionDenied, match="отложенные публикации не поддерживаются"):
            await page.publish(Post(text="Позже", publish_at=later))
        with pytest.raises(PermissionDenied, match="опрос"):
            await page.publish(Post(text="?", attachments=[Poll(question="?", answers=["a", "b"])]))
        assert page.problems(Post(text="Позже", publish_at=later)) == [
            "отложенные публикации не поддерживаются"
        ]
    assert sandbox.fake.calls == []
    async with sandbox.page(long_text="refuse") as page:
        with pytest.raises(ValidationError, match="4000"):
            await page.publish(Post(text="я" * 4001))
    assert sandbox.fake.calls == []


async def test_rights_of_the_bot_decide_capabilities(sandbox: SampleMax) -> None:
    async with sandbox.page(token=sandbox.reader_token) as page:
        assert page.capabilities().can(Operation.PUBLISH)  # not read yet: a warning
        assert Operation.PUBLISH in page.capabilities().warnings
        await page.load_rights()
        caps = page.capabilities()
        assert not caps.can(Operation.PUBLISH) and "писать" in caps.missing[Operation.PUBLISH]
        assert caps.can(Operation.POSTS)
        with pytest.raises(PermissionDenied):
            await page.publish(Post(text="Без прав"))
    assert not sandbox.fake.calls_of("POST /messages")


async def test_text_format_and_links(sandbox: SampleMax) -> None:
    async with sandbox.page(text_format="html") as page:
        await page.publish(Post(text="<b>Важно</b>", attachments=[Link(url="https://ensk.ru")]))
    sent = sandbox.fake.channels[sandbox.chat_id].messages[-1]
    assert sent.format == "html" and sent.text == "<b>Важно</b>\n\nhttps://ensk.ru/"


async def test_verification_is_unknown_unless_recorded(sandbox: SampleMax) -> None:
    async with sandbox.page() as page:
        assert (await page.verification()).state.value == "unknown"
    async with sandbox.page(verified=True) as page:
        assert (await page.verification()).state.value == "confirmed"


async def test_reply_carries_no_41fz_warning(sandbox: SampleMax) -> None:
    async with sandbox.page() as page:
        assert Operation.REPLY not in page.capabilities().warnings


async def test_served_over_loopback(sandbox: SampleMax) -> None:
    # The served fake speaks plain HTTP on 127.0.0.1: the client goes there without TLS.
    with sandbox.fake.serve() as url:
        async with httpx.AsyncClient() as client:
            page = MaxChannel(
                sandbox.chat_id, token=sandbox.token, api_url=url, http_client=client, retry=FAST
            )
            async with page:
                posts = [p async for p in page.posts()]
                comments = [c async for c in page.comments(posts[0].id)]
                await page.delete_comment(comments[-1])
    assert len(posts) == 4 and comments
    assert sandbox.fake.calls_of("DELETE /messages/{id}/comments")


def test_fake_rate_limit_answers_429() -> None:
    fake = FakeMax(per_second=2)
    fake.add_bot("t", user_id=1)
    fake.add_channel(-1, "Канал", bots={1: ALL_RIGHTS})
    request = httpx.Request(
        "GET", "https://platform-api2.max.ru/chats/-1", headers={"Authorization": "t"}
    )
    statuses = [fake.handler(request).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    token_in_query = httpx.Request("GET", "https://platform-api2.max.ru/chats/-1?access_token=t")
    assert fake.handler(token_in_query).status_code == 401


# -- secrets ---------------------------------------------------------------------------


async def test_token_never_in_logs_reprs_or_errors(
    sandbox: SampleMax, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox.fake.fail_next("GET /chats/{id}", http_status=502)
    errors = []
    async with sandbox.page(retry=FAST) as page:
        await page.profile()
        async with sandbox.page(token=sandbox.token + "x") as bad:
            try:
                await bad.profile()
            except AuthError as error:
                errors.append(error)
        texts = [repr(page), str(page.capabilities()), caplog.text]
    texts += [str(e) for e in errors] + [repr(e) for e in errors] + [str(vars(e)) for e in errors]
    texts += [call.url for call in sandbox.fake.calls]
    assert errors
    assert not [t for t in texts if sandbox.token in t]
    settings = Settings.only(max_token=sandbox.token)
    assert sandbox.token not in repr(settings)


# -- TLS -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minc() -> trustme.CA:
    """Stands in for the Минцифры root CA."""
    return trustme.CA(organization_name="Russian Trusted Root CA (test)")


@pytest.fixture(scope="module")
def minc_file(minc: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "russian_trusted_root_ca.pem"
    minc.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="module")
def tls_server(minc: trustme.CA) -> Iterator[tuple[int, int]]:
    """Two loopback HTTPS servers for ``localhost`` with certificates from the stand-in
    Минцифры CA (the MAX host and «another host»), and one from another CA."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"chat_id": -1, "title": "Канал", "type": "channel"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    other_ca = trustme.CA(organization_name="Some other CA")
    servers = []
    for ca in (minc, minc, other_ca):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("localhost").configure_cert(context)
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    try:
        yield tuple(s.server_address[1] for s in servers)  # type: ignore[misc]
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


async def test_the_max_host_trusts_the_configured_ca(
    tls_server: tuple[int, int, int], minc_file: Path
) -> None:
    max_port = tls_server[0]
    api = f"https://localhost:{max_port}"
    async with MaxChannel(-1, token="t", ca_file=minc_file, api_url=api, retry=FAST) as page:
        assert (await page.profile()).name == "Канал"


async def test_without_the_ca_the_max_host_is_refused(tls_server: tuple[int, int, int]) -> None:
    from gospages import NetworkError

    api = f"https://localhost:{tls_server[0]}"
    async with MaxChannel(-1, token="t", api_url=api, retry=RetryPolicy.none()) as page:
        with pytest.raises(NetworkError):
            await page.profile()


async def test_other_hosts_do_not_trust_the_max_ca(
    tls_server: tuple[int, int, int], minc_file: Path
) -> None:
    max_port, other_port, _ = tls_server
    async with max_http_client(minc_file, api_url=f"https://localhost:{max_port}") as client:
        assert (await client.get(f"https://localhost:{max_port}/chats/-1")).status_code == 200
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(f"https://localhost:{other_port}/chats/-1")


async def test_a_certificate_from_another_ca_is_refused_for_the_max_host(
    tls_server: tuple[int, int, int], minc_file: Path
) -> None:
    forged_port = tls_server[2]
    async with max_http_client(minc_file, api_url=f"https://localhost:{forged_port}") as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(f"https://localhost:{forged_port}/chats/-1")


def test_a_missing_ca_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"gosuslugi\.ru/crt"):
        MaxChannel(-1, token="t", ca_file=tmp_path / "none.pem")


def test_the_opener_asks_for_the_token() -> None:
    with pytest.raises(ValidationError, match="GOSPAGES_MAX_TOKEN"):
        open_page(PageRef(platform="max", page="adm_ensk"), Settings.only())


# -- registry, policies, sandbox -----------------------------------------------------


def _rows(*links: str) -> list[dict[str, str]]:
    return [
        {
            "id": f"o{i}",
            "название": f"Администрация {i}",
            "вид": "ОМСУ",
            "уровень": "район",
            "ссылка": link,
        }
        for i, link in enumerate(links)
    ]


def test_registry_reads_max_links() -> None:
    registry = registry_from_rows(
        _rows("https://max.ru/adm_ensk", "max.ru/-70000000000777"), source="тест"
    )
    refs = [ref for _, ref in registry.pages()]
    assert [r.platform for r in refs] == [Platform.MAX, Platform.MAX]
    assert [r.page for r in refs] == ["adm_ensk", "-70000000000777"]


async def test_sandbox_fills_max_channels_of_a_users_registry() -> None:
    registry = registry_from_rows(
        _rows("https://max.ru/adm_ensk", "max.ru/-70000000000777"), source="тест"
    )
    scenario = sandbox_for(registry, telegram=False)
    assert not scenario.skipped
    for _, ref in registry.pages():
        async with scenario.open_ref(ref) as page:
            assert (await page.profile()).name
            assert [p async for p in page.posts()]


async def test_audit_counts_max_posts_toward_the_weekly_norm() -> None:
    from gospages.requirements import audit_registry

    registry = registry_from_rows(_rows("https://max.ru/adm_ensk"), source="тест")
    scenario = sandbox_for(registry, telegram=False, seed=3)
    setup = next(iter(scenario.setups.values()))
    async with scenario.opener() as factory:
        report = await audit_registry(registry, factory, "bashkortostan", now=None)
    (audit,) = report.pages
    assert audit.ref is not None and audit.ref.platform is Platform.MAX
    assert audit.snapshot.posts, "MAX posts are read into the snapshot"
    frequency = [f for f in audit.findings if f.rule_id == "POL-FREQ"]
    # Bashkortostan wants 3 a week: the page made with fewer is found, one with more is not.
    assert bool(frequency) is (setup.posts_per_week < 3)
    # MAX is a messenger outside 2523-р: the channel is not an official page (8-ФЗ) ...
    assert any(f.rule_id.startswith("FZ8") or "официальн" in f.message for f in audit.findings)
    # ... and answering residents there carries no 41-ФЗ finding.
    assert not [f for f in audit.findings if "41-ФЗ" in f.message]
