"""The journal (memoriaal): transactions newest first, filtered, one page at a time.

Pages are cut in the database by key (date, id) on the index ``ix_transactions_date_id``, so
the hundredth page costs what the first does, whatever the length of the history; a page and
its postings come in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import Row, Select, any_, exists, literal, or_, select, true, tuple_
from sqlalchemy.orm import Session

from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.meta import decode_meta
from ledger.models import Account, Posting, Transaction
from ledger.rows import cost_of, price_of

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
    """Transactions matching ``filters``, newest first, older than the key ``before``.

    One statement: the page of transactions, each joined laterally with its own postings. The
    ``ORDER BY`` inside the lateral subquery keeps PostgreSQL from flattening it into a hash join
    over every posting, which it picks when the statistics are missing (right after an import):
    per transaction, the postings come from ``ix_postings_transaction_id`` whatever it knows.
    """
    query = _filtered(select(*TRANSACTION_COLUMNS), filters)
    if before is not None:
        query = query.where(tuple_(Transaction.date, Transaction.id) < tuple_(*before))
    page = query.order_by(Transaction.date.desc(), Transaction.id.desc()).limit(limit + 1)
    paged = page.subquery("page")
    legs = (
        select(*POSTING_COLUMNS)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.transaction_id == paged.c.id)
        .order_by(Posting.position)
        .lateral("leg")
    )
    rows = session.execute(
        select(paged, legs)
        .select_from(paged)
        .outerjoin(legs, true())
        .order_by(paged.c.date.desc(), paged.c.id.desc(), legs.c.position)
    ).all()
    grouped = [list(group) for _id, group in groupby(rows, key=lambda row: row.id)]
    entries = tuple(JournalEntry(group[0].id, _transaction(group)) for group in grouped[:limit])
    last = grouped[limit - 1][0] if len(grouped) > limit else None
    return JournalPage(entries, (last.date, last.id) if last is not None else None)


TRANSACTION_COLUMNS = (
    Transaction.id,
    Transaction.date,
    Transaction.flag,
    Transaction.payee,
    Transaction.narration,
    Transaction.tags,
    Transaction.links,
    Transaction.meta,
    Transaction.source,
    Transaction.pad_id,
)
POSTING_COLUMNS = (
    Account.name.label("account"),
    Posting.position,
    Posting.number,
    Posting.currency,
    Posting.cost_number,
    Posting.cost_currency,
    Posting.cost_date,
    Posting.cost_label,
    Posting.price_number,
    Posting.price_currency,
    Posting.flag.label("posting_flag"),
    Posting.meta.label("posting_meta"),
)


def _transaction(rows: list[Row[Any]]) -> NewTransaction:
    """One transaction from its rows (one per posting; one with no posting columns if none)."""
    first = rows[0]
    return NewTransaction(
        date=first.date,
        narration=first.narration,
        payee=first.payee,
        flag=first.flag,
        tags=frozenset(first.tags),
        links=frozenset(first.links),
        meta=decode_meta(first.meta),
        source=first.source,
        is_padding=first.pad_id is not None,
        postings=tuple(_posting(row) for row in rows if row.account is not None),
    )


def _posting(row: Row[Any]) -> NewPosting:
    return NewPosting(
        account=row.account,
        units=Amount(row.number, row.currency),
        cost=cost_of(row.cost_number, row.cost_currency, row.cost_date, row.cost_label),
        price=price_of(row.price_number, row.price_currency),
        flag=row.posting_flag,
        meta=decode_meta(row.posting_meta),
    )


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
