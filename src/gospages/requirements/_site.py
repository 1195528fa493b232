"""FZ8-13-LIST: does the official site list the official pages?"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence

import httpx

from .._platforms import describe
from ..registry import Organization, PageRef
from ._contacts import classify_site
from ._model import Finding, RuleStatus, Severity
from ._policy import Policy
from ._rules import apply_rule_severity

__all__ = [
    "Resolver",
    "SiteRefused",
    "check_public_url",
    "fetch_site",
    "is_public_address",
    "site_list_findings",
    "site_lists_pages",
]

log = logging.getLogger("gospages.requirements")

_SOURCE = (
    "8-ФЗ ст. 13 ч. 1 (формулировка не найдена); порядки поселений (постановление "
    "администрации Иштанского сельского поселения № 13 от 20.02.2023, п. 2)"
)


def _patterns(ref: PageRef) -> list[str]:
    return describe(ref.platform).site_link_patterns(ref.page)


def site_lists_pages(html: str, refs: Iterable[PageRef]) -> list[PageRef]:
    """The pages among ``refs`` that the site's HTML does not link to."""
    text = html.replace("&#47;", "/")
    missing = []
    for ref in refs:
        patterns = _patterns(ref)
        if ref.url:
            bare = ref.url.split("://")[-1].removeprefix("www.").rstrip("/")
            patterns.append(re.escape(bare) + r"(?![\w-])")
        found = any(re.search(p, text, re.I) for p in patterns)
        if not found:
            missing.append(ref)
    return missing


Resolver = Callable[[str], Awaitable[Sequence[str]]]
"""Host name -> its IP addresses (``asyncio``'s ``getaddrinfo`` by default); tests pass
their own so as not to need DNS."""

#: The most of a site's front page read (streamed: a bigger body is cut, not read).
MAX_SITE_BYTES = 3 * 1024 * 1024
#: Seconds for the whole fetch of one site: resolving, connecting, redirects, the body.
SITE_TIMEOUT = 20.0
#: Redirects followed (each checked again: scheme, public address).
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class SiteRefused(Exception):
    """A site address gospages will not open; the message says why, in Russian."""


async def resolve_host(host: str) -> list[str]:
    """The IP addresses of ``host`` from the system resolver."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def is_public_address(address: str) -> bool:
    """Whether ``address`` is a public internet address: not loopback, private,
    link-local, multicast, reserved, unspecified or shared (carrier NAT)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


async def check_public_url(url: httpx.URL, resolve: Resolver | None = None) -> None:
    """Raise `SiteRefused` unless ``url`` is http(s) to a host whose every address is public."""
    if url.scheme not in ("http", "https"):
        raise SiteRefused(f"адрес «{url}»: открываются только http и https")
    host = url.host
    if not host:
        raise SiteRefused(f"в адресе «{url}» нет сайта")
    try:
        addresses: Sequence[str] = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = await (resolve or resolve_host)(host)
        except (OSError, UnicodeError) as exc:
            raise SiteRefused(f"сайт {host} не найден ({type(exc).__name__})") from None
    if not addresses:
        raise SiteRefused(f"сайт {host} не найден")
    private = [a for a in addresses if not is_public_address(a)]
    if private:
        raise SiteRefused(
            f"сайт {host} ведёт на непубличный адрес {private[0]}: "
            f"внутренние сети, loopback и служебные адреса не открываются"
        )


def _decode(body: bytes, response: httpx.Response) -> str:
    encoding = response.charset_encoding or "utf-8"
    try:
        return body.decode(encoding, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _check_peer(response: httpx.Response, url: httpx.URL) -> None:
    """Refuse a connection that went to a non-public address after all (the host was
    resolved again to connect: DNS rebinding), before anything of the answer is read."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer and not is_public_address(str(peer[0])):
        raise SiteRefused(f"адрес «{url}» при подключении оказался непубличным: {peer[0]}")


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` bytes of the (decoded) body; the rest is never read."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk[: limit - size])
        size += len(chunks[-1])
        if size >= limit:
            break
    return b"".join(chunks)


async def _fetch(
    client: httpx.AsyncClient,
    url: str,
    resolve: Resolver | None,
    max_bytes: int,
    timeout: float,
    max_redirects: int,
) -> str | None:
    target = httpx.URL(url if "://" in url else f"https://{url}")
    for _ in range(max_redirects + 1):
        await check_public_url(target, resolve)
        request = client.build_request("GET", target, timeout=timeout)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            _check_peer(response, target)
            location = response.headers.get("location")
            if response.status_code in _REDIRECTS and location:
                target = target.join(location)
                continue
            if response.status_code >= 400:
                return None
            return _decode(await _read_capped(response, max_bytes), response)
        finally:
            await response.aclose()
    raise SiteRefused(f"больше {max_redirects} перенаправлений")


async def fetch_site(
    client: httpx.AsyncClient,
    url: str,
    *,
    resolve: Resolver | None = None,
    max_bytes: int = MAX_SITE_BYTES,
    timeout: float = SITE_TIMEOUT,
    max_redirects: int = MAX_REDIRECTS,
) -> str | None:
    """The site's front page as text (at most ``max_bytes``), or ``None`` when it cannot
    or may not be read.

    The address comes from a page's profile, that is from a stranger: only http(s) to
    public addresses is opened (``resolve`` gives a host's addresses; every one must be
    public), redirects are followed one by one and each is checked again, the body is
    streamed and cut at ``max_bytes``, and the whole fetch has ``timeout`` seconds.
    """
    try:
        return await asyncio.wait_for(
            _fetch(client, url, resolve, max_bytes, timeout, max_redirects), timeout
        )
    except SiteRefused as refused:
        log.warning("Сайт %s не открыт: %s", url, refused)
    except (httpx.HTTPError, httpx.InvalidURL, asyncio.TimeoutError) as exc:
        log.info("Сайт %s не открылся: %s", url, type(exc).__name__)
    return None


def site_list_findings(
    org: Organization, site: str, html: str | None, refs: list[PageRef], policy: Policy
) -> list[Finding]:
    """Findings of FZ8-13-LIST for one organisation."""
    info = classify_site(site)
    severity = apply_rule_severity(
        RuleStatus.B, policy.severity.get("FZ8-13-LIST", Severity.WARNING)
    )
    if html is None:
        return [
            Finding(
                rule_id="FZ8-13-LIST",
                severity=Severity.INFO,
                status=RuleStatus.B,
                source=_SOURCE,
                message="Официальный сайт не удалось открыть, список страниц не проверен",
                evidence=info.host,
                org_id=org.id,
            )
        ]
    missing = site_lists_pages(html, refs)
    if not missing:
        return []
    names = ", ".join(f"{r.platform.label} ({r.page})" for r in missing)
    return [
        Finding(
            rule_id="FZ8-13-LIST",
            severity=severity,
            status=RuleStatus.B,
            source=_SOURCE,
            message="На официальном сайте нет ссылок на официальные страницы",
            evidence=f"{info.host}: нет ссылок на {names}",
            fix="Разместите на сайте список официальных страниц со ссылками "
            "(gospages.reports.pages_list_html).",
            org_id=org.id,
            data={"missing": [f"{r.platform.value}:{r.page}" for r in missing]},
        )
    ]
