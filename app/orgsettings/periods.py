"""Closing and reopening accounting periods (owner only): the list, close through a date, reopen."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.books.params import today
from app.extensions import db
from app.form_input import day, text
from app.i18n import short_day
from app.orgsettings.views import blueprint
from app.refusals import Errors, attempt, show_again, succeeded
from app.tenancy import requires
from ledger.period_overview import period_overview
from ledger.periods import close_through, reopen_period
from tenants.queries import members_of
from tenants.roles import Role


@blueprint.route("/settings/periods")
@requires(Role.OWNER)
def periods() -> Any:
    return _page()


@blueprint.route("/settings/periods/close", methods=["POST"])
@requires(Role.OWNER)
def close() -> Any:
    if not text(request.form, "through"):
        unchosen = {"through": _("Kies de laatste dag die je wilt afsluiten.")}
        return _page(unchosen, request.form), 422

    def closing() -> date:
        through = day(request.form, "through")
        close_through(db.session(), through, current_user.id, role=g.org.role, today=today())
        return through

    return attempt(
        closing,
        succeeded(
            url_for("orgsettings.periods"),
            lambda through: _(
                "De boeken zijn afgesloten tot en met %(day)s.", day=short_day(through)
            ),
        ),
        show_again(_page, lambda _error: "through"),
    )


@blueprint.route("/settings/periods/<int:period_id>/reopen", methods=["POST"])
@requires(Role.OWNER)
def reopen(period_id: int) -> Any:
    return attempt(
        lambda: reopen_period(db.session(), period_id, current_user.id, role=g.org.role),
        succeeded(url_for("orgsettings.periods"), _("De periode is heropend.")),
        show_again(_page, lambda _error: "form"),
    )


def _page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    session = db.session()
    names = {user.id: user.name or user.email for user, _role in members_of(session, g.org.id)}
    return render_template(
        "orgsettings/periods.html",
        rows=period_overview(session, today()),
        names=names,
        today=today(),
        errors=errors or {},
        values=values or {},
    )
