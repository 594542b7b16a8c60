"""Every transaction of a book as Beancount text, written straight from the rows of one cursor.

The export of 100,000 transactions reads about 250,000 posting rows. Each plain transaction
(see ``ledger.transaction_text``) is written from its rows' values as they arrive, with no
ORM object, no ``NewTransaction`` and no Beancount object in between: the numbers come as
PostgreSQL's text of the NUMERIC, which is what the printer writes. Any other transaction is
made into a ``NewTransaction`` and written by Beancount's printer (``ledger.beans``). Rows
arrive a batch at a time from a server-side cursor, so memory stays flat however long the
history.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Text, and_, cast, func, literal_column, select
from sqlalchemy.orm import Session

from ledger.entries import NewTransaction
from ledger.meta import decode_meta
from ledger.models import Account, Posting, Transaction
from ledger.rows import transaction_of_rows
from ledger.transaction_text import WrittenTransaction, plain_meta_lines, transaction_text

BATCH = 5000


def _unless_empty(column: Any, empty: str) -> Any:
    """NULL for an empty array or object: most are empty, and NULL costs no decoding."""
    return func.nullif(column, literal_column(empty)).label(column.key)


# The row's columns, in this order (``_Row`` names them for the printer's path).
_COLUMNS = (
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
    Posting.flag.label("posting_flag"),
    cast(Posting.number, Text).label("number"),
    Posting.currency,
    and_(
        Posting.cost_number.is_(None),
        Posting.price_number.is_(None),
        Posting.meta == literal_column("'{}'::jsonb"),
    ).label("is_plain"),
    Posting.cost_number,
    Posting.cost_currency,
    Posting.cost_date,
    Posting.cost_label,
    Posting.price_number,
    Posting.price_currency,
    func.nullif(Posting.meta, literal_column("'{}'::jsonb")).label("posting_meta"),
)
_QUERY = (
    select(*_COLUMNS)
    .join(Posting, Posting.transaction_id == Transaction.id)
    .join(Account, Account.id == Posting.account_id)
    .where(Transaction.pad_id.is_(None))
    .order_by(Transaction.date, Transaction.id, Posting.position)
)


class _Row(NamedTuple):
    """A row with the names ``rows.transaction_of_rows`` reads, the number as a Decimal."""

    transaction_id: int
    date: Any
    flag: str
    payee: str | None
    narration: str
    tags: list[str] | None
    links: list[str] | None
    meta: dict[str, Any] | None
    source: str | None
    account: str
    posting_flag: str | None
    number: Decimal
    currency: str
    is_plain: bool
    cost_number: Decimal | None
    cost_currency: str | None
    cost_date: Any
    cost_label: str | None
    price_number: Decimal | None
    price_currency: str | None
    posting_meta: dict[str, Any] | None


def written_transactions(
    session: Session, batch: int = BATCH
) -> Iterator[WrittenTransaction | NewTransaction]:
    """Every transaction but pad fillers in date order: as text when plain, else as a value."""
    result = session.connection().execute(_QUERY, execution_options={"yield_per": batch})
    for _id, group in groupby(result, key=itemgetter(0)):
        rows = list(group)
        text = _plain_text(rows)
        yield WrittenTransaction(rows[0][1], text) if text is not None else _transaction(rows)


def _plain_text(rows: Sequence[Any]) -> str | None:
    first = rows[0]
    meta_lines: list[str] | None = []
    if first[7] is not None:
        meta_lines = plain_meta_lines(decode_meta(first[7]))
    if meta_lines is None:
        return None
    postings = []
    for row in rows:
        if not row[13]:
            return None
        postings.append((row[9], row[10], row[11], row[12]))
    day, flag, payee, narration, tags, links = first[1:7]
    return transaction_text(day, flag, payee, narration, tags, links, meta_lines, postings)


def _transaction(rows: Sequence[Any]) -> NewTransaction:
    return transaction_of_rows(
        [_Row._make((*row[:11], Decimal(row[11]), *row[12:])) for row in rows]
    )
