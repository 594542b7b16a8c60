"""The trial balance (proef- en saldibalans): every account, as of a day or over a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ledger.balances import Balances, balances_between, balances_on
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


def trial_balance(session: Session, end: date, *, start: date | None = None) -> TrialBalance:
    """Balances at the end of ``end``, or (with ``start``) the changes from ``start`` to ``end``."""
    if start is None:
        balances = balances_on(session, end)
    else:
        period = Period(start, end)
        balances = balances_between(session, period.start, period.end)
    labels = account_labels(session)
    sections = tuple(section(root, balances, labels) for root in ROOTS)
    return TrialBalance(
        start=start,
        end=end,
        sections=sections,
        totals=add_units(s.totals for s in sections),
        balances=balances,
    )
