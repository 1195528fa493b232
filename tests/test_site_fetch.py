"""``--check-sites`` opens addresses written by strangers: public http(s) only, redirects
checked hop by hop, bodies cut at a cap, a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from gospages.requirements._site import (
    MAX_SITE_BYTES,
    SiteRefused,
    check_public_url,
    fetch_site,
    is_public_address,
)

PUBLIC = "95.163.0.1"
DNS = {
    "adm.example": [PUBLIC],
    "other.example": ["2a00:1450:4010::1", PUBLIC],
    "localhost": ["127.0.0.1"],
    "intranet.example": ["10.1.2.3"],
    "mixed.example": [PUBLIC, "192.168.0.10"],  # one private address is enough to refuse
}


async def resolve(host: str) -> list[str]:
    if host not in DNS:
        raise OSError("not found")
    return DNS[host]


Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler) -> tuple[httpx.AsyncClient, list[str]]:
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return handler(request)

    return httpx.AsyncClient(transport=httpx.MockTransport(record)), seen


def page(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text="<a href='https://vk.com/adm'>ВК</a>")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        (PUBLIC, True),
        ("2a00:1450:4010::1", True),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("fe80::1%eth0", False),
        ("100.64.0.1", False),  # carrier NAT
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("ff02::1", False),
        ("0.0.0.0", False),  # noqa: S104
        ("240.0.0.1", False),  # reserved
        ("fc00::1", False),
        ("not an address", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8080/admin",
        "http://[::1]/",
        "https://localhost/",
        "http://intranet.example/",
        "https://mixed.example/",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://adm.example/",
        "file:///etc/passwd",
        "https://unknown.example/",
    ],
)
async def test_refused_addresses_get_no_request(url: str) -> None:
    client, seen = client_for(page)
    async with client:
        assert await fetch_site(client, url, resolve=resolve) is None
    assert seen == []


async def test_a_public_site_is_read() -> None:
    client, seen = client_for(page)
    async with client:
        html = await fetch_site(client, "adm.example", resolve=resolve)
    assert html is not None and "vk.com/adm" in html
    assert seen == ["https://adm.example"]


async def test_the_refusal_says_why() -> None:
    with pytest.raises(SiteRefused, match=r"непубличный адрес 127\.0\.0\.1"):
        await check_public_url(httpx.URL("http://localhost/"), resolve)
    with pytest.raises(SiteRefused, match="только http и https"):
        await check_public_url(httpx.URL("gopher://adm.example/"), resolve)


def redirecting(location: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "adm.example":
            return httpx.Response(302, headers={"Location": location})
        return page(request)

    return handler


@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.1/admin", "http://localhost:2375/containers", "http://intranet.example/"],
)
async def test_a_redirect_to_a_private_address_is_refused(location: str) -> None:
    client, seen = client_for(redirecting(location))
    async with client:
        assert await fetch_site(client, "https://adm.example/", resolve=resolve) is None
    assert seen == ["https://adm.example/"]  # the second hop was never requested


async def test_redirects_to_public_sites_are_followed_each_checked() -> None:
    client, seen = client_for(redirecting("https://other.example/start"))
    async with client:
        html = await fetch_site(client, "https://adm.example/", resolve=resolve)
    assert html is not None and "vk.com/adm" in html
    assert seen == ["https://adm.example/", "https://other.example/start"]


async def test_a_redirect_loop_stops() -> None:
    client, seen = client_for(redirecting("/again"))
    async with client:
        assert await fetch_site(client, "https://adm.example/", resolve=resolve) is None
    assert len(seen) == 6  # the first request and five redirects


async def test_a_huge_body_is_cut_at_the_cap_without_reading_it_all() -> None:
    produced = 0
    chunk = b"<p>" + b"x" * (64 * 1024 - 3)
    total = 200 * 1024 * 1024

    async def body() -> AsyncIterator[bytes]:
        nonlocal produced
        while produced < total:
            produced += len(chunk)
            yield chunk

    client, _ = client_for(lambda request: httpx.Response(200, content=body()))
    async with client:
        html = await fetch_site(client, "adm.example", resolve=resolve, max_bytes=MAX_SITE_BYTES)
    assert html is not None and len(html) == MAX_SITE_BYTES
    assert produced < MAX_SITE_BYTES + 2 * len(chunk)  # stopped, not read to 200 MB


async def test_a_site_that_never_finishes_hits_the_deadline() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"<html>"
        await asyncio.Event().wait()  # a slow drip that never ends
        yield b""  # pragma: no cover

    client, _ = client_for(lambda request: httpx.Response(200, content=body()))
    async with client:
        assert await fetch_site(client, "adm.example", resolve=resolve, timeout=0.01) is None


async def test_error_pages_and_broken_addresses_give_none() -> None:
    client, _ = client_for(lambda request: httpx.Response(404, text="нет"))
    async with client:
        assert await fetch_site(client, "adm.example", resolve=resolve) is None
        assert await fetch_site(client, "https://[::zz]/", resolve=resolve) is None


async def test_a_host_that_resolves_again_to_loopback_is_refused_at_connection() -> None:
    # DNS rebinding: the check is told a public address, the connection goes to 127.0.0.1.
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Internal(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html>INTERNAL secret=42</html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Internal)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    async def rebinding(host: str) -> list[str]:
        return ["93.184.216.34"]

    try:
        async with httpx.AsyncClient() as client:
            url = f"http://localhost:{server.server_address[1]}/"
            assert await fetch_site(client, url, resolve=rebinding) is None
    finally:
        server.shutdown()
        server.server_close()
