"""The statement of income and expenses (staat van baten en lasten) over a period."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from ledger.balances import Balances, BalancesRead
from ledger.reports.periods import Period
from ledger.reports.sections import Section, Units, account_labels, add_units, only_roots, section

RESULT_ROOTS = ("Income", "Expenses")


@dataclass(frozen=True, slots=True)
class IncomeStatement:
    """What each income and expense account changed by over ``period``, in Beancount's signs.

    Income is negative, expenses positive; ``net_income`` is their sum, so a surplus is negative
    (show it negated as "resultaat").
    """

    period: Period
    income: Section
    expenses: Section
    net_income: Units
    balances: Balances


def income_statement(
    session: Session,
    period: Period,
    *,
    labels: Mapping[str, str] | None = None,
    read: BalancesRead | None = None,
) -> IncomeStatement:
    """Income and expenses from the start of ``period.start`` to the end of ``period.end``.

    ``labels`` are the accounts' labels (``account_labels``) and ``read`` the balances of the
    period's first day and of the day after it, when the caller read them already.
    """
    if read is None:
        read = BalancesRead(session, [period.start, period.end + timedelta(days=1)])
    changes = only_roots(read.between(period.start, period.end), RESULT_ROOTS)
    labels = account_labels(session) if labels is None else labels
    income = section("Income", changes, labels)
    expenses = section("Expenses", changes, labels)
    return IncomeStatement(
        period=period,
        income=income,
        expenses=expenses,
        net_income=add_units([income.totals, expenses.totals]),
        balances=changes,
    )
