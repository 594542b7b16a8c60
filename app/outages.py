"""When PostgreSQL or Redis is away: a Dutch 503 page at once, and recovery without a restart.

A request that finds the database unreachable (restarting, failing over, a dropped proxy) gets a
page of its own that needs neither the database nor Redis, with ``Retry-After``; nothing of it was
saved, since the request's unit of work never committed. The pool checks a connection that sat idle
before handing it out (``tenants.databases.ping_after_idle``) and connects with a short timeout, so
the first request after the database is back simply works. Redis holds only the job queues and the
rate limits: without it, bookkeeping goes on; an action that must queue a job says so and saves
nothing (or, when the job follows a commit, keeps the work: ``app.unit_of_work``).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, make_response, session
from flask_babel import force_locale
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError

from app.extensions import db
from app.i18n import DEFAULT_LOCALE, LOCALES

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, _database_away)
    app.register_error_handler(InterfaceError, _database_away)
    app.register_error_handler(RedisError, _jobs_away)


def database_away(error: Exception) -> Response:
    """The Dutch 503 page for a database that went away after the view, at the commit.

    What the view flashed ("De boeking is opgeslagen.") is dropped: it was not saved.
    """
    session.pop("_flashes", None)
    return make_response(_database_away(error))


def _database_away(error: Exception) -> tuple[str, int, dict[str, str]]:
    log.warning("database unreachable: %s", str(error).splitlines()[0][:200])
    _discard_session()
    with force_locale(browser_language()):
        return _page(
            _("De database is even niet bereikbaar"),
            _("Er is niets opgeslagen. Probeer het over een minuut opnieuw."),
        )


def _jobs_away(error: Exception) -> tuple[str, int, dict[str, str]]:
    log.warning("redis unreachable: %s", str(error)[:200])
    _discard_session()
    with force_locale(browser_language()):
        return _page(
            _("Achtergrondtaken zijn even niet beschikbaar"),
            _(
                "Dit had een achtergrondtaak nodig; er is niets opgeslagen. Boekhouden kan "
                "gewoon doorgaan; probeer dit straks opnieuw."
            ),
        )


def _page(title: str, explanation: str) -> tuple[str, int, dict[str, str]]:
    body = plain_page(title, explanation, 503)
    return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


def plain_page(title: str, explanation: str, code: int) -> str:
    """A page that needs neither the database nor Redis (``unavailable.html``), for when one of
    them, or anything else, failed: straight from Jinja, since Flask's context processors would
    load the user, from the database."""
    template = current_app.jinja_env.get_template("unavailable.html")
    return template.render(title=title, explanation=explanation, code=code)


def browser_language() -> str:
    """The language chosen in this browser, read without the database (no user is loaded)."""
    chosen = session.get("locale")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def _discard_session() -> None:
    """Drop the request's session; with the database gone, even a rollback may fail."""
    try:
        db.session.rollback()
    except (OperationalError, InterfaceError):
        db.session.close()
