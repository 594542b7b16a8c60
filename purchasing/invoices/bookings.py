"""The booking outbox: what posting each pending side in its organisation's books takes.

An invoice or payment lives in the public schema; its two sides live in two tenant schemas,
which are never joined nor written in one transaction (each may sit in another database). So
issuing records both sides here as pending, and a driver (``workers.bookings``) posts one
side at a time, in two units of work it opens itself:

1. ``claim_booking`` locks the outbox row (``FOR UPDATE SKIP LOCKED``: two drivers never work
   the same row);
2. ``post_entries``, in a session bound to that organisation, posts each entry unless a
   transaction with its key already exists (the ledger's unique index on booking keys refuses
   a second one); the driver commits the books;
3. ``mark_booked`` (or ``mark_failed``) records the outcome; the driver commits the row.

A crash between 2 and 3 leaves the row pending; the next attempt finds the transactions by
their keys and only marks it. Running the driver twice, or two at once, books nothing twice.
Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger import clock
from ledger.accounts import add_account
from ledger.chart import DEFAULT_CHART
from ledger.checks import AccountNotOpen
from ledger.errors import DomainError
from ledger.models import Account, Transaction
from ledger.releases import offset_releases, post_due_releases, schedule_releases
from ledger.transactions import post_transaction
from purchasing.invoices.accounts import EXTRA_ACCOUNTS
from purchasing.invoices.entries import Entry, folded
from purchasing.models import Booking, BookingStatus, Invoice, Payment
from tenants.binding import TenantRef
from tenants.models import Organisation

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


@dataclass(frozen=True)
class Claim:
    """An outbox row locked for this transaction, with what posting its side needs."""

    row: Booking
    tenant: TenantRef
    entries: tuple[Entry, ...]
    currency: str


# The currency of the invoice a row books (itself, or the one its payment pays); EUR if none.
_INVOICE_OF_ROW = func.coalesce(
    Booking.invoice_id,
    select(Payment.invoice_id)
    .where(Payment.id == Booking.payment_id)
    .correlate(Booking)
    .scalar_subquery(),
)
_CURRENCY = func.coalesce(
    select(Invoice.currency)
    .where(Invoice.id == _INVOICE_OF_ROW)
    .correlate(Booking)
    .scalar_subquery(),
    literal("EUR"),
)


def pending_bookings(
    session: Session, booking_ids: Sequence[int] | None = None, *, retry_failed: bool = True
) -> list[int]:
    """The outbox rows still to post (of ``booking_ids`` when given), oldest first."""
    statuses = [BookingStatus.PENDING]
    if retry_failed:
        statuses.append(BookingStatus.FAILED)
    query = select(Booking.id).where(Booking.status.in_(statuses)).order_by(Booking.id)
    if booking_ids is not None:
        query = query.where(Booking.id.in_(booking_ids))
    return list(session.scalars(query))


def bookings_of_invoice(session: Session, invoice_id: int) -> list[int]:
    """The outbox rows of one invoice and of its payments."""
    payments = select(Payment.id).where(Payment.invoice_id == invoice_id)
    return list(
        session.scalars(
            select(Booking.id)
            .where((Booking.invoice_id == invoice_id) | Booking.payment_id.in_(payments))
            .order_by(Booking.id)
        )
    )


def bookings_of_payments(session: Session, payment_ids: Iterable[int]) -> list[int]:
    return list(
        session.scalars(
            select(Booking.id).where(Booking.payment_id.in_(list(payment_ids))).order_by(Booking.id)
        )
    )


def claim_booking(session: Session, booking_id: int) -> Claim | None:
    """Lock one unbooked row for this transaction; None when done, or another driver has it.

    The row, its invoice's currency and where its organisation's books are come in one
    statement: a run claims two rows per invoice.
    """
    found = session.execute(
        select(Booking, _CURRENCY, Organisation.schema_name)
        .join(Organisation, Organisation.id == Booking.organisation_id)
        .where(Booking.id == booking_id, Booking.status != BookingStatus.BOOKED)
        .with_for_update(of=Booking, skip_locked=True)
    ).one_or_none()
    if found is None:
        return None
    row, currency, schema_name = found
    row.attempts += 1  # after the read, so it is written with the outcome: one UPDATE
    entries = tuple(Entry.from_json(data) for data in row.entries)
    return Claim(row, TenantRef(row.organisation_id, schema_name), entries, str(currency))


def mark_booked(session: Session, claim: Claim, transaction_ids: list[int]) -> None:
    claim.row.status, claim.row.last_error = BookingStatus.BOOKED, None
    claim.row.transaction_ids, claim.row.booked_at = transaction_ids, datetime.now(UTC)
    session.flush()


def mark_failed(session: Session, claim: Claim, error: DomainError) -> None:
    claim.row.status, claim.row.last_error = BookingStatus.FAILED, str(error)
    session.flush()


def post_entries(
    session: Session, entries: Iterable[Entry], currency: str, today: date | None = None
) -> list[int]:
    """Post each entry in the bound session's books unless its key is there already.

    An entry that defers leaves its release schedule in the same books, and the releases
    already due (``today``, the clock's by default) are posted at once; the later ones wait
    for the scheduled job. A credit note's mirrored schedule is cancelled month by month
    against the original's where neither is posted yet. All of it is idempotent, so a retry
    after a crash finishes what the first attempt began.
    """
    ids = []
    for entry in folded(list(entries)):
        found = _posted(session, entry.key)
        if found is None:
            found = _post_once(session, entry, currency)
        ids.append(found)
        _schedule(session, entry, currency, today or clock.today())
    return ids


def _schedule(session: Session, entry: Entry, currency: str, today: date) -> None:
    deferral = entry.to_deferral(currency)
    if deferral is None:
        return
    schedule_releases(session, deferral)
    if entry.offsets is not None:
        offset_releases(session, entry.offsets, entry.key, entry.date)
    post_due_releases(session, today, schedule=entry.key)


def _post_once(session: Session, entry: Entry, currency: str) -> int:
    """Post ``entry``; accounts purchasing books to that the chart lacks are opened when the
    posting misses them, rather than looked for before every posting."""
    if entry.schedule is not None:
        _open_missing_accounts(session, entry)  # its releases, posted later, need them too
    try:
        return _insert_once(session, entry, currency)
    except AccountNotOpen:
        # Opened here, or by another driver since the posting missed it: either way, once more.
        _open_missing_accounts(session, entry)
    return _insert_once(session, entry, currency)


def _insert_once(session: Session, entry: Entry, currency: str) -> int:
    """Post ``entry``, without a savepoint: the claimed row's lock keeps any other driver from
    posting its keys meanwhile, and a refusal is raised before anything is written."""
    return post_transaction(session, entry.to_transaction(currency), None)


def _posted(session: Session, booking_key: str) -> int | None:
    found = session.scalar(select(Transaction.id).where(Transaction.source == booking_key))
    return None if found is None else int(found)


def _open_missing_accounts(session: Session, entry: Entry) -> None:
    """Open the accounts purchasing books to that this chart lacks, from the books' start."""
    names = {account for account, _ in entry.postings}
    if entry.schedule is not None:
        names |= {entry.schedule.account, entry.schedule.into}
    existing = set(session.scalars(select(Account.name).where(Account.name.in_(names))))
    missing = sorted(name for name in names - existing if name in _LABELS)
    if not missing:
        return
    opened_on = session.scalar(select(func.min(Account.opened_on))) or entry.date
    for name in missing:
        label_nl, label_en, rgs = _LABELS[name]
        try:
            with session.begin_nested():
                add_account(
                    session,
                    name,
                    None,
                    opened_on=min(opened_on, entry.date),
                    label_nl=label_nl,
                    label_en=label_en,
                    rgs_code=rgs,
                )
        except (IntegrityError, DomainError):
            # Another driver posting to these books opened it just now; it is there for both.
            if not session.scalar(select(Account.id).where(Account.name == name)):
                raise
