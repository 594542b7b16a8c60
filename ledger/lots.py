"""Booking lots: a reduction is matched against the account's open lots with Beancount's rules.

Only the open lots of the accounts and commodities a transaction holds at cost are read, plus
the postings on them dated after the transaction (none, for a transaction posted today), so a
reduction costs the same whatever the length of the history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ledger import beans
from ledger.entries import AccountRef, Amount, Cost, Lot, NewTransaction
from ledger.errors import ValidationFailed, message
from ledger.models import Account, OpenLot, Posting
from ledger.options import book_options

LotKey = tuple[str, Decimal, str, date, str | None]

_MESSAGES = {
    "ambiguous": message(
        "Meerdere lotten van %(account)s passen bij deze verkoop; geef kostprijs, datum of label"
        " op, of kies FIFO of LIFO voor de rekening."
    ),
    "no_match": message("Geen open lot van %(account)s past bij deze verkoop."),
    "insufficient": message("De open lotten van %(account)s bevatten te weinig eenheden."),
    "other": message("De lotten van %(account)s zijn niet te boeken: %(reason)s."),
}


class LotNotMatched(ValidationFailed):
    """A reduction held at cost that Beancount's booking cannot match to open lots."""


def book_lots(
    session: Session, transaction: NewTransaction, *, without: int | None = None
) -> NewTransaction:
    """The transaction with every cost complete: reductions matched to lots, lots dated.

    Booking sees the lots as they are on the transaction's date, exactly as Beancount would;
    then no lot may end up taking units that a later sale already took. ``without`` leaves
    one stored transaction out (the one an edit replaces). Raises ``LotNotMatched``.
    """
    held = [p for p in transaction.postings if p.cost is not None]
    if not held:
        return transaction
    accounts = {
        a.name: a
        for a in session.scalars(select(Account).where(Account.name.in_({p.account for p in held})))
    }
    on_day: list[Lot] = []
    lowest: dict[tuple[str, LotKey], Decimal] = {}
    for name, currency in sorted({(p.account, p.units.currency) for p in held}):
        if name in accounts:
            lots, least = lots_on(session, accounts[name], currency, transaction.date, without)
            on_day += lots
            lowest.update({(name, key): units for key, units in least.items()})
    _require_lots_for_specs(transaction, on_day)
    methods = {name: account.booking for name, account in accounts.items()}
    booked, problems = beans.book_lots(transaction, on_day, methods, book_options(session))
    if booked is None:
        kind, reason = problems[0]
        account = next((n for n in sorted(accounts) if n in reason), held[0].account)
        raise LotNotMatched(
            _MESSAGES[kind], field="postings", account=AccountRef(account), reason=reason
        )
    _require_later_sales_covered(booked, lowest)
    return booked


def lots_on(
    session: Session, account: Account, currency: str, day: date, without: int | None
) -> tuple[list[Lot], dict[LotKey, Decimal]]:
    """The lots of ``currency`` in ``account`` on ``day``, and the least each holds later on.

    Reads the open lots and the postings held at cost dated after ``day`` (or of ``without``),
    so a sale posted today reads no history at all.
    """
    at_end: dict[LotKey, Decimal] = defaultdict(Decimal)
    for row in session.scalars(
        select(OpenLot).where(OpenLot.account_id == account.id, OpenLot.currency == currency)
    ):
        at_end[_key(row)] += row.units
    later = session.scalars(
        select(Posting)
        .where(
            Posting.account_id == account.id,
            Posting.currency == currency,
            Posting.cost_number.is_not(None),
            Posting.date > day
            if without is None
            else or_(Posting.date > day, Posting.transaction_id == without),
        )
        .order_by(Posting.date, Posting.transaction_id, Posting.id)
    ).all()
    on_day = at_end
    for posting in later:
        on_day[_key(posting)] -= posting.number
    lowest = dict(on_day)
    running = dict(on_day)
    for posting in (p for p in later if p.transaction_id != without):
        key = _key(posting)
        running[key] += posting.number
        lowest[key] = min(lowest[key], running[key])
    lots = [
        Lot(account.name, Amount(units, currency), Cost(key[1], key[2], key[3], key[4]))
        for key, units in sorted(on_day.items(), key=lambda item: (item[0][3], str(item[0])))
        if units != 0
    ]
    return lots, {key: least for key, least in lowest.items() if on_day[key] > 0}


