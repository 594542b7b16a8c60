"""The figures a dashboard opens with: money at hand, this year against last, what is owed.

Everything is read from the monthly balance buckets, so the cost follows the number of accounts
and months, not the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Date, Select, String, bindparam, func, or_, select
from sqlalchemy.orm import Session

from ledger.balances import subtree_units, subtree_values
from ledger.chart import DEFAULT_CURRENCY, AccountType
from ledger.fiscal_year import START_MONTH_VALUE, fiscal_year_of, start_month_of
from ledger.models import Account, BalanceBucket, Posting
from ledger.statements import read

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
    """The dashboard's figures as of the end of ``today``, in the fiscal year that holds it.

    Three statements: what is owed with the number of accounts and the fiscal year's first
    month, the months' results, and the liquid accounts with their balances. The months are
    read for every fiscal year that can hold ``today`` and the one before it (35 months), so
    that they need not wait for the fiscal year's first month.
    """
    tomorrow = today + timedelta(days=1)
    owed = read(
        session,
        _owed_statement(),
        subtree_values(
            tomorrow, DEFAULT_CURRENCY, {"receivables": RECEIVABLES, "payables": PAYABLES}
        ),
    ).one()
    start, end = fiscal_year_of(today, start_month_of(owed.start_month))
    last_start, last_end = fiscal_year_of(start - timedelta(days=1), start.month)
    this_month = today.replace(day=1)
    months = _month_results(session, _months_later(this_month, -23), _months_later(this_month, 11))
    liquid = _liquid(session, tomorrow)
    return Overview(
        liquid=liquid,
        receivables=Decimal(owed.receivables or 0),
        payables=-Decimal(owed.payables or 0),
        this_year=_year(months, start, end),
        last_year=_year(months, last_start, last_end),
        account_count=int(owed.accounts or 0),
    )


@cache
def _owed_statement() -> Select[Decimal, Decimal, int, Any]:
    """What is owed to and by the organisation (``subtree_balance`` of the receivables and the
    payables), the number of accounts and the fiscal year's first month (its stored value), in
    one statement built once."""
    return select(
        subtree_units("receivables").label("receivables"),
        subtree_units("payables").label("payables"),
        select(func.count()).select_from(Account).scalar_subquery().label("accounts"),
        START_MONTH_VALUE.label("start_month"),
    )


def _months_later(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month``'s (before, when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _liquid(session: Session, before: date) -> tuple[AccountBalance, ...]:
    """Every open bank and cash account with its balance, empty ones included."""
    rows = read(
        session,
        _liquid_statement(),
        {"currency": DEFAULT_CURRENCY, "month": before.replace(day=1), "before": before},
    ).all()
    return tuple(
        AccountBalance(name, label_nl, label_en, _account_balance(whole, partial), DEFAULT_CURRENCY)
        for name, label_nl, label_en, whole, partial in rows
    )


def _account_balance(whole: Decimal | None, partial: Decimal | None) -> Decimal:
    """An account's own balance: its roll-ups before the month, then the month's postings."""
    total = Decimal(0)
    for units in (whole, partial):
        if units is not None:  # a sum over no row, as an absent row was before
            total = total + Decimal(units or 0)
    return total


@cache
def _liquid_statement() -> Select[str, str, str, Decimal | None, Decimal | None]:
    """The open bank and cash accounts by name, each with the sum of its roll-ups before
    ``month`` and of its postings from ``month`` to ``before``, in ``currency``: built once."""
    is_liquid = or_(
        *(Account.name == root for root in LIQUID_ROOTS),
        *(Account.name.startswith(root + ":", autoescape=True) for root in LIQUID_ROOTS),
    )
    currency = bindparam("currency", type_=String)
    month = bindparam("month", type_=Date)
    whole = (
        select(func.sum(BalanceBucket.units))
        .where(
            BalanceBucket.account_id == Account.id,
            BalanceBucket.currency == currency,
            BalanceBucket.month < month,
        )
        .scalar_subquery()
    )
    partial = (
        select(func.sum(Posting.number))
        .where(
            Posting.account_id == Account.id,
            Posting.currency == currency,
            Posting.date >= month,
            Posting.date < bindparam("before", type_=Date),
        )
        .scalar_subquery()
    )
    return (
        select(Account.name, Account.label_nl, Account.label_en, whole, partial)
        .where(is_liquid, Account.closed_on.is_(None))
        .order_by(Account.name)
    )


def _month_results(session: Session, start: date, end: date) -> dict[date, MonthResult]:
    rows = read(session, _month_results_statement(), {"start": start, "end": end}).all()
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


@cache
def _month_results_statement() -> Select[AccountType, date, Decimal]:
    """Income and expenses per month from ``start`` to ``end``: built once."""
    return (
        select(Account.type, BalanceBucket.month, func.sum(BalanceBucket.units))
        .join(Account, Account.id == BalanceBucket.account_id)
        .where(
            Account.type.in_(("Income", "Expenses")),
            BalanceBucket.currency == DEFAULT_CURRENCY,
            BalanceBucket.month >= bindparam("start", type_=Date),
            BalanceBucket.month <= bindparam("end", type_=Date),
        )
        .group_by(Account.type, BalanceBucket.month)
    )


def _year(months: dict[date, MonthResult], start: date, end: date) -> YearResult:
    result = []
    month = start
    while month <= end:
        result.append(months.get(month, MonthResult(month, Decimal(0), Decimal(0))))
        month = (month + timedelta(days=32)).replace(day=1)
    return YearResult(start, end, tuple(result))
