"""The reports by name, and what a date or a period means for each of them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from ledger.errors import ValidationFailed, message
from ledger.fiscal_year import fiscal_year_start_month
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.formats import Report
from ledger.reports.income_statement import income_statement
from ledger.reports.periods import Period, year_to_date
from ledger.reports.trial_balance import trial_balance

REPORT_KINDS = ("balance-sheet", "income-statement", "trial-balance")
PERIOD_REVERSED = message("De periode eindigt voor ze begint.")


def build_report(
    session: Session,
    kind: str,
    *,
    today: date,
    on: date | None = None,
    start: date | None = None,
    end: date | None = None,
    start_month: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> Report:
    """The report ``kind`` for a day (``on``) or a period (``start`` to ``end``, inclusive).

    A balance sheet is as of ``on`` (or ``end``, with its year starting at ``start``); an
    income statement covers the period (or the fiscal year up to ``on``); a trial balance is as
    of ``on`` or the change over the period. With no dates: as of today, or the year to date.
    ``start_month`` (the fiscal year's) and ``labels`` (``account_labels``) are read unless
    the caller passes them.
    """
    day, start = asked_dates(today=today, on=on, start=start, end=end)
    if kind == "balance-sheet":
        return balance_sheet(session, day, year_start=start, start_month=start_month, labels=labels)
    if kind == "income-statement":
        if start is not None:  # a period asked for: the fiscal year does not matter
            return income_statement(session, Period(start, day), labels=labels)
        month = fiscal_year_start_month(session) if start_month is None else start_month
        return income_statement(session, income_period(day, None, month), labels=labels)
    if kind == "trial-balance":
        return trial_balance(session, day, start=start, labels=labels)
    raise ValidationFailed(message("Onbekend rapport %(kind)s."), kind=kind)


def asked_dates(
    *, today: date, on: date | None = None, start: date | None = None, end: date | None = None
) -> tuple[date, date | None]:
    """The report's day and, for a period, its first day, checked as every report checks them."""
    if on is not None and (start is not None or end is not None):
        raise ValidationFailed(message("Kies een datum of een periode, niet allebei."))
    if (start is None) != (end is None):
        raise ValidationFailed(message("Een periode heeft een begin- en een einddatum."))
    if start is not None and end is not None and end < start:
        raise ValidationFailed(PERIOD_REVERSED)
    return on or end or today, start


def income_period(day: date, start: date | None, start_month: int) -> Period:
    """An income statement's period: ``start`` to ``day``, or the fiscal year up to ``day``."""
    return Period(start, day) if start is not None else year_to_date(day, start_month)
