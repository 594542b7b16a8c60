"""The journal (memoriaal): transactions newest first, filtered, one page at a time.

Pages are cut in the database by key (date, id) on the index ``ix_transactions_date_id``, so
the hundredth page costs what the first does, whatever the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import Select, any_, exists, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from ledger.entries import NewTransaction
from ledger.models import Account, Posting, Transaction
from ledger.rows import to_transaction

Cursor = tuple[date, int]
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class JournalFilter:
    """What to show: an account (with its subaccounts), text in payee or narration, a tag, dates."""

    account: str | None = None
    text: str | None = None
    tag: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class JournalEntry:
    id: int
    transaction: NewTransaction


@dataclass(frozen=True, slots=True)
class JournalPage:
    """Up to a page of entries; ``next_cursor`` is the key to ask the next (older) page with."""

    entries: tuple[JournalEntry, ...]
    next_cursor: Cursor | None


def journal(
    session: Session,
    filters: JournalFilter = JournalFilter(),
    *,
    before: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> JournalPage:
    """Transactions matching ``filters``, newest first, older than the key ``before``."""
    query = _filtered(select(Transaction), filters).order_by(
        Transaction.date.desc(), Transaction.id.desc()
    )
    if before is not None:
        query = query.where(tuple_(Transaction.date, Transaction.id) < tuple_(*before))
    rows = session.scalars(query.limit(limit + 1)).all()
    page = rows[:limit]
    postings = session.execute(
        select(Posting, Account.name)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.transaction_id.in_([row.id for row in page]))
        .order_by(Posting.transaction_id, Posting.position)
    ).all()
    by_transaction = {
        key: [(p, name) for p, name in group]
        for key, group in groupby(postings, key=lambda pair: pair[0].transaction_id)
    }
    entries = tuple(
        JournalEntry(row.id, to_transaction(row, by_transaction.get(row.id, []))) for row in page
    )
    cursor = (page[-1].date, page[-1].id) if len(rows) > limit else None
    return JournalPage(entries, cursor)


def _filtered(query: Select[Any], filters: JournalFilter) -> Select[Any]:
    if filters.start is not None:
        query = query.where(Transaction.date >= filters.start)
    if filters.end is not None:
        query = query.where(Transaction.date <= filters.end)
    if filters.tag:
        query = query.where(literal(filters.tag) == any_(Transaction.tags))
    if filters.text:
        query = query.where(
            or_(
                Transaction.narration.icontains(filters.text, autoescape=True),
                Transaction.payee.icontains(filters.text, autoescape=True),
            )
        )
    if filters.account:
        in_tree = or_(
            Account.name == filters.account,
            Account.name.startswith(filters.account + ":", autoescape=True),
        )
        query = query.where(
            exists()
            .where(Posting.transaction_id == Transaction.id)
            .where(Posting.account_id.in_(select(Account.id).where(in_tree).scalar_subquery()))
        )
    return query
