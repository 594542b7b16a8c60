"""Each report page shows a report beside the one before it; both come from one read.

The earlier column is the previous fiscal year's end for a balance sheet and a trial balance
as of a day, and the period before (``previous_period``) for an income statement and a trial
balance over a period. The balances of every day the two need are read in one statement
(``BalancesRead``), not one per column.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ledger.balances import BalancesRead
from ledger.reports.balance_sheet import BalanceSheet, balance_sheet
from ledger.reports.income_statement import IncomeStatement, income_statement
from ledger.reports.periods import Period, previous_period, year_to_date
from ledger.reports.trial_balance import TrialBalance, trial_balance

DAY = timedelta(days=1)


def balance_sheets(
    session: Session, on: date, *, start_month: int, labels: Mapping[str, str]
) -> tuple[BalanceSheet, BalanceSheet]:
    """The balance sheet at the end of ``on``, and at the end of the fiscal year before."""
    start = year_to_date(on, start_month).start
    earlier_on = start - DAY
    earlier_start = year_to_date(earlier_on, start_month).start
    read = BalancesRead(session, [on + DAY, start, earlier_start])
    return (
        balance_sheet(session, on, year_start=start, labels=labels, read=read),
        balance_sheet(session, earlier_on, year_start=earlier_start, labels=labels, read=read),
    )


def income_statements(
    session: Session, period: Period, *, labels: Mapping[str, str]
) -> tuple[IncomeStatement, IncomeStatement]:
    """The income statement over ``period``, and over the period before it."""
    earlier = previous_period(period)
    read = BalancesRead(session, [period.start, period.end + DAY, earlier.start, earlier.end + DAY])
    return (
        income_statement(session, period, labels=labels, read=read),
        income_statement(session, earlier, labels=labels, read=read),
    )


def trial_balances(
    session: Session,
    end: date,
    *,
    start: date | None,
    start_month: int,
    labels: Mapping[str, str],
) -> tuple[TrialBalance, TrialBalance]:
    """The trial balance as of ``end`` and as of the previous fiscal year's end; or (with
    ``start``) over the period and over the period before it."""
    if start is None:
        year_end = year_to_date(end, start_month).start - DAY
        read = BalancesRead(session, [end + DAY, year_end + DAY])
        return (
            trial_balance(session, end, labels=labels, read=read),
            trial_balance(session, year_end, labels=labels, read=read),
        )
    earlier = previous_period(Period(start, end))
    read = BalancesRead(session, [start, end + DAY, earlier.start, earlier.end + DAY])
    return (
        trial_balance(session, end, start=start, labels=labels, read=read),
        trial_balance(session, earlier.end, start=earlier.start, labels=labels, read=read),
    )
