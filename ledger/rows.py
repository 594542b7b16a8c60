"""Between our plain entry types and table rows: one place that knows both shapes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.entries import Amount, Cost, NewPosting, NewTransaction
from ledger.meta import decode_meta, encode_meta
from ledger.models import Posting, Transaction


def with_cost_dates(transaction: NewTransaction) -> NewTransaction:
    """A lot without a date gets the transaction's date, as Beancount's booking does."""
    postings = tuple(
        replace(p, cost=replace(p.cost, date=transaction.date))
        if p.cost is not None and p.cost.date is None
        else p
        for p in transaction.postings
    )
    return replace(transaction, postings=postings)


# ``transaction_row``'s columns, in its order.
TRANSACTION_FIELDS = ("date", "flag", "payee", "narration", "tags", "links", "meta", "source")


def transaction_row(transaction: NewTransaction) -> dict[str, Any]:
    return {
        "date": transaction.date,
        "flag": transaction.flag,
        "payee": transaction.payee,
        "narration": transaction.narration,
        "tags": sorted(transaction.tags),
        "links": sorted(transaction.links),
        "meta": encode_meta(transaction.meta),
        "source": transaction.source,
    }


def posting_row(
    posting: NewPosting, transaction_id: int, account_id: int, position: int, day: Any
) -> dict[str, Any]:
    cost, price = posting.cost, posting.price
    return {
        "transaction_id": transaction_id,
        "position": position,
        "account_id": account_id,
        "date": day,
        "number": posting.units.number,
        "currency": posting.units.currency,
        "cost_number": cost.number if cost else None,
        "cost_currency": cost.currency if cost else None,
        "cost_date": cost.date if cost else None,
        "cost_label": cost.label if cost else None,
        "price_number": price.number if price else None,
        "price_currency": price.currency if price else None,
        "flag": posting.flag,
        "meta": encode_meta(posting.meta),
    }


def to_transaction(row: Transaction, postings: Iterable[tuple[Posting, str]]) -> NewTransaction:
    """A stored transaction as a plain value; ``postings`` pairs each posting with its account."""
    return NewTransaction(
        date=row.date,
        narration=row.narration,
        payee=row.payee,
        flag=row.flag,
        tags=frozenset(row.tags),
        links=frozenset(row.links),
        meta=decode_meta(row.meta),
        source=row.source,
        is_padding=row.pad_id is not None,
        postings=tuple(_to_posting(p, account) for p, account in postings),
    )


def transaction_of_rows(rows: Sequence[Any]) -> NewTransaction:
    """A transaction from joined rows, one per posting (``export_rows``, for the transactions
    that Beancount's printer writes); the usual posting (no cost, price or metadata) skips the
    helpers that would find nothing.
    """
    first = rows[0]
    return NewTransaction(
        first.date,
        first.narration,
        tuple(_streamed_posting(row) for row in rows),
        first.payee,
        first.flag,
        frozenset(first.tags) if first.tags else frozenset(),
        frozenset(first.links) if first.links else frozenset(),
        decode_meta(first.meta) if first.meta else {},
        first.source,
    )


def _streamed_posting(row: Any) -> NewPosting:
    units = Amount(row.number, row.currency)
    if row.cost_number is None and row.price_number is None and not row.posting_meta:
        return NewPosting(row.account, units, None, None, row.posting_flag)
    return NewPosting(
        account=row.account,
        units=units,
        cost=cost_of(row.cost_number, row.cost_currency, row.cost_date, row.cost_label),
        price=price_of(row.price_number, row.price_currency),
        flag=row.posting_flag,
        meta=decode_meta(row.posting_meta),
    )


def _to_posting(row: Posting, account: str) -> NewPosting:
    return NewPosting(
        account=account,
        units=Amount(row.number, row.currency),
        cost=cost_of(row.cost_number, row.cost_currency, row.cost_date, row.cost_label),
        price=price_of(row.price_number, row.price_currency),
        flag=row.flag,
        meta=decode_meta(row.meta),
    )


def cost_of(
    number: Decimal | None, currency: str | None, day: date | None, label: str | None
) -> Cost | None:
    """A posting's cost from its columns; None when it was held at no cost."""
    if number is None or currency is None:
        return None
    return Cost(number, currency, day, label)


def price_of(number: Decimal | None, currency: str | None) -> Amount | None:
    return None if number is None or currency is None else Amount(number, currency)


def snapshot(transaction: NewTransaction) -> dict[str, Any]:
    """A transaction as JSON for the audit trail."""
    row = transaction_row(transaction)
    row["date"] = transaction.date.isoformat()
    row["postings"] = [
        {
            "account": p.account,
            "units": [str(p.units.number), p.units.currency],
            "cost": [str(p.cost.number), p.cost.currency, str(p.cost.date), p.cost.label]
            if p.cost
            else None,
            "price": [str(p.price.number), p.price.currency] if p.price else None,
            "flag": p.flag,
            "meta": encode_meta(p.meta),
        }
        for p in transaction.postings
    ]
    return row
