"""The balance sheet (balans) as of the end of a day.

Income and expenses are not closed into equity in the books, so the sheet shows them as two
equity lines: the result of earlier years (before the fiscal year's start) and the result of
the current year. With them the sheet balances, per currency, as Beancount's does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ledger.balances import Balances, BalancesRead
from ledger.fiscal_year import fiscal_year_start_month
from ledger.reports.periods import year_to_date
from ledger.reports.sections import Section, Units, account_labels, add_units, only_roots, section

BALANCE_ROOTS = ("Assets", "Liabilities", "Equity")
RESULT_ROOTS = ("Income", "Expenses")


@dataclass(frozen=True, slots=True)
class BalanceSheet:
    """Balances at the end of ``on``, with Beancount's signs (credit balances are negative).

    ``balances`` holds every Assets, Liabilities and Equity account; ``retained_earnings`` is
    income plus expenses before ``year_start``, ``net_income`` from ``year_start`` to ``on``.
    """

    on: date
    year_start: date
    assets: Section
    liabilities: Section
    equity: Section
    retained_earnings: Units
    net_income: Units
    balances: Balances

    @property
    def is_balanced(self) -> bool:
        """Assets, liabilities, equity and results sum to zero (when nothing is held at cost)."""
        total = add_units(
            [
                self.assets.totals,
                self.liabilities.totals,
                self.equity.totals,
                self.retained_earnings,
                self.net_income,
            ]
        )
        return all(number == 0 for number in total.values())


def balance_sheet(
    session: Session,
    on: date,
    *,
    year_start: date | None = None,
    start_month: int | None = None,
    labels: Mapping[str, str] | None = None,
    read: BalancesRead | None = None,
) -> BalanceSheet:
    """The balance sheet at the end of ``on``; by default its year is the book's fiscal year.

    A caller that shows several reports may pass what they share, read once: the fiscal year's
    ``start_month``, the accounts' ``labels`` (``account_labels``) and the balances of the days
    they need (``read``: ``BalancesRead`` of the day after ``on`` and of the year's start).
    """
    if year_start is None:
        month = fiscal_year_start_month(session) if start_month is None else start_month
        start = year_to_date(on, month).start
    else:
        start = year_start
    if read is None:
        read = BalancesRead(session, [on + timedelta(days=1), start])
    closing, before_start = read.on(on), read.before(start)
    earlier = only_roots(before_start, RESULT_ROOTS)
    labels = account_labels(session) if labels is None else labels
    results = only_roots(closing, RESULT_ROOTS)
    retained = add_units(earlier.values())
    current = add_units(
        [add_units(results.values()), {c: -n for c, n in retained.items()}],
    )
    return BalanceSheet(
        on=on,
        year_start=start,
        assets=section("Assets", closing, labels),
        liabilities=section("Liabilities", closing, labels),
        equity=section("Equity", closing, labels),
        retained_earnings=_nonzero(retained),
        net_income=_nonzero(current),
        balances=only_roots(closing, BALANCE_ROOTS),
    )


def _nonzero(units: Units) -> Units:
    return {currency: number for currency, number in units.items() if number != 0}
