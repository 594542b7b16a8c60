"""Balance sheet, income statement and trial balance pages, each also as CSV, Excel and PDF."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template
from flask_babel import gettext as _

from app.account_picker import readers_account_labels
from app.books.downloads import csv_download, table_download, wanted_format
from app.books.params import date_arg
from app.books.picker import presets, start_month
from app.books.statements import (
    balance_sheet_blocks,
    income_statement_blocks,
    trial_balance_blocks,
)
from app.books.tables import blocks_table, period_text, trial_balance_table
from app.extensions import db
from app.i18n import day, short_day
from app.tenancy import organisation_blueprint, requires
from ledger.clock import today
from ledger.reports.catalogue import asked_dates, income_period
from ledger.reports.comparison import balance_sheets, income_statements, trial_balances
from ledger.reports.formats import Report, report_kind, report_rows
from ledger.reports.periods import Period
from ledger.reports.trial_balance import TrialBalance
from tenants.roles import Role

blueprint = organisation_blueprint("reports", __name__)


@blueprint.route("/reports/balance-sheet")
@requires(Role.VIEWER)
def balance_sheet_page() -> Any:
    session = db.session()
    month, labels = start_month(), readers_account_labels()  # read once for both sheets
    on = date_arg("date") or today()
    sheet, before = balance_sheets(session, on, start_month=month, labels=labels)
    kind = wanted_format()
    if kind == "csv":
        return _csv(sheet)
    blocks = balance_sheet_blocks(sheet, before)
    if kind is not None:
        title = _("Balans")
        table = blocks_table(
            title, _("Per %(day)s", day=day(sheet.on)), blocks, [day(sheet.on), day(before.on)]
        )
        return table_download(report_kind(sheet), table, kind)
    return render_template("books/balance_sheet.html", sheet=sheet, before=before, blocks=blocks)


@blueprint.route("/reports/income-statement")
@requires(Role.VIEWER)
def income_statement_page() -> Any:
    session = db.session()
    month, labels = start_month(), readers_account_labels()  # read once for both periods
    last_day, first_day = asked_dates(today=today(), start=date_arg("from"), end=date_arg("to"))
    period = income_period(last_day, first_day, month)
    statement, before = income_statements(session, period, labels=labels)
    kind = wanted_format()
    if kind == "csv":
        return _csv(statement)
    blocks = income_statement_blocks(statement, before)
    if kind is not None:
        columns = [_span(statement.period), _span(before.period)]
        title = _("Staat van baten en lasten")
        table = blocks_table(title, period_text(statement.period), blocks, columns)
        return table_download(report_kind(statement), table, kind)
    return render_template(
        "books/income_statement.html",
        statement=statement,
        before=before,
        blocks=blocks,
        presets=presets(month),
    )


@blueprint.route("/reports/trial-balance")
@requires(Role.VIEWER)
def trial_balance_page() -> Any:
    start, end = date_arg("from"), date_arg("to")
    on = None if start or end else date_arg("date")
    session = db.session()
    month, labels = start_month(), readers_account_labels()  # read once for both columns
    last_day, first_day = asked_dates(today=today(), on=on, start=start, end=end)
    report, before = trial_balances(
        session, last_day, start=first_day, start_month=month, labels=labels
    )
    kind = wanted_format()
    if kind == "csv":
        return _csv(report)
    blocks = trial_balance_blocks(report.sections, before.sections)
    if kind is not None:
        title = _("Proefbalans")
        subtitle = _trial_balance_text(report)
        table = trial_balance_table(
            title,
            subtitle,
            blocks,
            _when(report),
            _when(before),
            report.debit_credit,
            before.debit_credit,
        )
        return table_download(report_kind(report), table, kind)
    return render_template(
        "books/trial_balance.html",
        report=report,
        before=before,
        blocks=blocks,
        presets=presets(month),
        previous_title=_when(before),
    )


def _when(report: TrialBalance) -> str:
    if report.start is None:
        return short_day(report.end)
    return _span(Period(report.start, report.end))


def _trial_balance_text(report: TrialBalance) -> str:
    if report.start is None:
        return str(_("Saldi per %(day)s", day=day(report.end)))
    return str(
        _("Mutaties van %(start)s tot en met %(end)s", start=day(report.start), end=day(report.end))
    )


def _span(period: Period) -> str:
    return f"{short_day(period.start)} – {short_day(period.end)}"


def _csv(report: Report) -> Response:
    """The report's rows with exact amounts in Beancount's signs (credit negative)."""
    header = [_("rekening"), _("omschrijving"), _("valuta"), _("bedrag")]
    return csv_download(report_kind(report), header, report_rows(report))
