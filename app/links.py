"""Links every page shows (the menus, the style sheets): made once per process, not per page.

A page's top bar holds twenty links that differ only by the organisation they are in; Flask's
``url_for`` builds each anew, through the blueprint's defaults and the URL map, on every
request. ``page_url`` asks ``url_for`` once for each link and organisation and keeps the answer:
such a link depends on nothing else (the slug comes from ``g.org``, and the script root and
host are part of the key). The most recently used are kept, so a process serving many
organisations keeps the links of those it serves now.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import urlencode

from flask import Flask, current_app, g, has_request_context, request, url_for
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from app.i18n import page_locale
from app.tenancy import can

# Twenty links an organisation, a few hundred organisations at a time.
KEPT = 8192
# A hundred accounts an organisation, for the organisations served now: 200-odd bytes each.
KEPT_ACCOUNT_URLS = 16384
# An organisation's menu per page, language and role: a few KiB each.
KEPT_MENUS = 2048

_CURRENT = Markup(' aria-current="page"')
# What Werkzeug leaves as it is in a query string (its ``_urlencode``), so that a link made
# here reads as ``url_for`` would write it.
_QUERY_SAFE = "!$'()*,/:;?@"
_THIS_PAGE = "_this_page_path"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        page_url=page_url, navlink=navlink, org_menu=org_menu, this_page_with=this_page_with
    )
    app.context_processor(_where_the_page_is)


# What the frame's links depend on besides their endpoint, read once per ``render_template``
# into the template's context: a page's thirty links would otherwise each read ``g`` and
# ``request`` again (three look-ups in the request's globals a link).
_PLACE = "_page_place"


class _Place(NamedTuple):
    slug: str | None
    root: str
    host: str
    endpoint: str | None


def _where_the_page_is() -> dict[str, _Place]:
    # A job renders its mails and documents with no request: such a template has no frame.
    return {_PLACE: _place()} if has_request_context() else {}


def _place() -> _Place:
    org = g.get("org")
    slug = org.slug if org is not None else None
    return _Place(slug, request.script_root, request.host, request.endpoint)


def _place_of(context: Context) -> _Place:
    """The page's place as its context holds it, else read now (a template Flask did not
    render, or a macro imported without context)."""
    place = context.get(_PLACE)
    return place if isinstance(place, _Place) else _place()


@pass_context
def page_url(context: Context, endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)`` for a fixed link of the page's frame, kept."""
    place = _place_of(context)
    given = tuple(sorted(values.items())) if values else ()
    return _kept_url(endpoint, given, place.slug, place.root, place.host)


@lru_cache(maxsize=KEPT)
def _kept_url(
    endpoint: str, given: tuple[tuple[str, Any], ...], slug: str | None, root: str, host: str
) -> str:
    # Made in the first request that asks; the key holds all that url_for reads for it.
    return url_for(endpoint, **dict(given))


def account_page_urls() -> Callable[[str], str]:
    """The page of an account (by name) in this request's organisation, kept per organisation
    as the menus' links are: the journal and the reports link every account they show. The
    request's place is read once, for all the links a page makes."""
    place = _place()
    return lambda name: _kept_account_url(name, place.slug, place.root, place.host)


def this_page_with(**changes: str | None) -> str:
    """A link to the page shown, its query changed by ``changes`` (None leaves a key out): a
    report's download and period links, ten a page.

    ``url_for(request.endpoint, **request.view_args, **request.args, **changes)`` writes the
    same link, but finds the page's route and builds its path again for each; here the path is
    built once a request. A query key named as a path value stays in the query.
    """
    path = g.get(_THIS_PAGE)
    if path is None:
        path = url_for(request.endpoint or "", **(request.view_args or {}))
        setattr(g, _THIS_PAGE, path)
    query = {**request.args.to_dict(), **changes}
    kept = {key: value for key, value in query.items() if value is not None}
    return f"{path}?{urlencode(kept, safe=_QUERY_SAFE)}" if kept else path


@lru_cache(maxsize=KEPT_ACCOUNT_URLS)
def _kept_account_url(name: str, slug: str | None, root: str, host: str) -> str:
    return url_for("books.account_page", account=name)


@pass_context
def navlink(context: Context, endpoint: str, label: str) -> Markup:
    """A menu's link, marked as the current page when it is the page shown."""
    place = _place_of(context)
    url = _kept_url(endpoint, (), place.slug, place.root, place.host)
    # By the label as shown: a word and plain text of the same letters are escaped otherwise.
    return _link(url, place.endpoint == endpoint, escape(label))


@lru_cache(maxsize=KEPT)
def _link(url: str, current: bool, shown: Markup) -> Markup:
    return Markup('<a href="{}"{}>{}</a>').format(url, _CURRENT if current else "", shown)


_MENUS: dict[tuple[_Place, str, bool, bool], Markup] = {}


@pass_context
def org_menu(context: Context) -> Markup:
    """The organisation's menu (``_orgnav.html``), rendered once per organisation, page,
    language and role, and kept: fifteen links and words that every page of the organisation
    shows. What the menu shows depends on nothing else; the most recently used are kept."""
    key = (_place_of(context), str(page_locale(context)), can("bookkeeper"), can("owner"))
    menu = _MENUS.pop(key, None)
    if menu is None:
        template = current_app.jinja_env.get_template("_orgnav.html")
        menu = Markup(template.render(context.get_all()))  # noqa: S704 (a template's own output)
        if len(_MENUS) >= KEPT_MENUS:
            _MENUS.pop(next(iter(_MENUS)), None)  # the least recently used
    _MENUS[key] = menu  # last in the order: the most recently used
    return menu
