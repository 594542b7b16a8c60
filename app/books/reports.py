"""Balance sheet, income statement and trial balance pages, each also as a CSV download."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from flask import Response, g, render_template
from flask_babel import gettext as _

from app.books.params import date_arg, today, wants_csv
from app.books.statements import (
    balance_sheet_blocks,
    income_statement_blocks,
    trial_balance_blocks,
)
from app.extensions import db
from app.tenancy import organisation_blueprint, requires
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.catalogue import build_report
from ledger.reports.formats import Report, report_kind, report_rows
from ledger.reports.income_statement import IncomeStatement, income_statement
from ledger.reports.periods import previous_period
from ledger.reports.trial_balance import TrialBalance
from tenants.roles import Role

blueprint = organisation_blueprint("reports", __name__)


@blueprint.route("/reports/balance-sheet")
@requires(Role.VIEWER)
def balance_sheet_page() -> Any:
    session = db.session()
    sheet = balance_sheet(session, date_arg("date") or today())
    if wants_csv():
        return _csv(sheet)
    before = balance_sheet(session, sheet.year_start - timedelta(days=1))
    blocks = balance_sheet_blocks(sheet, before)
    return render_template("books/balance_sheet.html", sheet=sheet, before=before, blocks=blocks)


@blueprint.route("/reports/income-statement")
@requires(Role.VIEWER)
def income_statement_page() -> Any:
    session = db.session()
    statement = build_report(
        session, "income-statement", today=today(), start=date_arg("from"), end=date_arg("to")
    )
    assert isinstance(statement, IncomeStatement)
    if wants_csv():
        return _csv(statement)
    before = income_statement(session, previous_period(statement.period))
    blocks = income_statement_blocks(statement, before)
    return render_template(
        "books/income_statement.html", statement=statement, before=before, blocks=blocks
    )


@blueprint.route("/reports/trial-balance")
@requires(Role.VIEWER)
def trial_balance_page() -> Any:
    start, end = date_arg("from"), date_arg("to")
    on = None if start or end else date_arg("date")
    report = build_report(db.session(), "trial-balance", today=today(), on=on, start=start, end=end)
    assert isinstance(report, TrialBalance)
    if wants_csv():
        return _csv(report)
    blocks = trial_balance_blocks(report.sections)
    return render_template("books/trial_balance.html", report=report, blocks=blocks)


def _csv(report: Report) -> Response:
    """The report's rows with exact amounts in Beancount's signs (credit negative)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("rekening"), _("omschrijving"), _("valuta"), _("bedrag")])
    writer.writerows(report_rows(report))
    name = f"{g.org.slug}-{report_kind(report)}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
