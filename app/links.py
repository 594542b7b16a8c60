"""Links every page shows (the menus, the style sheets): made once per process, not per page.

A page's top bar holds twenty links that differ only by the organisation they are in; Flask's
``url_for`` builds each anew, through the blueprint's defaults and the URL map, on every
request. ``page_url`` asks ``url_for`` once for each link and organisation and keeps the answer:
such a link depends on nothing else (the slug comes from ``g.org``, and the script root and
host are part of the key). The most recently used are kept, so a process serving many
organisations keeps the links of those it serves now.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Flask, g, request, url_for
from markupsafe import Markup, escape

# Twenty links an organisation, a few hundred organisations at a time.
KEPT = 8192

_CURRENT = Markup(' aria-current="page"')


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(page_url=page_url, navlink=navlink)


def page_url(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)`` for a fixed link of the page's frame, kept."""
    org = g.get("org")
    given = tuple(sorted(values.items())) if values else ()
    slug = org.slug if org is not None else None
    return _kept_url(endpoint, given, slug, request.script_root, request.host)


@lru_cache(maxsize=KEPT)
def _kept_url(
    endpoint: str, given: tuple[tuple[str, Any], ...], slug: str | None, root: str, host: str
) -> str:
    # Made in the first request that asks; the key holds all that url_for reads for it.
    return url_for(endpoint, **dict(given))


def navlink(endpoint: str, label: str) -> Markup:
    """A menu's link, marked as the current page when it is the page shown."""
    # By the label as shown: a word and plain text of the same letters are escaped otherwise.
    return _link(page_url(endpoint), request.endpoint == endpoint, escape(label))


@lru_cache(maxsize=KEPT)
def _link(url: str, current: bool, shown: Markup) -> Markup:
    return Markup('<a href="{}"{}>{}</a>').format(url, _CURRENT if current else "", shown)
