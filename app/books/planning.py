"""Per-project results and budget against actual, with the form that sets a budget."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.books.params import amount_arg, date_arg, text_arg, today
from app.books.statements import display_sign
from app.errors import translated
from app.extensions import db
from app.tenancy import organisation_blueprint, requires
from ledger.errors import DomainError
from ledger.reports.budgets import budget_report, set_budget
from ledger.reports.periods import Period
from ledger.reports.projects import DEFAULT_KEY, project_report, tag_report
from tenants.roles import Role

blueprint = organisation_blueprint("planning", __name__)


@blueprint.route("/reports/projects")
@requires(Role.VIEWER)
def projects_page() -> Any:
    period = _period()
    key = text_arg("key") or DEFAULT_KEY
    session = db.session()
    report = tag_report(session, period) if key == "#" else project_report(session, period, key=key)
    return render_template("books/projects.html", report=report)


@blueprint.route("/reports/budget")
@requires(Role.VIEWER)
def budget_page() -> Any:
    report = budget_report(db.session(), _period())
    return render_template("books/budget.html", report=report, display_sign=display_sign)


@blueprint.route("/reports/budget", methods=["POST"])
@requires(Role.BOOKKEEPER)
def set_budget_line() -> Any:
    form = request.form
    account = form.get("account", "").strip()
    number = amount_arg(form.get("amount", ""))
    start, end = date_arg("from", form), date_arg("to", form)
    if number is None or start is None or end is None or end < start:
        flash(_("Vul een rekening, een geldige periode en een bedrag in."), "error")
    else:
        try:
            set_budget(
                db.session(),
                account,
                Period(start, end),
                display_sign(account) * number,
                "EUR",
                current_user.id,
            )
            flash(_("Begroting opgeslagen."), "success")
        except DomainError as error:
            flash(translated(error), "error")
    period: dict[str, Any] = {"from": form.get("from") or "", "to": form.get("to") or ""}
    return redirect(url_for("planning.budget_page", **period))


def _period() -> Period:
    """The period asked for, else the calendar year of today."""
    start = date_arg("from") or date(today().year, 1, 1)
    end = date_arg("to") or start.replace(month=12, day=31)
    if end < start:
        abort(400)
    return Period(start, end)
