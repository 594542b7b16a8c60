"""Per-project results and budget against actual, with the form that sets a budget."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.books.downloads import csv_download, table_download, wanted_format
from app.books.params import date_arg, text_arg
from app.books.picker import period_arg, presets
from app.books.statements import display_sign
from app.books.tables import budget_table, projects_table
from app.extensions import db
from app.form_input import amount, text
from app.refusals import attempt, go_back, succeeded
from app.tenancy import organisation_blueprint, requires
from ledger.reports.budgets import BudgetReport, budget_report, set_budget
from ledger.reports.periods import Period, previous_period
from ledger.reports.projects import DEFAULT_KEY, ProjectReport, project_report, tag_report
from tenants.roles import Role

blueprint = organisation_blueprint("planning", __name__)


@blueprint.route("/reports/projects")
@requires(Role.VIEWER)
def projects_page() -> Any:
    period = period_arg()
    key = text_arg("key") or DEFAULT_KEY
    report = _projects(period, key)
    kind = wanted_format()
    if kind == "csv":
        return _projects_csv(report)
    before = _projects(previous_period(period), key)
    if kind is not None:
        table = projects_table(_("Baten en lasten per project"), report, before)
        return table_download("projects", table, kind)
    return render_template(
        "books/projects.html",
        report=report,
        before=before,
        earlier=_project_figures(before),
        presets=presets(),
    )


@blueprint.route("/reports/budget")
@requires(Role.VIEWER)
def budget_page() -> Any:
    session = db.session()
    period = period_arg()
    report = budget_report(session, period)
    kind = wanted_format()
    if kind == "csv":
        return _budget_csv(report)
    before = budget_report(session, previous_period(period), accounts=_accounts(report))
    if kind is not None:
        table = budget_table(_("Begroting en werkelijkheid"), report, before)
        return table_download("budget", table, kind)
    earlier = {(line.account, line.currency): line.actual for line in before.lines}
    return render_template(
        "books/budget.html",
        report=report,
        before=before,
        earlier=earlier,
        display_sign=display_sign,
        presets=presets(),
    )


@blueprint.route("/reports/budget", methods=["POST"])
@requires(Role.BOOKKEEPER)
def set_budget_line() -> Any:
    form = request.form
    account = text(form, "account")
    start, end = date_arg("from", form), date_arg("to", form)
    shown: dict[str, Any] = {"from": text(form, "from"), "to": text(form, "to")}
    back = url_for("planning.budget_page", **shown)
    if start is None or end is None or end < start:
        flash(_("Vul een rekening, een geldige periode en een bedrag in."), "error")
        return redirect(back)
    period = Period(start, end)
    return attempt(
        lambda: set_budget(
            db.session(),
            account,
            period,
            display_sign(account) * amount(form, "amount"),
            "EUR",
            current_user.id,
        ),
        succeeded(back, _("Begroting opgeslagen.")),
        go_back(back),
    )


def _projects(period: Period, key: str) -> ProjectReport:
    session = db.session()
    return tag_report(session, period) if key == "#" else project_report(session, period, key=key)


def _project_figures(report: ProjectReport) -> dict[tuple[str, str | None, str], Decimal]:
    """Units by (project, account, currency); account None holds each project's result."""
    figures: dict[tuple[str, str | None, str], Decimal] = {}
    for result in report.projects:
        for part in (result.income, result.expenses):
            for line in part.lines:
                for currency, number in line.units.items():
                    figures[(result.project, line.account, currency)] = number
        for currency, number in result.net_income.items():
            figures[(result.project, None, currency)] = number
    return figures


def _accounts(report: BudgetReport) -> list[tuple[str, str]]:
    return [(line.account, line.currency) for line in report.lines]


def _projects_csv(report: ProjectReport) -> Response:
    """One row per project, account and currency, exact and in Beancount's signs."""
    header = [_("project"), _("rekening"), _("omschrijving"), _("valuta"), _("bedrag")]
    rows = [
        (result.project, line.account, line.label, currency, number)
        for result in report.projects
        for part in (result.income, result.expenses)
        for line in part.lines
        for currency, number in line.units.items()
    ]
    return csv_download("projects", header, rows)


def _budget_csv(report: BudgetReport) -> Response:
    """Planned, actual and difference per account, exact and in Beancount's signs."""
    header = [
        _("rekening"),
        _("omschrijving"),
        _("valuta"),
        _("begroot"),
        _("werkelijk"),
        _("verschil"),
    ]
    rows: list[tuple[str, str, str, Decimal, Decimal, Decimal]] = [
        (line.account, line.label, line.currency, line.budget, line.actual, line.difference)
        for line in report.lines
    ]
    return csv_download("budget", header, rows)
