"""The journal (memoriaal): transactions newest first, filtered, one page at a time.

Pages are cut in the database by key (date, id) on the index ``ix_transactions_date_id``, so
the hundredth page costs what the first does, whatever the length of the history; a page and
its postings come in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    Row,
    Select,
    String,
    any_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from ledger.amounts import amount_in
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.meta import decode_meta
from ledger.models import Account, Posting, Transaction
from ledger.projects import PROJECT_KEY
from ledger.rows import cost_of, price_of
from ledger.statements import LIKE_ESCAPE, like_escaped, read

Cursor = tuple[date, int]
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class JournalFilter:
    """What to show: an account (with its subaccounts), text in payee or narration (or, when
    the text is an amount, a posting of that size either way: ``ledger.amounts.amount_in``), a
    tag, a project (on the transaction or one of its postings, ``ledger.projects``), dates."""

    account: str | None = None
    text: str | None = None
    tag: str | None = None
    start: date | None = None
    end: date | None = None
    project: str | None = None


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
    shape, values = _shape_of(filters)
    values["limit"] = limit + 1
    if before is not None:
        shape = replace(shape, before=True)
        values["before_date"], values["before_id"] = before
    rows = read(session, _statement(shape), values).all()
    grouped = [(id_, list(group)) for id_, group in groupby(rows, key=itemgetter(0))]  # by id
    entries = tuple(JournalEntry(id_, _transaction(group)) for id_, group in grouped[:limit])
    last = grouped[limit - 1][1][0] if len(grouped) > limit else None
    return JournalPage(entries, (last.date, last.id) if last is not None else None)


# Core columns, not ORM attributes: the rows are plain tuples, with no ORM loading step.
_TRANSACTIONS = Transaction.__table__.c
_POSTINGS = Posting.__table__.c
_ACCOUNTS = Account.__table__.c
_NO_META = literal({}, JSONB)


def _as_psycopg_reads(column: Any) -> Any:
    """A ``text[]`` column as psycopg reads it, a list: SQLAlchemy's ARRAY type would copy
    each list again, for every posting row of the page (the transaction's on each)."""
    return type_coerce(column, NullType()).label(column.name)


def _meta_or_null(column: Any) -> Any:
    """A meta column as NULL when it is empty (nearly always): no JSON for the driver to
    parse, and the transaction's own comes again on each of its posting rows."""
    return func.nullif(column, _NO_META, type_=JSONB)


TRANSACTION_COLUMNS = (
    _TRANSACTIONS.id,
    _TRANSACTIONS.date,
    _TRANSACTIONS.flag,
    _TRANSACTIONS.payee,
    _TRANSACTIONS.narration,
    _as_psycopg_reads(_TRANSACTIONS.tags),
    _as_psycopg_reads(_TRANSACTIONS.links),
    _meta_or_null(_TRANSACTIONS.meta).label("meta"),
    _TRANSACTIONS.source,
    _TRANSACTIONS.pad_id,
)
POSTING_COLUMNS = (
    _ACCOUNTS.name.label("account"),
    _POSTINGS.position,
    _POSTINGS.number,
    _POSTINGS.currency,
    _POSTINGS.cost_number,
    _POSTINGS.cost_currency,
    _POSTINGS.cost_date,
    _POSTINGS.cost_label,
    _POSTINGS.price_number,
    _POSTINGS.price_currency,
    _POSTINGS.flag.label("posting_flag"),
    _meta_or_null(_POSTINGS.meta).label("posting_meta"),
)


# A row holds the page's transaction columns, then its posting's; unpacked by position.
_TRANSACTION_PART = slice(0, len(TRANSACTION_COLUMNS))
_POSTING_PART = slice(len(TRANSACTION_COLUMNS), None)
_ACCOUNT_AT = len(TRANSACTION_COLUMNS)


def _transaction(rows: list[Row[Any]]) -> NewTransaction:
    """One transaction from its rows (one per posting; one with no posting columns if none)."""
    first = rows[0][_TRANSACTION_PART]
    (_id, day, flag, payee, narration, tags, links, meta, source, pad_id) = first
    return NewTransaction(
        date=day,
        narration=narration,
        payee=payee,
        flag=flag,
        tags=frozenset(tags),
        links=frozenset(links),
        meta={} if meta is None else decode_meta(meta),
        source=source,
        is_padding=pad_id is not None,
        postings=tuple(
            _posting(row[_POSTING_PART]) for row in rows if row[_ACCOUNT_AT] is not None
        ),
    )


def _posting(columns: tuple[Any, ...]) -> NewPosting:
    """A posting from its columns (``POSTING_COLUMNS``), unpacked by position: a page has a
    hundred postings and more, and most hold no cost, price or metadata."""
    (account, _position, number, currency, cost_number, cost_currency, cost_date, cost_label,
     price_number, price_currency, flag, meta) = columns  # fmt: skip
    return NewPosting(
        account,
        Amount(number, currency),
        None if cost_number is None else cost_of(cost_number, cost_currency, cost_date, cost_label),
        None if price_number is None else price_of(price_number, price_currency),
        flag,
        {} if meta is None else decode_meta(meta),
    )


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which of the optional conditions a journal statement has."""

    start: bool
    end: bool
    tag: bool
    project: bool
    text: bool
    amount: bool
    account: bool
    before: bool


def _shape_of(filters: JournalFilter) -> tuple[_Shape, dict[str, Any]]:
    """The shape of the statement ``filters`` need, and the values of its parameters."""
    values: dict[str, Any] = {}
    if filters.start is not None:
        values["start"] = filters.start
    if filters.end is not None:
        values["end"] = filters.end
    if filters.tag:
        values["tag"] = filters.tag
    if filters.project:
        values["project"] = " ".join(filters.project.split())
    amount = amount_in(filters.text) if filters.text else None
    if filters.text:
        values["text"] = like_escaped(filters.text)
    if amount is not None:
        values["amount"] = amount
    if filters.account:
        values["account"] = filters.account
        values["subaccounts"] = like_escaped(filters.account + ":")
    shape = _Shape(
        start=filters.start is not None,
        end=filters.end is not None,
        tag=bool(filters.tag),
        project=bool(filters.project),
        text=bool(filters.text),
        amount=amount is not None,
        account=bool(filters.account),
        before=False,
    )
    return shape, values


@cache
def _statement(shape: _Shape) -> Select[Any]:
    """The journal's one statement, built once per shape and run with its parameters:
    ``limit``, and ``start``, ``end``, ``tag``, ``project`` (in any case), ``text`` (escaped),
    ``account`` with
    ``subaccounts`` (escaped ``account:``) and ``before_date`` with ``before_id`` as present."""
    query = _conditions(select(*TRANSACTION_COLUMNS), shape)
    if shape.before:
        cursor = tuple_(bindparam("before_date", type_=Date), bindparam("before_id", type_=Integer))
        query = query.where(tuple_(_TRANSACTIONS.date, _TRANSACTIONS.id) < cursor)
    page = query.order_by(_TRANSACTIONS.date.desc(), _TRANSACTIONS.id.desc()).limit(
        bindparam("limit", type_=Integer)
    )
    paged = page.subquery("page")
    legs = (
        select(*POSTING_COLUMNS)
        .join(Account.__table__, _ACCOUNTS.id == _POSTINGS.account_id)
        .where(_POSTINGS.transaction_id == paged.c.id)
        .order_by(_POSTINGS.position)
        .lateral("leg")
    )
    return (
        select(paged, legs)
        .select_from(paged)
        .outerjoin(legs, true())
        .order_by(paged.c.date.desc(), paged.c.id.desc(), legs.c.position)
    )


def _filtered(query: Select[Any], filters: JournalFilter) -> Select[Any]:
    """``query`` limited to the transactions ``filters`` ask for, their values bound."""
    shape, values = _shape_of(filters)
    return _conditions(query, shape).params(values)


def _conditions(query: Select[Any], shape: _Shape) -> Select[Any]:
    if shape.start:
        query = query.where(_TRANSACTIONS.date >= bindparam("start", type_=Date))
    if shape.end:
        query = query.where(_TRANSACTIONS.date <= bindparam("end", type_=Date))
    if shape.tag:
        query = query.where(bindparam("tag", type_=String) == any_(_TRANSACTIONS.tags))
    if shape.project:
        project = func.lower(bindparam("project", type_=String))
        on_a_posting = (
            exists()
            .where(_POSTINGS.transaction_id == _TRANSACTIONS.id)
            .where(func.lower(_POSTINGS.meta[PROJECT_KEY].astext) == project)
        )
        on_the_transaction = func.lower(_TRANSACTIONS.meta[PROJECT_KEY].astext) == project
        query = query.where(or_(on_the_transaction, on_a_posting))
    if shape.text:
        text = bindparam("text", type_=String)
        found = [
            _TRANSACTIONS.narration.icontains(text, escape=LIKE_ESCAPE),
            _TRANSACTIONS.payee.icontains(text, escape=LIKE_ESCAPE),
        ]
        if shape.amount:
            of_that_size = func.abs(_POSTINGS.number) == bindparam("amount", type_=Numeric)
            found.append(_TRANSACTIONS.id.in_(select(_POSTINGS.transaction_id).where(of_that_size)))
        query = query.where(or_(*found))
    if shape.account:
        in_tree = or_(
            _ACCOUNTS.name == bindparam("account", type_=String),
            _ACCOUNTS.name.startswith(bindparam("subaccounts", type_=String), escape=LIKE_ESCAPE),
        )
        query = query.where(
            exists()
            .where(_POSTINGS.transaction_id == _TRANSACTIONS.id)
            .where(_POSTINGS.account_id.in_(select(_ACCOUNTS.id).where(in_tree).scalar_subquery()))
        )
    return query
