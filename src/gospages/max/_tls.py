"""Trusting the Минцифры root CA for the MAX API host, and for no other host.

The MAX API's certificate chains to «Russian Trusted Root CA», which default trust
stores lack. gospages never turns verification off and never adds the CA to the trust
of other hosts: the client gets a per-host mount for the API's origin whose SSL context
is the default one plus the CA; every other host keeps the default context.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

from .._errors import ValidationError
from .._models import Platform
from ._api import DEFAULT_API_URL

__all__ = ["CA_DOWNLOAD_URL", "max_http_client", "max_mounts", "max_ssl_context"]

CA_DOWNLOAD_URL = "https://www.gosuslugi.ru/crt"
"""Where the Минцифры root certificate is published."""


def max_ssl_context(ca_file: str | Path) -> ssl.SSLContext:
    """The default verifying context plus the certificate(s) in ``ca_file`` (PEM)."""
    path = Path(ca_file)
    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=str(path))
    except (OSError, ssl.SSLError) as exc:
        raise ValidationError(
            f"MAX: не удалось прочитать корневой сертификат Минцифры из «{path}» "
            f"({type(exc).__name__}); скачайте его с {CA_DOWNLOAD_URL} (PEM) и укажите путь "
            "в GOSPAGES_MAX_CA_FILE",
            platform=Platform.MAX,
        ) from None
    return context


def _origin(api_url: str) -> str:
    url = httpx.URL(api_url)
    if url.scheme != "https" or not url.host:
        raise ValidationError(
            f"MAX: адрес API должен начинаться с https:// («{api_url}»)", platform=Platform.MAX
        )
    port = f":{url.port}" if url.port else ""
    return f"https://{url.host}{port}"


def max_mounts(
    ca_file: str | Path | None, api_url: str = DEFAULT_API_URL
) -> dict[str, httpx.AsyncBaseTransport]:
    """The mount that trusts ``ca_file`` for ``api_url``'s origin only (empty without a
    file: the host then gets the default trust, and a certificate from the Минцифры CA
    is refused)."""
    if ca_file is None:
        return {}
    return {_origin(api_url): httpx.AsyncHTTPTransport(verify=max_ssl_context(ca_file))}


def max_http_client(
    ca_file: str | Path | None,
    *,
    api_url: str = DEFAULT_API_URL,
    timeout: float = 30.0,
    headers: dict[str, str] | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for MAX: the Минцифры CA trusted for the API host only."""
    return httpx.AsyncClient(timeout=timeout, headers=headers, mounts=max_mounts(ca_file, api_url))