def _require_lots_for_specs(transaction: NewTransaction, lots: list[Lot]) -> None:
    """A sale written as ``{}`` (or with a partial cost) needs an open lot to match."""
    held = {(lot.account, lot.units.currency) for lot in lots if lot.units.number > 0}
    for p in transaction.postings:
        is_spec = p.cost is not None and not isinstance(p.cost, Cost)
        if is_spec and p.units.number < 0 and (p.account, p.units.currency) not in held:
            raise LotNotMatched(_MESSAGES["no_match"], field="postings", account=p.account)


def _require_later_sales_covered(
    booked: NewTransaction, lowest: Mapping[tuple[str, LotKey], Decimal]
) -> None:
    """A back-dated sale must leave every lot enough for the sales after it."""
    change: dict[tuple[str, LotKey], Decimal] = defaultdict(Decimal)
    for p in booked.postings:
        if isinstance(p.cost, Cost) and p.cost.date is not None:
            key = (p.units.currency, p.cost.number, p.cost.currency, p.cost.date, p.cost.label)
            change[(p.account, key)] += p.units.number
    for (account, key), units in change.items():
        least = lowest.get((account, key))
        if least is not None and least + units < 0:
            raise LotNotMatched(
                _MESSAGES["insufficient"], field="postings", account=AccountRef(account)
            )


def apply_lots(
    session: Session, transaction: NewTransaction, account_ids: Mapping[str, int], sign: int
) -> None:
    """Add (``sign`` 1) or take away (-1) a stored transaction's postings held at cost."""
    sums: dict[tuple[int, str, Cost], Decimal] = defaultdict(Decimal)
    for p in transaction.postings:
        if isinstance(p.cost, Cost):
            sums[(account_ids[p.account], p.units.currency, p.cost)] += sign * p.units.number
    if not sums:
        return
    rows = [
        {
            "account_id": account_id,
            "currency": currency,
            "cost_number": cost.number,
            "cost_currency": cost.currency,
            "cost_date": cost.date,
            "cost_label": cost.label,
            "units": units,
        }
        for (account_id, currency, cost), units in sums.items()
    ]
    statement = pg_insert(OpenLot).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            constraint="uq_lots_key", set_={"units": OpenLot.units + statement.excluded.units}
        )
    )
    _drop_empty(session, {account_id for account_id, _c, _cost in sums})


def rebuild_lots(session: Session) -> None:
    """Recompute every open lot from the postings (after a bulk import)."""
    session.execute(delete(OpenLot))
    key = (
        Posting.account_id,
        Posting.currency,
        Posting.cost_number,
        Posting.cost_currency,
        Posting.cost_date,
        Posting.cost_label,
    )
    totals = (
        select(*key, func.sum(Posting.number))
        .where(Posting.cost_number.is_not(None), Posting.cost_date.is_not(None))
        .group_by(*key)
        .having(func.sum(Posting.number) != 0)
    )
    names = ["account_id", "currency", "cost_number", "cost_currency", "cost_date", "cost_label"]
    session.execute(insert(OpenLot).from_select([*names, "units"], totals))


def _drop_empty(session: Session, account_ids: Iterable[int]) -> None:
    session.execute(
        delete(OpenLot).where(OpenLot.account_id.in_(set(account_ids)), OpenLot.units == 0)
    )


def _key(row: OpenLot | Posting) -> LotKey:
    assert row.cost_number is not None and row.cost_currency is not None
    assert row.cost_date is not None
    return (row.currency, row.cost_number, row.cost_currency, row.cost_date, row.cost_label)
