"""The monthly balance roll-ups: kept by every write, rebuilt after a bulk load, and checked.

A row per account, currency and month holds the month's change (``units``) and the closing
balance at the month's end (``closing_units``). A write changes its own month's row and the
closing balances of the later months of the same account and currency: usually none, since
people post in the current month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Date,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from ledger.models import Account, BalanceBucket, Posting

Key = tuple[int, str, date]


@dataclass(frozen=True, slots=True)
class Effect:
    """A change of ``units`` of ``currency`` in one account on one date."""

    account_id: int
    account: str
    currency: str
    date: date
    units: Decimal


@dataclass(frozen=True, slots=True)
class RollUpMismatch:
    """A roll-up row that disagrees with the postings (``None``: the row is missing)."""

    account_id: int
    currency: str
    month: date
    stored: tuple[Decimal, Decimal] | None
    expected: tuple[Decimal, Decimal]


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def apply_effects(
    session: Session, effects: Iterable[Effect], *, accounts_locked: bool = False
) -> None:
    """Add the effects to the roll-ups, in the caller's transaction, in one statement.

    The accounts must be locked first (``lock_accounts``; pass ``accounts_locked`` when the
    caller already did): a new month's row starts from the closing balance before it, which a
    concurrent back-dated write could otherwise still be changing. Posts on one account wait
    for each other anyway, on the row of their month.
    """
    sums: dict[Key, Decimal] = defaultdict(Decimal)
    for effect in effects:
        sums[(effect.account_id, effect.currency, month_of(effect.date))] += effect.units
    if not sums:
        return
    if not accounts_locked:
        lock_accounts(session, {account_id for account_id, _currency, _month in sums})
    keys = sorted(sums)
    running: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    carried = []
    for account_id, currency, month in keys:
        running[(account_id, currency)] += sums[(account_id, currency, month)]
        carried.append(running[(account_id, currency)])
    columns = {
        "account_ids": [key[0] for key in keys],
        "currencies": [key[1] for key in keys],
        "months": [key[2] for key in keys],
        "units": [sums[key] for key in keys],
        "carried": carried,
    }
    session.execute(_APPLY_CHANGES, columns)


def lock_accounts(session: Session, account_ids: Iterable[int]) -> None:
    """Lock the accounts' rows (``FOR NO KEY UPDATE``, in id order, so two writes never
    deadlock on them) until the end of the transaction; foreign keys can still point at them."""
    session.execute(
        select(Account.id)
        .where(Account.id.in_(set(account_ids)))
        .order_by(Account.id)
        .with_for_update(key_share=True)
    ).all()


# One statement, so one round trip. Every part reads the rows as they were before it: the
# update adds to the months that have a row (each gets its own month's change; it and every
# later month all changes up to it), the insert starts the months that have none from the
# closing balance before them plus the changes up to them (``carried``, summed per account and
# currency in month order by the caller).
_APPLY_CHANGES = text(
    """
    WITH changes AS (
        SELECT * FROM unnest(
            CAST(:account_ids AS bigint[]), CAST(:currencies AS varchar[]),
            CAST(:months AS date[]), CAST(:units AS numeric[]), CAST(:carried AS numeric[])
        ) AS change (account_id, currency, month, units, carried)
    ),
    updated AS (
        UPDATE balance_buckets AS bucket
        SET units = bucket.units + touched.change,
            closing_units = bucket.closing_units + touched.carried
        FROM (
            SELECT b.account_id, b.currency, b.month,
                   coalesce(sum(c.units) FILTER (WHERE c.month = b.month), 0) AS change,
                   sum(c.units) AS carried
            FROM balance_buckets AS b
            JOIN changes AS c
              ON c.account_id = b.account_id AND c.currency = b.currency AND c.month <= b.month
            GROUP BY b.account_id, b.currency, b.month
        ) AS touched
        WHERE bucket.account_id = touched.account_id AND bucket.currency = touched.currency
          AND bucket.month = touched.month
    )
    INSERT INTO balance_buckets (account_id, currency, month, units, closing_units)
    SELECT c.account_id, c.currency, c.month, c.units, c.carried + coalesce((
        SELECT b.closing_units FROM balance_buckets AS b
        WHERE b.account_id = c.account_id AND b.currency = c.currency AND b.month < c.month
        ORDER BY b.month DESC LIMIT 1
    ), 0)
    FROM changes AS c
    WHERE NOT EXISTS (
        SELECT FROM balance_buckets AS b
        WHERE b.account_id = c.account_id AND b.currency = c.currency AND b.month = c.month
    )
    """
)


def rebuild_roll_up(session: Session) -> None:
    """Recompute every roll-up row from the postings (after a bulk load, or to repair)."""
    session.execute(delete(BalanceBucket))
    month = func.date_trunc("month", Posting.date).cast(Date)
    monthly = (
        select(
            Posting.account_id,
            Posting.currency,
            month.label("month"),
            func.sum(Posting.number).label("units"),
        )
        .group_by(Posting.account_id, Posting.currency, month)
        .subquery()
    )
    closing = func.sum(monthly.c.units).over(
        partition_by=(monthly.c.account_id, monthly.c.currency), order_by=monthly.c.month
    )
    session.execute(
        insert(BalanceBucket).from_select(
            ["account_id", "currency", "month", "units", "closing_units"],
            select(
                monthly.c.account_id, monthly.c.currency, monthly.c.month, monthly.c.units, closing
            ),
        )
    )


def roll_up_mismatches(session: Session) -> list[RollUpMismatch]:
    """The roll-up rows that differ from a sum over the postings; empty when all is exact.

    Deliberately naive (every posting read, the sums made in Python), so that it checks the
    incremental upkeep instead of repeating it. Rows whose month has no postings (a change
    undone within the month) must still carry the running balance.
    """
    expected_change: dict[Key, Decimal] = defaultdict(Decimal)
    for account_id, currency, day, number in session.execute(
        select(Posting.account_id, Posting.currency, Posting.date, Posting.number)
    ):
        expected_change[(account_id, currency, month_of(day))] += number
    stored = {
        (row.account_id, row.currency, row.month): (row.units, row.closing_units)
        for row in session.scalars(select(BalanceBucket))
    }
    running: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    found = []
    for key in sorted(expected_change.keys() | stored.keys()):
        change = expected_change.get(key, Decimal(0))
        running[key[:2]] += change
        expected = (change, running[key[:2]])
        if stored.get(key) != expected:
            found.append(RollUpMismatch(*key, stored.get(key), expected))
    return found
