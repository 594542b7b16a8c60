"""Reads of the books that services and exports share."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from ledger.entries import NewTransaction
from ledger.models import Account, Posting, Transaction
from ledger.rows import to_transaction, transaction_of_rows


def load_transaction(session: Session, transaction_id: int) -> NewTransaction | None:
    """One stored transaction as a plain value, or None."""
    row = session.get(Transaction, transaction_id)
    if row is None:
        return None
    postings = session.execute(
        select(Posting, Account.name)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.transaction_id == transaction_id)
        .order_by(Posting.position)
    ).all()
    return to_transaction(row, [(p, name) for p, name in postings])


def all_transactions(session: Session) -> list[tuple[int, NewTransaction]]:
    """Every transaction in date order with its postings, read in two queries (for exports)."""
    rows = session.scalars(select(Transaction).order_by(Transaction.date, Transaction.id)).all()
    postings = session.execute(
        select(Posting, Account.name)
        .join(Account, Account.id == Posting.account_id)
        .order_by(Posting.transaction_id, Posting.position)
    ).all()
    by_transaction = {
        key: [(p, name) for p, name in group]
        for key, group in groupby(postings, key=lambda pair: pair[0].transaction_id)
    }
    return [(row.id, to_transaction(row, by_transaction.get(row.id, []))) for row in rows]


def _unless_empty(column: Any, empty: str) -> Any:
    """NULL for an empty array or object: most are empty, and NULL costs no decoding."""
    return func.nullif(column, literal_column(empty)).label(column.key)


_STREAMED = (
    Transaction.id.label("transaction_id"),
    Transaction.date,
    Transaction.flag,
    Transaction.payee,
    Transaction.narration,
    _unless_empty(Transaction.tags, "'{}'::text[]"),
    _unless_empty(Transaction.links, "'{}'::text[]"),
    _unless_empty(Transaction.meta, "'{}'::jsonb"),
    Transaction.source,
    Account.name.label("account"),
    Posting.number,
    Posting.currency,
    Posting.cost_number,
    Posting.cost_currency,
    Posting.cost_date,
    Posting.cost_label,
    Posting.price_number,
    Posting.price_currency,
    Posting.flag.label("posting_flag"),
    func.nullif(Posting.meta, literal_column("'{}'::jsonb")).label("posting_meta"),
)


def stream_transactions(session: Session, batch: int = 2000) -> Iterator[NewTransaction]:
    """Every transaction but pad fillers, in date order, read through a server-side cursor.

    One query; rows arrive ``batch`` at a time and each transaction is yielded as soon as its
    last posting is read, so memory stays flat however long the history. Plain rows, not ORM
    objects: an export of 100,000 transactions reads about 250,000 of them.
    """
    query = (
        select(*_STREAMED)
        .join(Posting, Posting.transaction_id == Transaction.id)
        .join(Account, Account.id == Posting.account_id)
        .where(Transaction.pad_id.is_(None))
        .order_by(Transaction.date, Transaction.id, Posting.position)
        .execution_options(yield_per=batch)
    )
    for _id, rows in groupby(session.execute(query), key=lambda row: row.transaction_id):
        yield transaction_of_rows(list(rows))
