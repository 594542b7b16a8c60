"""Domain errors mapped to HTTP once, here; error pages."""

from __future__ import annotations

from flask import Flask, flash, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.extensions import db
from ledger.errors import DomainError, NotFound


def translated(error: DomainError) -> str:
    """The error's Dutch message id in the reader's language, with its parameters filled in."""
    return str(_(error.template, **error.params))


def flash_refusal(error: DomainError, text: str | None = None) -> None:
    """A refused action that answers with a redirect: discard what it wrote, and say why.

    A redirect answers below 400, which the request's unit of work would commit; what the
    refused service wrote before it raised must not go with it.
    """
    db.session.rollback()
    flash(translated(error) if text is None else text, "error")


def init_app(app: Flask) -> None:
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(DomainError, _refused)
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _http_error)


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


def _not_found(error: NotFound) -> tuple[str, int]:
    db.session.rollback()
    return render_template("error.html", code=404, title=_("Niet gevonden")), 404


def _refused(error: DomainError) -> tuple[str, int]:
    # The refused request's work is discarded, and a transaction a failed statement aborted
    # must not break the error page's own queries (the organisation switcher).
    db.session.rollback()
    return render_template("error.html", code=422, title=translated(error)), 422
