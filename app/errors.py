"""Domain errors mapped to HTTP once, here; error pages.

One status per kind of failure, whatever page it happens on: a thing that does not exist is
404, an action the person's role does not allow is 403, a write that lost a race with someone
else's is 409, and every other refusal of the domain is 422. A view that shows a refused form
again answers with the same status (``app.refusals.show_again``); an error no view handled
gets the error page with it. Either way the status is 400 or more, so the request's unit of
work rolls back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Flask, flash, g, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from app.account_picker import account_label
from app.extensions import db
from app.i18n import exact_money, short_day
from app.outages import browser_language, plain_page
from ledger.entries import AccountRef, Amount
from ledger.errors import Conflict, DomainError, NotFound, NotPermitted

# The first kind an error is an instance of decides; DomainError catches the rest.
STATUSES: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (NotPermitted, 403),
    (Conflict, 409),
    (DomainError, 422),
)


def translated(error: DomainError) -> str:
    """The error's Dutch message id in the reader's language, with its parameters filled in."""
    return str(_(error.template, **shown_params(error.params)))


def shown_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """A domain message's parameters as its reader reads them: a day in their language's short
    form (``15-01-2026``, ``15/01/2026``), money as their pages write it (every decimal kept),
    an account by its label in their language."""
    return {name: _shown(value) for name, value in params.items()}


def _shown(value: Any) -> Any:
    if isinstance(value, tuple) and value and all(isinstance(each, Amount) for each in value):
        return ", ".join(_shown(each) for each in value)  # a sum in several currencies
    if isinstance(value, date):
        return short_day(value)
    if isinstance(value, Amount):
        return exact_money(value.number, value.currency)
    if isinstance(value, AccountRef):
        return account_label(value.name)
    return value


def flash_refusal(error: DomainError, text: str | None = None) -> None:
    """A refused action that answers with a redirect: discard what it wrote, and say why.

    A redirect answers below 400, which the request's unit of work would commit; what the
    refused service wrote before it raised must not go with it.
    """
    db.session.rollback()
    flash(translated(error) if text is None else text, "error")


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error's kind."""
    return next(status for kind, status in STATUSES if isinstance(error, kind))


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _refused)
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(InternalServerError, _crashed)


def _http_error(error: HTTPException) -> tuple[str, int]:
    titles = {
        400: _("Ongeldig verzoek"),
        403: _("Geen toegang"),
        404: _("Niet gevonden"),
        405: _("Niet toegestaan"),
        413: _("Het bestand is te groot: upload hoogstens 64 MB."),
        429: _("Te veel pogingen"),
    }
    code = error.code or 500
    return render_template("error.html", code=code, title=titles.get(code, error.name)), code


def _refused(error: DomainError) -> tuple[str, int]:
    # The refused request's work is discarded, and a transaction a failed statement aborted
    # must not break the error page's own queries (the organisation switcher).
    db.session.rollback()
    status = status_of(error)
    # What is missing is not described: a foreign record answers exactly like an absent one.
    title = _("Niet gevonden") if status == 404 else translated(error)
    # A page asked for with a choice it refused (a report's day that does not exist) is offered
    # again without the choice.
    again = request.path if request.method == "GET" and request.args and status == 422 else None
    return render_template("error.html", code=status, title=title, again=again), status


def _crashed(error: InternalServerError) -> tuple[str, int, dict[str, str]]:
    """What nobody foresaw (a bug): a Dutch page, with the request's id to pass on.

    Flask has logged the error with its traceback under that id. The page needs nothing that
    may be what failed (``plain_page``: no database, no user); the request's unit of work rolls
    back on the 500, so nothing of it was saved.
    """
    with force_locale(browser_language()):
        body = plain_page(
            _("Er ging iets mis"),
            _(
                "Er is niets opgeslagen. Probeer het opnieuw; gaat het weer mis, geef dan deze "
                "code door aan het servicebureau: %(request)s",
                request=g.get("request_id", "-"),
            ),
            500,
        )
    return body, 500, {"Cache-Control": "no-store"}
