"""The list of official pages with links, for the official site (FZ8-13-LIST, POL-REGISTRY)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from markupsafe import Markup

from .._models import Platform
from ..registry import Organization, Registry
from ._summary import ordered_orgs, page_url


def _entries(
    registry: Registry, platforms: Iterable[Platform] | None
) -> list[tuple[int, Organization, list[tuple[Platform, str]]]]:
    """``(depth, organisation, [(platform, url)])`` in hierarchy order.

    Organisations with pages, and their parents (so the hierarchy reads), even without.
    """
    wanted = set(platforms) if platforms is not None else set(Platform)
    ordered = ordered_orgs(registry.organizations)
    links = {
        org.id: [
            (ref.platform, url)
            for ref in org.pages
            if ref.platform in wanted and (url := page_url(ref.platform, ref.page, ref.url))
        ]
        for _, org in ordered
    }
    keep = {org_id for org_id, found in links.items() if found}
    parents = {org.id: org.parent for _, org in ordered}
    for org_id in list(keep):
        parent = parents[org_id]
        while parent is not None and parent in parents and parent not in keep:
            keep.add(parent)
            parent = parents[parent]
    return [(depth, org, links[org.id]) for depth, org in ordered if org.id in keep]


def pages_list_html(
    registry: Registry,
    *,
    platforms: Iterable[Platform] | None = None,
    title: str = "Официальные страницы в социальных сетях",
) -> str:
    """An HTML snippet to put on the official site: each organisation with links to its pages.

    A ``<section class="gospages-pages">`` with a heading and a nested ``<ul>`` in the
    registry's hierarchy; links open in a new tab with ``rel="noopener noreferrer"``. Only
    http(s) addresses become links; every name is escaped. No styles: the site's own apply.
    ``platforms`` limits the list (e.g. ``official_platforms()``: the official pages
    of 2523-р without Telegram channels).
    """
    entries = _entries(registry, platforms)
    out = [Markup('<section class="gospages-pages">'), Markup("<h2>{}</h2>").format(title)]
    if entries:
        out.append(Markup("<ul>"))
    for i, (depth, org, links) in enumerate(entries):
        anchors = Markup(", ").join(
            Markup('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>').format(
                url, platform.label
            )
            for platform, url in links
        )
        item = Markup("<li><b>{}</b>").format(org.name)
        out.append(item + (Markup(": ") + anchors if links else Markup("")))
        following = entries[i + 1][0] if i + 1 < len(entries) else 0
        # Parents are always listed, so the next one is at most one level deeper.
        if following > depth:
            out.append(Markup("<ul>"))
        else:
            out.append(Markup("</li>") + Markup("</ul></li>") * (depth - following))
    if entries:
        out.append(Markup("</ul>"))
    out.append(Markup("</section>"))
    return "\n".join(out) + "\n"


def pages_list_json(
    registry: Registry, *, platforms: Iterable[Platform] | None = None, indent: int | None = 2
) -> str:
    """The same list as JSON, for a site that renders it itself.

    A list of organisations in hierarchy order, each
    ``{"id", "name", "parent", "depth", "pages": [{"platform", "label", "url"}]}``
    (``platform`` is ``"vk"``, ``"ok"`` or ``"telegram"``; ``label`` is the network's name).
    """
    data = [
        {
            "id": org.id,
            "name": org.name,
            "parent": org.parent,
            "depth": depth,
            "pages": [
                {"platform": platform.value, "label": platform.label, "url": url}
                for platform, url in links
            ],
        }
        for depth, org, links in _entries(registry, platforms)
    ]
    return json.dumps(data, ensure_ascii=False, indent=indent)
