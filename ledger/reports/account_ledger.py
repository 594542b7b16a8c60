"""The account ledger (grootboekkaart): one account's postings with a running balance.

Pages are cut in the database by key (date, posting id), and the balance before a page is the
closing balance of the month before (from the monthly roll-ups) plus that month's earlier
postings: a page costs the same at the start of the history as at its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    Numeric,
    Select,
    String,
    bindparam,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from ledger.amounts import amount_in
from ledger.balances import closing_balances
from ledger.entries import Amount
from ledger.errors import NotFound, message
from ledger.models import Account, Posting, Transaction
from ledger.reports.periods import Period
from ledger.reports.sections import Units
from ledger.roll_up import month_of
from ledger.statements import LIKE_ESCAPE, like_escaped, read

Cursor = tuple[date, int]
PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One posting, and the account's balance in its currency just after it."""

    posting_id: int
    transaction_id: int
    date: date
    flag: str
    payee: str | None
    narration: str
    units: Amount
    balance: Decimal


@dataclass(frozen=True, slots=True)
class AccountLedger:
    """A page of postings in date order; ``opening`` is the balance before its first line."""

    account: str
    label: str
    label_en: str
    period: Period | None
    opening: Units
    lines: tuple[LedgerLine, ...]
    closing: Units
    next_cursor: Cursor | None


def account_ledger(
    session: Session,
    account: str,
    *,
    period: Period | None = None,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
    text: str | None = None,
) -> AccountLedger:
    """The postings of ``account`` (within ``period``), starting after the key ``after``.

    With ``text`` only postings whose payee or narration holds it (or, when the text is an
    amount, postings of that size either way: ``ledger.amounts.amount_in``) are listed, and the
    balance runs over those alone (starting from nothing): a sum of what was found, not the
    account's.
    """
    row = read(session, _ACCOUNT, {"name": account}).one_or_none()
    if row is None:
        raise NotFound(message("Rekening %(name)s bestaat niet."), name=account)
    account_id, label, label_en = row
    opening = {} if text else _balance_before(session, account_id, period, after)
    values: dict[str, Any] = {"account_id": account_id, "limit": limit + 1}
    if period is not None:
        values["start"], values["end"] = period.start, period.end
    if after is not None:
        values["after_date"], values["after_id"] = after
    amount = amount_in(text) if text else None
    if text:
        values["text"] = like_escaped(text)
    if amount is not None:
        values["amount"] = amount
    query = _page_statement(period is not None, after is not None, bool(text), amount is not None)
    rows = read(session, query, values).all()
    running = dict(opening)
    lines = []
    # Unpacked by position (``_page_statement``'s columns): a page has a hundred rows.
    for posting_id, transaction_id, day, number, currency, flag, payee, narration in rows[:limit]:
        running[currency] = balance = running.get(currency, Decimal(0)) + number
        lines.append(
            LedgerLine(
                posting_id,
                transaction_id,
                day,
                flag,
                payee,
                narration,
                Amount(number, currency),
                balance,
            )
        )
    more = len(rows) > limit
    cursor = (lines[-1].date, lines[-1].posting_id) if more and lines else None
    return AccountLedger(account, label, label_en, period, opening, tuple(lines), running, cursor)


# Core columns: the page's rows are plain tuples, with no ORM loading step.
_POSTINGS = Posting.__table__.c
_TRANSACTIONS = Transaction.__table__.c
_ACCOUNT = select(Account.id, Account.label_nl, Account.label_en).where(
    Account.name == bindparam("name")
)


@cache
def _page_statement(
    period: bool, after: bool, text: bool, amount: bool
) -> Select[*tuple[Any, ...]]:
    """A page of the account's postings, built once per shape; run with ``account_id`` and
    ``limit``, and ``start`` with ``end``, ``after_date`` with ``after_id``, ``text``
    (escaped) and ``amount`` (the size of one the text is) as present."""
    query: Select[*tuple[Any, ...]] = (
        select(
            _POSTINGS.id,
            _POSTINGS.transaction_id,
            _POSTINGS.date,
            _POSTINGS.number,
            _POSTINGS.currency,
            _TRANSACTIONS.flag,
            _TRANSACTIONS.payee,
            _TRANSACTIONS.narration,
        )
        .join(Transaction.__table__, _TRANSACTIONS.id == _POSTINGS.transaction_id)
        .where(_POSTINGS.account_id == bindparam("account_id"))
        .order_by(_POSTINGS.date, _POSTINGS.id)
        .limit(bindparam("limit", type_=Integer))
    )
    if period:
        query = query.where(
            _POSTINGS.date >= bindparam("start", type_=Date),
            _POSTINGS.date <= bindparam("end", type_=Date),
        )
    if after:
        cursor = tuple_(bindparam("after_date", type_=Date), bindparam("after_id", type_=Integer))
        query = query.where(tuple_(_POSTINGS.date, _POSTINGS.id) > cursor)
    if text:
        pattern = bindparam("text", type_=String)
        found = [
            _TRANSACTIONS.narration.icontains(pattern, escape=LIKE_ESCAPE),
            _TRANSACTIONS.payee.icontains(pattern, escape=LIKE_ESCAPE),
        ]
        if amount:
            found.append(func.abs(_POSTINGS.number) == bindparam("amount", type_=Numeric))
        query = query.where(or_(*found))
    return query


@cache
def _balance_before_statement(after: bool) -> Select[str, Decimal]:
    """Built once per shape; run with ``account_id``, ``month`` and ``day`` (without ``after``)
    or ``after_date`` and ``after_id`` (the cursor, with ``after``)."""
    account_id = bindparam("account_id", type_=BigInteger)
    month = bindparam("month", type_=Date)
    closings = closing_balances(month, account_id).subquery()
    whole = select(closings.c.currency, closings.c.units)
    partial = select(Posting.currency, Posting.number.label("units")).where(
        Posting.account_id == account_id, Posting.date >= month
    )
    if not after:
        partial = partial.where(Posting.date < bindparam("day", type_=Date))
    else:
        cursor = tuple_(bindparam("after_date", type_=Date), bindparam("after_id", type_=Integer))
        partial = partial.where(tuple_(Posting.date, Posting.id) <= cursor)
    parts = whole.union_all(partial).subquery()
    return select(parts.c.currency, func.sum(parts.c.units)).group_by(parts.c.currency)


def _balance_before(
    session: Session, account_id: int, period: Period | None, after: Cursor | None
) -> Units:
    """The balance before the page: the closing balance of the month before, then postings."""
    if after is not None:
        day = after[0]
    elif period is not None:
        day = period.start
    else:
        return {}
    month = month_of(day)
    values: dict[str, Any] = {"account_id": account_id, "month": month}
    if after is None:
        values["day"] = day
    else:
        values["after_date"], values["after_id"] = after
    rows = read(session, _balance_before_statement(after is not None), values).all()
    # A currency with no roll-up before the month and no posting in it sums to NULL.
    return {currency: units for currency, units in rows if units is not None and units != 0}
