"""Balances as of a date, read from monthly roll-ups that every write keeps in its transaction.

Per account, currency and month a row holds the month's change and the closing balance (the
running total up to the end of that month). A balance before a date is then, per account and
currency, the closing balance of the last row before the date's month plus the postings from
the month's start to the date (or the month's own closing balance minus the postings from the
date to the month's end, whichever stretch is shorter). That is a few index probes per account
and at most half a month of postings, whatever the length of the history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal_column,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from ledger.models import Account, BalanceBucket, Posting
from ledger.roll_up import Effect, apply_effects, month_of, next_month
from ledger.statements import LIKE_ESCAPE, like_escaped, read

__all__ = [
    "Balances",
    "BalancesRead",
    "Effect",
    "apply_effects",
    "balances_before",
    "balances_before_each",
    "balances_between",
    "balances_on",
    "subtree_balance",
    "subtree_units",
    "subtree_values",
]

Balances = dict[str, dict[str, Decimal]]


def balances_before(session: Session, day: date) -> Balances:
    """Every account's units per currency, summed over lots, from postings dated before ``day``."""
    boundary, low, high, sign = _nearest_boundary(day)
    rows = read(
        session,
        _balances_before_statement(),
        {"boundary": boundary, "low": low, "high": high, "sign": sign},
    ).all()
    result: Balances = {}
    for name, currency, units in rows:
        if units:
            result.setdefault(name, {})[currency] = units
    return result


@cache
def _balances_before_statement() -> Select[str, str, Decimal]:
    """Built once; run with ``boundary``, ``low``, ``high`` and ``sign`` (``_nearest_boundary``)."""
    return _balances_part(_pairs(None), "")


def _balances_part(pairs: CTE, suffix: str) -> Select[str, str, Decimal]:
    """Balances before a day whose ``_nearest_boundary`` is in the parameters ``boundary``,
    ``low``, ``high`` and ``sign``, each followed by ``suffix``."""
    closings = _closings(pairs, bindparam(f"boundary{suffix}", type_=Date))
    sign = bindparam(f"sign{suffix}", type_=Integer)
    partial = select(Posting.account_id, Posting.currency, (sign * Posting.number).label("units"))
    low, high = bindparam(f"low{suffix}", type_=Date), bindparam(f"high{suffix}", type_=Date)
    parts = union_all(closings, partial.where(Posting.date >= low, Posting.date < high)).subquery()
    return (
        select(Account.name, parts.c.currency, func.sum(parts.c.units))
        .join(parts, parts.c.account_id == Account.id)
        .group_by(Account.name, parts.c.currency)
    )


def balances_before_each(session: Session, days: Sequence[date]) -> list[Balances]:
    """``balances_before`` of each of ``days``, in that order, read in one statement."""
    if len(days) == 1:
        return [balances_before(session, days[0])]
    values: dict[str, Any] = {}
    for n, day in enumerate(days):
        boundary, low, high, sign = _nearest_boundary(day)
        values |= {f"boundary_{n}": boundary, f"low_{n}": low, f"high_{n}": high, f"sign_{n}": sign}
    results: list[Balances] = [{} for _ in days]
    rows = read(session, _balances_each_statement(len(days)), values).all()
    for name, currency, units, which in rows:
        if units:
            results[which].setdefault(name, {})[currency] = units
    return results


@cache
def _balances_each_statement(count: int) -> CompoundSelect[str, str, Decimal, int]:
    """``count`` days' balances, each row ending with the day's place (0, 1, ...); built once
    per count.

    The days share one walk over the (account, currency) pairs.
    """
    pairs = _pairs(None)
    return union_all(
        *(
            _balances_part(pairs, f"_{n}").add_columns(literal_column(str(n), Integer))
            for n in range(count)
        )
    )


def balances_on(session: Session, day: date) -> Balances:
    """Balances at the end of ``day`` (its postings included)."""
    return balances_before(session, day + timedelta(days=1))


def balances_between(session: Session, start: date, end: date) -> Balances:
    """The change of every account from the start of ``start`` to the end of ``end``."""
    closing, opening = balances_before_each(session, [end + timedelta(days=1), start])
    return _change(closing, opening)


class BalancesRead:
    """Balances before several days, read in one statement, then looked up by day.

    A report page shows a report beside the one before it: the days both need (three or four)
    are read together instead of one statement per column. A day not read ahead is read when
    asked for, so a caller that forgot one gets a right answer, one statement later.
    """

    def __init__(self, session: Session, days: Sequence[date]) -> None:
        self._session = session
        wanted = sorted(set(days))
        self._by_day = dict(zip(wanted, balances_before_each(session, wanted), strict=True))

    def before(self, day: date) -> Balances:
        """Every account's units before ``day`` (as ``balances_before``)."""
        found = self._by_day.get(day)
        if found is None:
            found = self._by_day[day] = balances_before(self._session, day)
        return found

    def on(self, day: date) -> Balances:
        """Balances at the end of ``day`` (as ``balances_on``)."""
        return self.before(day + timedelta(days=1))

    def between(self, start: date, end: date) -> Balances:
        """The change from the start of ``start`` to the end of ``end`` (``balances_between``)."""
        return _change(self.on(end), self.before(start))


