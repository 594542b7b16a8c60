"""The trial balance (proef- en saldibalans): every account, as of a day or over a period."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ledger.balances import Balances, BalancesRead
from ledger.reports.periods import Period
from ledger.reports.sections import Section, Units, account_labels, add_units, section

ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")


@dataclass(frozen=True, slots=True)
class TrialBalance:
    """Every account's units per currency: at the end of ``end``, or its change over a period.

    ``start`` is None for a balance as of ``end``. ``totals`` sums all accounts per currency;
    it is zero for every currency not held at cost, since every transaction balances.
    """

    start: date | None
    end: date
    sections: tuple[Section, ...]
    totals: Units
    balances: Balances

    @property
    def debit_credit(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per currency, the sum of the debit balances and of the credit balances (positive).

        The two agree for every currency not held at cost: that is what makes it a trial.
        """
        return debit_credit_totals(self.sections)


def debit_credit_totals(sections: Iterable[Section]) -> dict[str, tuple[Decimal, Decimal]]:
    """Add each account's balance to the debit side (positive) or the credit side (negative)."""
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for line in (line for part in sections for line in part.lines):
        for currency, number in line.units.items():
            debit, credit = totals.get(currency, (Decimal(0), Decimal(0)))
            if number >= 0:
                totals[currency] = (debit + number, credit)
            else:
                totals[currency] = (debit, credit - number)
    return dict(sorted(totals.items()))


def trial_balance(
    session: Session,
    end: date,
    *,
    start: date | None = None,
    labels: Mapping[str, str] | None = None,
    read: BalancesRead | None = None,
) -> TrialBalance:
    """Balances at the end of ``end``, or (with ``start``) the changes from ``start`` to ``end``.

    ``labels`` are the accounts' labels (``account_labels``) and ``read`` the balances of the
    day after ``end`` (and of ``start``), when the caller read them already.
    """
    if start is None:
        read = read or BalancesRead(session, [end + timedelta(days=1)])
        balances = read.on(end)
    else:
        period = Period(start, end)
        read = read or BalancesRead(session, [period.start, period.end + timedelta(days=1)])
        balances = read.between(period.start, period.end)
    labels = account_labels(session) if labels is None else labels
    sections = tuple(section(root, balances, labels) for root in ROOTS)
    return TrialBalance(
        start=start,
        end=end,
        sections=sections,
        totals=add_units(s.totals for s in sections),
        balances=balances,
    )
