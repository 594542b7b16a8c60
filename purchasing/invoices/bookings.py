"""The booking outbox: post each pending side in that organisation's own books, exactly once.

An invoice or payment lives in the public schema; its two sides live in two tenant schemas,
which are never joined nor written in one transaction (each may sit in another database). So
issuing records both sides here as pending, and this driver posts one side at a time:

1. lock the outbox row (``FOR UPDATE SKIP LOCKED``: two drivers never work the same row);
2. in a session bound to that organisation, post each entry unless a transaction with its key
   already exists (the ledger's unique index on booking keys refuses a second one);
3. mark the row booked, with the ids of the transactions, and commit.

A crash between 2 and 3 leaves the row pending; the next attempt finds the transactions by
their keys and only marks it. Running the driver twice, or two at once, books nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.accounts import add_account
from ledger.chart import DEFAULT_CHART
from ledger.errors import DomainError
from ledger.models import Account, Transaction
from ledger.transactions import post_transaction
from purchasing.invoices.accounts import EXTRA_ACCOUNTS
from purchasing.invoices.entries import Entry
from purchasing.models import Booking, BookingStatus, Invoice, Payment
from tenants.binding import bind_session, tenant_ref
from tenants.models import Organisation

SessionFactory = Callable[[], Session]

_LABELS = {
    **{
        account.name: (account.label_nl, account.label_en, account.rgs_code)
        for account in DEFAULT_CHART
    },
    **EXTRA_ACCOUNTS,
}


@dataclass(frozen=True)
class BookingRound:
    """What one pass of the driver did."""

    booked: int
    failed: int
    skipped: int


def book_pending(
    open_session: SessionFactory,
    *,
    booking_ids: Sequence[int] | None = None,
    retry_failed: bool = True,
) -> BookingRound:
    """Post every pending booking (or those of ``booking_ids``), one side at a time.

    ``open_session`` makes a fresh, unbound session; each side gets its own, bound to its
    organisation. Safe to run twice and concurrently.
    """
    with open_session() as session:
        statuses = [BookingStatus.PENDING.value]
        if retry_failed:
            statuses.append(BookingStatus.FAILED.value)
        query = select(Booking.id).where(Booking.status.in_(statuses)).order_by(Booking.id)
        if booking_ids is not None:
            query = query.where(Booking.id.in_(booking_ids))
        ids = list(session.scalars(query))
    counts = {"booked": 0, "failed": 0, "skipped": 0}
    for booking_id in ids:
        counts[book(open_session, booking_id)] += 1
    return BookingRound(**counts)


def book_invoice(open_session: SessionFactory, invoice_id: int) -> BookingRound:
    """Post both sides of one invoice and of its payments now (for the CLI and tests)."""
    with open_session() as session:
        payments = select(Payment.id).where(Payment.invoice_id == invoice_id)
        ids = list(
            session.scalars(
                select(Booking.id)
                .where((Booking.invoice_id == invoice_id) | Booking.payment_id.in_(payments))
                .order_by(Booking.id)
            )
        )
    return book_pending(open_session, booking_ids=ids)


def book(open_session: SessionFactory, booking_id: int) -> str:
    """Post one side; returns ``booked``, ``failed`` or ``skipped`` (done, or someone has it)."""
    with open_session() as public:
        row = public.scalar(
            select(Booking)
            .where(Booking.id == booking_id, Booking.status != BookingStatus.BOOKED.value)
            .with_for_update(skip_locked=True)
        )
        if row is None:
            return "skipped"
        currency = _currency(public, row)
        organisation = public.get(Organisation, row.organisation_id)
        assert organisation is not None
        tenant = tenant_ref(organisation)
        row.attempts += 1
        try:
            with open_session() as books:
                bind_session(books, tenant)
                ids = post_entries(books, [Entry.from_json(data) for data in row.entries], currency)
        except DomainError as error:
            row.status, row.last_error = BookingStatus.FAILED.value, str(error)
            public.commit()
            return "failed"
        row.status, row.last_error = BookingStatus.BOOKED.value, None
        row.transaction_ids, row.booked_at = ids, datetime.now(UTC)
        public.commit()
        return "booked"


def post_entries(session: Session, entries: Iterable[Entry], currency: str) -> list[int]:
    """Post each entry in the bound session's books unless its key is there already."""
    ids = []
    for entry in entries:
        found = _posted(session, entry.key)
        if found is None:
            _open_missing_accounts(session, entry)
            found = _post_once(session, entry, currency)
        ids.append(found)
    session.rollback()  # end the read-only transaction of the last lookup
    return ids


def _post_once(session: Session, entry: Entry, currency: str) -> int:
    try:
        return post_transaction(session, entry.to_transaction(currency), None)
    except IntegrityError:
        # Another driver posted the same key between our lookup and our insert.
        session.rollback()
        found = _posted(session, entry.key)
        if found is None:
            raise
        return found


def _posted(session: Session, booking_key: str) -> int | None:
    found = session.scalar(select(Transaction.id).where(Transaction.source == booking_key))
    return None if found is None else int(found)


def _open_missing_accounts(session: Session, entry: Entry) -> None:
    """Open the accounts purchasing books to that this chart lacks, from the books' start."""
    names = {account for account, _ in entry.postings}
    existing = set(session.scalars(select(Account.name).where(Account.name.in_(names))))
    missing = sorted(name for name in names - existing if name in _LABELS)
    if not missing:
        return
    opened_on = session.scalar(select(func.min(Account.opened_on))) or entry.date
    for name in missing:
        label_nl, label_en, rgs = _LABELS[name]
        add_account(
            session,
            name,
            None,
            opened_on=min(opened_on, entry.date),
            label_nl=label_nl,
            label_en=label_en,
            rgs_code=rgs,
        )


def _currency(session: Session, row: Booking) -> str:
    invoice_id: Any = row.invoice_id
    if invoice_id is None:
        invoice_id = session.scalar(select(Payment.invoice_id).where(Payment.id == row.payment_id))
    currency = session.scalar(select(Invoice.currency).where(Invoice.id == invoice_id))
    return str(currency or "EUR")