def _change(closing: Balances, opening: Balances) -> Balances:
    result: Balances = {}
    for name in closing.keys() | opening.keys():
        for currency in closing.get(name, {}).keys() | opening.get(name, {}).keys():
            change = closing.get(name, {}).get(currency, Decimal(0)) - opening.get(name, {}).get(
                currency, Decimal(0)
            )
            if change != 0:
                result.setdefault(name, {})[currency] = change
    return result


def subtree_balance(session: Session, account: str, currency: str, day: date) -> Decimal:
    """Units of ``currency`` in ``account`` and its subaccounts before ``day``, as ``balance``."""
    total = read(
        session,
        _subtree_balance_statement(),
        subtree_values(day, currency, {"account": account}),
    ).scalar()
    return Decimal(total or 0)


@cache
def _subtree_balance_statement() -> Select[Decimal]:
    return select(subtree_units("account"))


def subtree_units(key: str) -> ColumnElement[Decimal]:
    """``subtree_balance`` as SQL, for a statement built once (several subtrees may share it).

    The account is the parameter ``key``; run the statement with ``subtree_values``.
    """
    in_tree = (Account.name == bindparam(key, type_=String)) | Account.name.startswith(
        bindparam(f"{key}_subaccounts", type_=String), escape=LIKE_ESCAPE
    )
    currency = bindparam("subtree_currency", type_=String)
    boundary = bindparam("subtree_boundary", type_=Date)
    closing = _closing_of(Account.id, currency, boundary)
    whole = select(func.coalesce(func.sum(closing), 0)).where(in_tree).scalar_subquery()
    sign = bindparam("subtree_sign", type_=Integer)
    partial = (
        select(func.coalesce(func.sum(sign * Posting.number), 0))
        .join(Account, Account.id == Posting.account_id)
        .where(
            in_tree,
            Posting.currency == currency,
            Posting.date >= bindparam("subtree_low", type_=Date),
            Posting.date < bindparam("subtree_high", type_=Date),
        )
        .scalar_subquery()
    )
    return whole + partial


def subtree_values(day: date, currency: str, accounts: Mapping[str, str]) -> dict[str, Any]:
    """The parameters of ``subtree_units`` for balances before ``day``; ``accounts`` holds the
    account of each ``key``."""
    boundary, low, high, sign = _nearest_boundary(day)
    values: dict[str, Any] = {
        "subtree_currency": currency,
        "subtree_boundary": boundary,
        "subtree_low": low,
        "subtree_high": high,
        "subtree_sign": sign,
    }
    for key, account in accounts.items():
        values[key] = account
        values[f"{key}_subaccounts"] = like_escaped(account + ":")
    return values


def closing_balances(
    boundary: ColumnElement[date], account_id: ColumnElement[int] | None = None
) -> Select[int, str, Decimal]:
    """``(account_id, currency, units)`` before ``boundary`` (a month's first day) per pair.

    The pairs are found with a loose index scan (one probe each, instead of reading every
    month), and each pair's balance is its last row before ``boundary``: one probe more.
    ``account_id`` limits it to one account. Both are SQL expressions (``bindparam``), so that
    a caller builds its statement once.
    """
    return _closings(_pairs(account_id), boundary)


def _closings(pairs: CTE, boundary: ColumnElement[date]) -> Select[int, str, Decimal]:
    closing = _closing_of(pairs.c.account_id, pairs.c.currency, boundary)
    return select(pairs.c.account_id, pairs.c.currency, closing.label("units"))


def _pairs(account_id: ColumnElement[int] | None) -> CTE:
    """Every (account, currency) with a roll-up row, walking the primary key's index."""
    key = (BalanceBucket.account_id, BalanceBucket.currency)
    first = select(*key).order_by(*key).limit(1)
    if account_id is not None:
        first = first.where(BalanceBucket.account_id == account_id)
    found = first.cte("pairs", recursive=True)
    previous = found.alias("previous")
    following = select(*key).where(
        tuple_(*key) > tuple_(previous.c.account_id, previous.c.currency)
    )
    if account_id is not None:
        following = following.where(BalanceBucket.account_id == account_id)
    step = following.order_by(*key).limit(1).lateral("following")
    return found.union_all(
        select(step.c.account_id, step.c.currency).join_from(previous, step, true())
    )


def _closing_of(
    account_id: ColumnElement[int] | InstrumentedAttribute[int],
    currency: ColumnElement[str],
    boundary: ColumnElement[date],
) -> ColumnElement[Decimal]:
    """The closing balance of the pair's last month before ``boundary`` (NULL if none)."""
    return (
        select(BalanceBucket.closing_units)
        .where(
            BalanceBucket.account_id == account_id,
            BalanceBucket.currency == currency,
            BalanceBucket.month < boundary,
        )
        .order_by(BalanceBucket.month.desc())
        .limit(1)
        .scalar_subquery()
    )


def _nearest_boundary(day: date) -> tuple[date, date, date, int]:
    """The month boundary nearest ``day``, and the postings between them with their sign.

    Before ``day`` is the closing balance before the boundary plus (``sign`` 1) or minus
    (``sign`` -1) the postings dated from ``low`` up to but not including ``high``.
    """
    start, end = month_of(day), next_month(day)
    if day - start <= end - day:
        return start, start, day, 1
    return end, day, end, -1
