"""Closing and reopening accounting periods (owner only): the list, close through a date, reopen."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.books.params import date_arg
from app.errors import translated
from app.extensions import db
from app.orgsettings.views import blueprint
from app.tenancy import requires
from ledger.clock import today
from ledger.errors import DomainError
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
    through = date_arg("through", request.form)
    if through is None:
        return _page({"through": _("Kies de laatste dag die u wilt afsluiten.")}), 422
    return _act(
        lambda: close_through(db.session(), through, current_user.id, role=g.org.role),
        _("De boeken zijn afgesloten tot en met %(date)s.", date=through.isoformat()),
        field="through",
    )


@blueprint.route("/settings/periods/<int:period_id>/reopen", methods=["POST"])
@requires(Role.OWNER)
def reopen(period_id: int) -> Any:
    return _act(
        lambda: reopen_period(db.session(), period_id, current_user.id, role=g.org.role),
        _("De periode is heropend."),
        field="form",
    )


def _act(action: Any, done: str, *, field: str) -> Any:
    """Run one service; a refusal shows the page again with the reason at ``field``."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        return _page({field: translated(error)}), 422
    flash(done, "success")
    return redirect(url_for("orgsettings.periods"))


def _page(errors: dict[str, str] | None = None) -> str:
    session = db.session()
    names = {user.id: user.name or user.email for user, _role in members_of(session, g.org.id)}
    return render_template(
        "orgsettings/periods.html",
        rows=period_overview(session, today()),
        names=names,
        today=today(),
        errors=errors or {},
        values=request.form if request.method == "POST" else {},
    )
