"""Use cases on transactions: post, reverse, edit. The only code that writes postings.

Every use case checks the write with Beancount's rules first (``ledger.checks``), then writes
the transaction, its balance roll-ups (``ledger.roll_up``), the new differences of later balance
assertions and an audit row, in the caller's transaction: the unit of work around the call
commits it (a refused write raises before it writes anything). Posting is the hot path: it reads
in two round trips and writes in two, whatever the length of the history.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    String,
    Table,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from ledger import checks, lots
from ledger.audit import AUDIT_LOG, record_change
from ledger.balances import Effect, apply_effects
from ledger.checks import AssertionUpdate
from ledger.documents import NewDocument, attach_document
from ledger.entries import NewTransaction
from ledger.errors import NotFound, ValidationFailed, message
from ledger.models import BalanceAssertion, Posting, Transaction
from ledger.projects import PROJECT_KEY
from ledger.queries import load_transaction
from ledger.rows import (
    TRANSACTION_FIELDS,
    posting_row,
    snapshot,
    transaction_row,
    with_cost_dates,
)
from ledger.versions import check_version

# The tables themselves, not the mapped classes: a plain Core insert skips the ORM's bulk
# machinery, which costs more than the statement on this hot path.
TRANSACTIONS = cast(Table, Transaction.__table__)
POSTINGS = cast(Table, Posting.__table__)
POSTING_FIELDS = (
    "position",
    "account_id",
    "number",
    "currency",
    "cost_number",
    "cost_currency",
    "cost_date",
    "cost_label",
    "price_number",
    "price_currency",
    "flag",
    "meta",
)


def post_transaction(
    session: Session,
    new: NewTransaction,
    actor_id: int | None,
    *,
    documents: Sequence[NewDocument] = (),
) -> int:
    """Check and post ``new`` with its receipts; returns its id.

    The transaction and its documents are written in the caller's transaction, so they are
    committed together: a receipt never goes missing from a booking that was saved.
    """
    transaction_id = _post(session, new, actor_id, reverses_id=None)
    for document in documents:
        attach_document(session, replace(document, transaction_id=transaction_id), actor_id)
    return transaction_id


# What a form's token looks like (``secrets.token_urlsafe``): anything else is refused.
FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True, slots=True)
class Posted:
    """The booking a form made; ``is_new`` is False when the form had been posted before."""

    transaction_id: int
    is_new: bool


def post_form(
    session: Session,
    new: NewTransaction,
    actor_id: int | None,
    *,
    form_token: str,
    documents: Sequence[NewDocument] = (),
) -> Posted:
    """Post what one form entered, once: the same form sent again finds its first booking.

    ``form_token`` is the form's own (one per form shown), kept as the transaction's source
    ``form:<token>`` under a unique index. A second send of the form (a double click, a
    browser's retry, a person sending it again after the connection broke at the commit) finds
    that booking. One that arrives while the first is still being saved waits for it (a lock
    on the token until the first's transaction ends), then finds it; if the first was rolled
    back, the second is booked. The unique index makes a second booking impossible anyway.
    """
    if not FORM_TOKEN.fullmatch(form_token):
        raise ValidationFailed(
            message("Dit formulier is niet meer geldig. Laad de pagina opnieuw."),
            field="form_token",
        )
    source = f"form:{form_token}"
    # Two sends of one form take turns here; the second then sees the first's booking.
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(source))))
    earlier = _posted_from(session, source)
    if earlier is not None:
        return Posted(earlier, is_new=False)
    transaction_id = post_transaction(
        session, replace(new, source=source), actor_id, documents=documents
    )
    return Posted(transaction_id, is_new=True)


def _posted_from(session: Session, source: str) -> int | None:
    # The LIKE repeats the unique index's condition, so PostgreSQL reads that index.
    return session.scalar(
        select(TRANSACTIONS.c.id).where(
            TRANSACTIONS.c.source == source, TRANSACTIONS.c.source.like(_FORM_SOURCES)
        )
    )


_FORM_SOURCES: ColumnElement[str] = literal_column("'form:%'")


def reverse_transaction(
    session: Session,
    transaction_id: int,
    actor_id: int | None,
    *,
    on: date,
    narration: str | None = None,
) -> int:
    """Post the opposite of a transaction on ``on``, linked to it; returns the reversal's id.

    This is how a transaction in a closed period is corrected: the original stays as it was.
    Reversals of one transaction take turns on its row, so the second of two at once is told
    it was reversed already.
    """
    original = _locked(session, transaction_id)
    if session.scalar(select(Transaction.id).where(Transaction.reverses_id == transaction_id)):
        raise ValidationFailed(message("Deze boeking is al tegengeboekt."))
    reversal = replace(
        original,
        date=on,
        narration=narration or f"Tegenboeking: {original.narration}",
        links=original.links | {f"tegenboeking-{transaction_id}"},
        # The project stays, so the report per project nets the two; other metadata (an
        # import's, a bank line's) belongs to the original alone.
        meta={key: value for key, value in original.meta.items() if key == PROJECT_KEY},
        source=None,
        postings=tuple(replace(p, units=-p.units) for p in original.postings),
    )
    return _post(session, reversal, actor_id, reverses_id=transaction_id)


def edit_transaction(
    session: Session,
    transaction_id: int,
    new: NewTransaction,
    actor_id: int | None,
    *,
    version: str | None = None,
) -> bool:
    """Replace a transaction that lies in an open period (old and new date both open).

    ``version`` is the ``transaction_version`` the edit started from (an edit form carries it):
    the transaction is locked and, when it changed since, the edit is refused with
    ``EditConflict``. The lock is held until the caller's unit of work commits.

    An edit that changes nothing (a form saved as it was shown) writes nothing and leaves no
    entry in the audit trail, which would otherwise name a person for a change never made;
    it answers False.
    """
    old = _locked(session, transaction_id)
    if version is not None:
        check_version(old, version)
    if old.is_padding:
        raise ValidationFailed(message("Een aanvulboeking wordt niet met de hand gewijzigd."))
    checks.check_open_period(session, old.date)
    names = [p.account for p in (*old.postings, *new.postings)]
    old_ids = checks.account_ids(session, names, lock=True)  # all at once: no deadlock
    fresh, accounts, options = _checked(session, new, without=transaction_id)
    before, after = snapshot(old), snapshot(fresh)
    if _by_value(after) == _by_value(before):
        return False
    new_ids = {n: a.id for n, a in accounts.items()}
    effects = _effects(fresh, new_ids) + [
        replace(e, units=-e.units) for e in _effects(old, old_ids)
    ]
    updates = checks.check_later_assertions(session, effects, options)
    session.execute(delete(Posting).where(Posting.transaction_id == transaction_id))
    session.execute(
        update(Transaction).where(Transaction.id == transaction_id).values(**transaction_row(fresh))
    )
    _write_postings(session, transaction_id, fresh, new_ids)
    _apply(session, effects, updates)
    lots.apply_lots(session, old, old_ids, -1)
    lots.apply_lots(session, fresh, new_ids, 1)
    record_change(
        session,
        actor_id,
        "edit",
        "transaction",
        transaction_id,
        before=before,
        after=after,
    )
    return True


def _by_value(snapshot_of: dict[str, Any]) -> dict[str, Any]:
    """A snapshot whose amounts compare as numbers: a form gives 20.00 for a stored 20."""
    postings = [
        {
            **posting,
            "units": _numbers(posting["units"]),
            "cost": _numbers(posting["cost"]),
            "price": _numbers(posting["price"]),
        }
        for posting in snapshot_of["postings"]
    ]
    return {**snapshot_of, "postings": postings}


def _numbers(amount: list[Any] | None) -> list[Any] | None:
    if amount is None or amount[0] == "None":  # no amount, or a cost without a number
        return amount
    return [Decimal(amount[0]), *amount[1:]]


def _post(
    session: Session, new: NewTransaction, actor_id: int | None, *, reverses_id: int | None
) -> int:
    fresh, accounts, options = _checked(session, new)
    account_ids = {name: account.id for name, account in accounts.items()}
    effects = _effects(fresh, account_ids)
    updates = checks.check_later_assertions(session, effects, options)
    transaction_id = _insert(session, fresh, account_ids, actor_id, reverses_id=reverses_id)
    _apply(session, effects, updates)
    lots.apply_lots(session, fresh, account_ids, 1)
    return transaction_id


def _insert(
    session: Session,
    new: NewTransaction,
    account_ids: Mapping[str, int],
    actor_id: int | None,
    *,
    reverses_id: int | None,
) -> int:
    """Insert the transaction, its postings and its audit row in one statement (one round trip).

    The postings travel as one JSON parameter, numbers and dates as strings so that every digit
    arrives as written; the statement is built once (``_insert_statement``), every value a
    parameter.
    """
    parameters: dict[str, Any] = {
        f"new_{name}": value for name, value in transaction_row(new).items()
    }
    parameters.update(
        actor_id=actor_id,
        reverses_id=reverses_id,
        action="reverse" if reverses_id else "post",
        snapshot=snapshot(new),
        postings=[
            {name: _as_json(value) for name, value in row.items() if name in POSTING_FIELDS}
            for row in _posting_rows(0, new, account_ids)
        ],
    )
    return int(session.execute(_insert_statement(), parameters).scalar_one())


@cache
def _insert_statement() -> Select[int]:
    """The insert of ``_insert``: the transaction, its postings from the JSON parameter, the
    audit row, each reading the new transaction's id. Built once: a write builds no SQL."""
    actor = bindparam("actor_id", type_=BigInteger)
    day = bindparam("new_date", type_=Date)
    values: dict[str, Any] = {
        name: bindparam(f"new_{name}", type_=TRANSACTIONS.c[name].type)
        for name in TRANSACTION_FIELDS
        if name != "date"
    }
    created = (
        insert(TRANSACTIONS)
        .values(
            **values,
            date=day,
            created_by=actor,
            reverses_id=bindparam("reverses_id", type_=BigInteger),
        )
        .returning(TRANSACTIONS.c.id)
        .cte("new_transaction")
    )
    legs = (
        func.jsonb_to_recordset(bindparam("postings", type_=JSONB))
        .table_valued(*(column(name, POSTINGS.c[name].type) for name in POSTING_FIELDS))
        .render_derived("leg", with_types=True)
    )
    postings = insert(POSTINGS).from_select(
        ["transaction_id", "date", *POSTING_FIELDS],
        select(created.c.id, day, *legs.c).join_from(created, legs, true()),
    )
    audit = insert(AUDIT_LOG).from_select(
        ["actor_id", "action", "entity", "entity_id", "after"],
        select(
            actor,
            bindparam("action", type_=String),
            literal("transaction"),
            created.c.id,
            bindparam("snapshot", type_=JSONB),
        ),
    )
    return select(created.c.id).add_cte(postings.cte("new_postings"), audit.cte("audit"))


def _as_json(value: object) -> object:
    return str(value) if isinstance(value, Decimal | date) else value


def _checked(
    session: Session, new: NewTransaction, *, without: int | None = None
) -> tuple[NewTransaction, dict[str, checks.OpenAccount], dict[str, Any]]:
    """The transaction as it will be stored (lots booked), its accounts and the book's options;
    or a refusal. The accounts stay locked until the commit (see ``roll_up.apply_effects``)."""
    checks.check_shape(new)
    context = checks.write_context(session, (p.account for p in new.postings), new.date)
    checks.check_currencies(new, context.accounts)
    booked = with_cost_dates(lots.book_lots(session, new, without=without))
    checks.check_balanced(booked, context.options)
    return booked, context.accounts, context.options


def _effects(transaction: NewTransaction, account_ids: Mapping[str, int]) -> list[Effect]:
    return [
        Effect(
            account_ids[p.account], p.account, p.units.currency, transaction.date, p.units.number
        )
        for p in transaction.postings
    ]


def _write_postings(
    session: Session, transaction_id: int, new: NewTransaction, account_ids: Mapping[str, int]
) -> None:
    session.execute(insert(POSTINGS), _posting_rows(transaction_id, new, account_ids))


def _posting_rows(
    transaction_id: int, new: NewTransaction, account_ids: Mapping[str, int]
) -> list[dict[str, Any]]:
    return [
        posting_row(p, transaction_id, account_ids[p.account], position, new.date)
        for position, p in enumerate(new.postings)
    ]


def _apply(session: Session, effects: list[Effect], updates: list[AssertionUpdate]) -> None:
    apply_effects(session, effects, accounts_locked=True)
    for change in updates:
        session.execute(
            update(BalanceAssertion)
            .where(BalanceAssertion.id == change.id)
            .values(difference=change.difference)
        )


def _existing(session: Session, transaction_id: int) -> NewTransaction:
    found = load_transaction(session, transaction_id)
    if found is None:
        raise NotFound(message("Boeking %(id)s bestaat niet."), id=transaction_id)
    return found


def _locked(session: Session, transaction_id: int) -> NewTransaction:
    """The transaction as it is now, its row locked against a concurrent edit."""
    session.scalar(select(Transaction.id).where(Transaction.id == transaction_id).with_for_update())
    return _existing(session, transaction_id)


def withdraw_transaction(session: Session, transaction_id: int, actor_id: int | None) -> None:
    """Take a transaction out of the books, kept in the audit trail with what it was.

    Only for a transaction in an open period that nothing refers to (no reversal, receipt or
    bank line): used to turn bookings written ahead of their day into scheduled ones that are
    posted when due (``ledger.releases``). Anything else is corrected by a reversing entry.
    """
    old = _locked(session, transaction_id)
    checks.check_open_period(session, old.date)
    if session.scalar(
        select(Transaction.id).where(
            (Transaction.reverses_id == transaction_id)
            | ((Transaction.id == transaction_id) & Transaction.reverses_id.is_not(None))
        )
    ):
        raise ValidationFailed(message("Een tegengeboekte boeking wordt niet teruggenomen."))
    old_ids = checks.account_ids(session, [p.account for p in old.postings], lock=True)
    effects = [replace(e, units=-e.units) for e in _effects(old, old_ids)]
    options = checks.write_context(session, old_ids, old.date).options
    updates = checks.check_later_assertions(session, effects, options)
    session.execute(delete(Posting).where(Posting.transaction_id == transaction_id))
    session.execute(delete(Transaction).where(Transaction.id == transaction_id))
    _apply(session, effects, updates)
    lots.apply_lots(session, old, old_ids, -1)
    record_change(session, actor_id, "delete", "transaction", transaction_id, before=snapshot(old))
