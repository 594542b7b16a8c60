"""Balance sheet, income statement and trial balance pages, each also as CSV, Excel and PDF."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Response, render_template
from flask_babel import gettext as _

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
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.catalogue import build_report
from ledger.reports.formats import Report, report_kind, report_rows
from ledger.reports.income_statement import IncomeStatement, income_statement
from ledger.reports.periods import Period, previous_period, year_to_date
from ledger.reports.sections import account_labels
from ledger.reports.trial_balance import TrialBalance, trial_balance
from tenants.roles import Role

blueprint = organisation_blueprint("reports", __name__)


@blueprint.route("/reports/balance-sheet")
@requires(Role.VIEWER)
def balance_sheet_page() -> Any:
    session = db.session()
    month, labels = start_month(), account_labels(session)  # read once for both sheets
    sheet = balance_sheet(session, date_arg("date") or today(), start_month=month, labels=labels)
    kind = wanted_format()
    if kind == "csv":
        return _csv(sheet)
    before = balance_sheet(
        session, sheet.year_start - timedelta(days=1), start_month=month, labels=labels
    )
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
    month, labels = start_month(), account_labels(session)  # read once for both periods
    statement = build_report(
        session,
        "income-statement",
        today=today(),
        start=date_arg("from"),
        end=date_arg("to"),
        start_month=month,
        labels=labels,
    )
    assert isinstance(statement, IncomeStatement)
    kind = wanted_format()
    if kind == "csv":
        return _csv(statement)
    before = income_statement(session, previous_period(statement.period), labels=labels)
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
    labels = account_labels(session)  # read once for both columns
    report = build_report(
        session, "trial-balance", today=today(), on=on, start=start, end=end, labels=labels
    )
    assert isinstance(report, TrialBalance)
    kind = wanted_format()
    if kind == "csv":
        return _csv(report)
    month = start_month()
    before = _previous_trial_balance(report, month, labels)
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


def _previous_trial_balance(
    report: TrialBalance, month: int, labels: Mapping[str, str]
) -> TrialBalance:
    """The period before, or as of the end of the previous fiscal year (starting in ``month``)."""
    session = db.session()
    if report.start is not None:
        earlier = previous_period(Period(report.start, report.end))
        return trial_balance(session, earlier.end, start=earlier.start, labels=labels)
    year_start = year_to_date(report.end, month).start
    return trial_balance(session, year_start - timedelta(days=1), labels=labels)


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
