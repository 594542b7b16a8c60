"""Links every page shows (the menus, the style sheets): made once per process, not per page.

A page's top bar holds twenty links that differ only by the organisation they are in; Flask's
``url_for`` builds each anew, through the blueprint's defaults and the URL map, on every
request. ``page_url`` asks ``url_for`` once for each link and organisation and keeps the answer
for the process's life: a link without variables of its own depends on nothing else (the slug
comes from ``g.org``, and the script root and host are part of the key).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request, url_for
from markupsafe import Markup, escape

# Bounded: twenty links an organisation, for the organisations one process serves.
_MADE_MOST = 50_000
_made: dict[tuple[str, tuple[tuple[str, Any], ...], str | None, str, str], str] = {}

_CURRENT = Markup(' aria-current="page"')
# The links themselves, by address, whether current, and label (a word of our catalogue).
_links: dict[tuple[str, bool, str], Markup] = {}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(page_url=page_url, navlink=navlink)


def page_url(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)`` for a fixed link of the page's frame, kept."""
    org = g.get("org")
    slug = org.slug if org is not None else None
    given = tuple(sorted(values.items())) if values else ()
    key = (endpoint, given, slug, request.script_root, request.host)
    url = _made.get(key)
    if url is None:
        url = url_for(endpoint, **values)
        if len(_made) < _MADE_MOST:
            _made[key] = url
    return url


def navlink(endpoint: str, label: str) -> Markup:
    """A menu's link, marked as the current page when it is the page shown."""
    # By the label as shown: a word and plain text of the same letters are escaped otherwise.
    url, current, shown = page_url(endpoint), request.endpoint == endpoint, escape(label)
    key = (url, current, shown)
    link = _links.get(key)
    if link is None:
        link = Markup('<a href="{}"{}>{}</a>').format(url, _CURRENT if current else "", shown)
        if len(_links) < _MADE_MOST:
            _links[key] = link
    return link
