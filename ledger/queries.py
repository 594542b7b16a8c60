"""Reads of the books that services and exports share."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.entries import NewTransaction
from ledger.models import Account, Posting, Transaction
from ledger.rows import to_transaction


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
