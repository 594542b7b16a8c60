"""The figures a dashboard opens with: money at hand, this year against last, what is owed.

Everything is read from the monthly balance buckets, so the cost follows the number of accounts
and months, not the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ledger.balances import subtree_balance
from ledger.chart import DEFAULT_CURRENCY
from ledger.fiscal_year import fiscal_year_of, fiscal_year_start_month
from ledger.models import Account, BalanceBucket, Posting

LIQUID_ROOTS = ("Assets:Bank", "Assets:Cash")
RECEIVABLES = "Assets:Receivables"
PAYABLES = "Liabilities:Payables"


@dataclass(frozen=True, slots=True)
class AccountBalance:
    account: str
    label_nl: str
    label_en: str
    number: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class MonthResult:
    """Income (as a positive number) and expenses of one month."""

    month: date
    income: Decimal
    expenses: Decimal


@dataclass(frozen=True, slots=True)
class YearResult:
    start: date
    end: date
    months: tuple[MonthResult, ...]

    @property
    def income(self) -> Decimal:
        return sum((m.income for m in self.months), Decimal(0))

    @property
    def expenses(self) -> Decimal:
        return sum((m.expenses for m in self.months), Decimal(0))

    @property
    def result(self) -> Decimal:
        return self.income - self.expenses


@dataclass(frozen=True, slots=True)
class Overview:
    liquid: tuple[AccountBalance, ...]
    receivables: Decimal
    payables: Decimal
    this_year: YearResult
    last_year: YearResult
    account_count: int

    @property
    def liquid_total(self) -> Decimal:
        return sum((b.number for b in self.liquid if b.currency == DEFAULT_CURRENCY), Decimal(0))


def overview(session: Session, today: date) -> Overview:
    """The dashboard's figures as of the end of ``today``, in the fiscal year that holds it."""
    start, end = fiscal_year_of(today, fiscal_year_start_month(session))
    last_start, last_end = fiscal_year_of(start - timedelta(days=1), start.month)
    tomorrow = today + timedelta(days=1)
    months = _month_results(session, last_start, end)
    return Overview(
        liquid=_liquid(session, tomorrow),
        receivables=subtree_balance(session, RECEIVABLES, DEFAULT_CURRENCY, tomorrow),
        payables=-subtree_balance(session, PAYABLES, DEFAULT_CURRENCY, tomorrow),
        this_year=_year(months, start, end),
        last_year=_year(months, last_start, last_end),
        account_count=int(session.scalar(select(func.count()).select_from(Account)) or 0),
    )


def _liquid(session: Session, before: date) -> tuple[AccountBalance, ...]:
    """Every open bank and cash account with its balance, empty ones included."""
    is_liquid = or_(
        *(Account.name == root for root in LIQUID_ROOTS),
        *(Account.name.startswith(root + ":", autoescape=True) for root in LIQUID_ROOTS),
    )
    accounts = session.scalars(
        select(Account).where(is_liquid, Account.closed_on.is_(None)).order_by(Account.name)
    ).all()
    balances = _account_balances(session, [a.id for a in accounts], before)
    return tuple(
        AccountBalance(
            a.name, a.label_nl, a.label_en, balances.get(a.id, Decimal(0)), DEFAULT_CURRENCY
        )
        for a in accounts
    )


def _account_balances(session: Session, account_ids: list[int], before: date) -> dict[int, Decimal]:
    """Each account's own balance before ``before``: two statements for all of them."""
    if not account_ids:
        return {}
    month = before.replace(day=1)
    whole = session.execute(
        select(BalanceBucket.account_id, func.sum(BalanceBucket.units))
        .where(
            BalanceBucket.account_id.in_(account_ids),
            BalanceBucket.currency == DEFAULT_CURRENCY,
            BalanceBucket.month < month,
        )
        .group_by(BalanceBucket.account_id)
    )
    partial = session.execute(
        select(Posting.account_id, func.sum(Posting.number))
        .where(
            Posting.account_id.in_(account_ids),
            Posting.currency == DEFAULT_CURRENCY,
            Posting.date >= month,
            Posting.date < before,
        )
        .group_by(Posting.account_id)
    )
    totals: dict[int, Decimal] = {}
    for account_id, units in [*whole, *partial]:
        totals[account_id] = totals.get(account_id, Decimal(0)) + Decimal(units or 0)
    return totals


def _month_results(session: Session, start: date, end: date) -> dict[date, MonthResult]:
    rows = session.execute(
        select(Account.type, BalanceBucket.month, func.sum(BalanceBucket.units))
        .join(Account, Account.id == BalanceBucket.account_id)
        .where(
            Account.type.in_(("Income", "Expenses")),
            BalanceBucket.currency == DEFAULT_CURRENCY,
            BalanceBucket.month >= start,
            BalanceBucket.month <= end,
        )
        .group_by(Account.type, BalanceBucket.month)
    ).all()
    income: dict[date, Decimal] = {}
    expenses: dict[date, Decimal] = {}
    for kind, month, units in rows:
        if kind == "Income":
            income[month] = -Decimal(units)
        else:
            expenses[month] = Decimal(units)
    return {
        m: MonthResult(m, income.get(m, Decimal(0)), expenses.get(m, Decimal(0)))
        for m in income.keys() | expenses.keys()
    }


def _year(months: dict[date, MonthResult], start: date, end: date) -> YearResult:
    result = []
    month = start
    while month <= end:
        result.append(months.get(month, MonthResult(month, Decimal(0), Decimal(0))))
        month = (month + timedelta(days=32)).replace(day=1)
    return YearResult(start, end, tuple(result))
