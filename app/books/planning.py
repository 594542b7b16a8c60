"""Per-project results and budget against actual, with the form that sets a budget."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.account_picker import readers_account_labels
from app.books.downloads import csv_download, table_download, wanted_format
from app.books.params import text_arg
from app.books.picker import period_arg, presets
from app.books.statements import display_sign
from app.books.tables import budget_table, projects_table
from app.extensions import db
from app.form_input import account as account_field
from app.form_input import amount, day
from app.refusals import Errors, attempt, show_again, succeeded
from app.tenancy import organisation_blueprint, requires
from ledger.clock import today
from ledger.errors import ValidationFailed, message
from ledger.reports.budgets import BudgetReport, budget_report, set_budget
from ledger.reports.periods import Period, previous_period
from ledger.reports.projects import DEFAULT_KEY, ProjectReport, project_report, tag_report
from ledger.suggestions import account_choices
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
        journal_links=_journal_links(report),
        presets=presets(),
    )


def _journal_links(report: ProjectReport) -> dict[str, str]:
    """Each project's bookings in the period: the journal filtered on its project or tag.
    Another metadata key has no journal filter, so its projects get no link."""
    if report.key not in (DEFAULT_KEY, "#"):
        return {}
    kind = "project" if report.key == DEFAULT_KEY else "tag"
    days: dict[str, Any] = {
        "from": report.period.start.isoformat(),
        "to": report.period.end.isoformat(),
    }
    return {
        result.project: url_for("books.journal_page", **{kind: result.project, **days})
        for result in report.projects
    }


@blueprint.route("/reports/budget")
@requires(Role.VIEWER)
def budget_page() -> Any:
    kind = wanted_format()
    if kind is None:
        return _budget_page()
    session, labels = db.session(), readers_account_labels()  # read once for both periods
    report = budget_report(session, period_arg(), labels=labels)
    if kind == "csv":
        return _budget_csv(report)
    before = budget_report(
        session, previous_period(report.period), accounts=_accounts(report), labels=labels
    )
    table = budget_table(_("Begroting en werkelijkheid"), report, before)
    return table_download("budget", table, kind)


@blueprint.route("/reports/budget", methods=["POST"])
@requires(Role.BOOKKEEPER)
def set_budget_line() -> Any:
    form = request.form
    return attempt(
        lambda: _set_budget(form),
        succeeded(
            lambda period: url_for(
                "planning.budget_page", **{"from": period.start, "to": period.end}
            ),
            _("Begroting opgeslagen."),
        ),
        show_again(_budget_page, "account"),
    )


# Budgets plan what comes in and goes out: the picker offers income and expense accounts.
BUDGET_TYPES = ("Income", "Expenses")


def _set_budget(form: Mapping[str, str]) -> Period:
    """Read the budget form and plan its amount; returns the period it planned."""
    session = db.session()
    account = account_field(form, "account", account_choices(session, today()), types=BUDGET_TYPES)
    start, end = day(form, "from"), day(form, "to")
    if end < start:
        raise ValidationFailed(message("De einddatum ligt voor de begindatum."), field="to")
    period = Period(start, end)
    number = display_sign(account) * amount(form, "amount")
    set_budget(session, account, period, number, "EUR", current_user.id)
    return period


def _budget_page(errors: Errors | None = None, values: Mapping[str, str] | None = None) -> str:
    """Budget against actual for the period asked, with the form that sets a budget."""
    session = db.session()
    period = period_arg()
    labels = readers_account_labels()  # read once for both periods
    report = budget_report(session, period, labels=labels)
    before = budget_report(
        session, previous_period(period), accounts=_accounts(report), labels=labels
    )
    earlier = {(line.account, line.currency): line.actual for line in before.lines}
    return render_template(
        "books/budget.html",
        report=report,
        before=before,
        earlier=earlier,
        display_sign=display_sign,
        presets=presets(),
        choices=account_choices(session, today()),
        budget_types=BUDGET_TYPES,
        errors=errors or {},
        values=values or {},
    )


def _projects(period: Period, key: str) -> ProjectReport:
    session = db.session()
    labels = readers_account_labels()
    if key == "#":
        return tag_report(session, period, labels=labels)
    return project_report(session, period, key=key, labels=labels)


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
