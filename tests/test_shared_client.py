"""One connection pool and SSL context per run; one SSL context per process (issue 12)."""

from __future__ import annotations

import ssl

import httpx

from gospages import PageFactory, Settings, open_page
from gospages._models import Platform
from gospages._transport import Transport, default_ssl_context
from gospages.registry import PageRef
from gospages.vk import VKPage


def _ssl_of(client: httpx.AsyncClient) -> ssl.SSLContext:
    pool = client._transport._pool  # type: ignore[attr-defined]
    context: ssl.SSLContext = pool._ssl_context
    return context


async def test_the_pages_of_a_run_share_one_client_closed_with_the_run() -> None:
    factory = PageFactory(Settings.only(vk_service_token="svc-key-1"), max_connections=12)
    pages = [factory(PageRef(platform="vk", page=f"school{i}")) for i in range(3)]
    assert all(isinstance(p, VKPage) for p in pages)
    clients = {id(p._transport.client) for p in pages}  # type: ignore[attr-defined]
    assert len(clients) == 1
    client = pages[0]._transport.client  # type: ignore[attr-defined]
    pool = client._transport._pool
    assert pool._max_connections == 12
    assert client.timeout.pool is None  # waiting for a connection is not a failure
    assert _ssl_of(client) is default_ssl_context()
    for page in pages:
        await page.aclose()  # a page does not close what the run shares
    assert not client.is_closed
    await factory.aclose()
    assert client.is_closed


async def test_pages_opened_one_by_one_own_their_client_but_share_the_ssl_context() -> None:
    settings = Settings.only(vk_service_token="svc-key-2")
    one = open_page(PageRef(platform="vk", page="adm"), settings)
    two = VKPage("adm2", service_token="svc-key-2")
    clients = [one._transport.client, two._transport.client]  # type: ignore[attr-defined]
    assert clients[0] is not clients[1]
    assert _ssl_of(clients[0]) is _ssl_of(clients[1]) is default_ssl_context()
    await one.aclose()
    await two.aclose()
    assert all(c.is_closed for c in clients)


async def test_a_backend_may_bring_its_own_ssl_context() -> None:
    own = ssl.create_default_context()
    transport = Transport(Platform.VK, ssl_context=own)
    assert _ssl_of(transport.client) is own
    assert default_ssl_context() is not own
    await transport.aclose()


async def test_a_given_connection_still_wins_over_the_shared_one() -> None:
    given = httpx.AsyncClient()
    factory = PageFactory(
        Settings.only(vk_service_token="svc-key-3"), connections={Platform.VK: given}
    )
    page = factory(PageRef(platform="vk", page="adm"))
    assert page._transport.client is given  # type: ignore[attr-defined]
    await factory.aclose()
    assert not given.is_closed
    await given.aclose()
