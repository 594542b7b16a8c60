"""One side of an invoice's payments as its own bank statement sees them.

A payment reaches both books: the side whose bank import (or direct-debit batch) recorded it
books it with that bank line; the other side's entry waits in the outbox. When that other
side imports its own statement, the same money shows up there too. These rules find such a
payment, so the second bank line settles nothing twice: it takes over the pending booking,
or is linked to the transaction the outbox already posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from ledger.bank.models import BankLine
from ledger.transactions import reverse_transaction
from purchasing.invoices.payments import open_amount, record_payment
from purchasing.models import Booking, BookingStatus, Invoice, Payment, PaymentMethod, Side

# Payments each side's bank statement shows one by one. The bureau receives a card or iDEAL
# payment in Stripe's balance (paid out in bulk later); the member pays it from its bank.
BANK_METHODS = {
    Side.BUREAU: (PaymentMethod.BANK_TRANSFER.value, PaymentMethod.SEPA_DIRECT_DEBIT.value),
    Side.MEMBER: (
        PaymentMethod.BANK_TRANSFER.value,
        PaymentMethod.SEPA_DIRECT_DEBIT.value,
        PaymentMethod.STRIPE.value,
    ),
}


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A payment whose booking on this side no bank line of this side has claimed yet."""

    payment_id: int
    amount: Decimal
    booking_id: int
    transaction_id: int | None  # posted by the outbox already; None while still pending


def unmatched_payments(session: Session, invoice_id: int, side: Side) -> list[Unmatched]:
    """The invoice's bank payments this side's statement has not shown yet, oldest first.

    Their bookings are locked for the rest of the transaction, so the outbox (which skips
    locked rows) cannot post one while a bank line takes it over.
    """
    reversal = aliased(Payment)
    rows = session.execute(
        select(Payment.id, Payment.amount, Booking.id, Booking.status, Booking.transaction_ids)
        .join(Booking, Booking.payment_id == Payment.id)
        .where(
            Payment.invoice_id == invoice_id,
            Payment.reverses_id.is_(None),
            Payment.method.in_(BANK_METHODS[side]),
            Booking.side == side,
            ~exists().where(reversal.reverses_id == Payment.id),
        )
        .order_by(Payment.id)
        .with_for_update(of=Booking)
    ).all()
    found = []
    for payment_id, amount, booking_id, status, transaction_ids in rows:
        posted = transaction_ids[0] if status == BookingStatus.BOOKED and transaction_ids else None
        if status == BookingStatus.BOOKED and (posted is None or _has_bank_line(session, posted)):
            continue
        found.append(Unmatched(payment_id, amount, booking_id, posted))
    return found


def open_here(session: Session, invoice: Invoice, side: Side) -> Decimal:
    """What this side's bank has still to show: unpaid, plus paid but not seen here."""
    unseen = sum((u.amount for u in unmatched_payments(session, invoice.id, side)), Decimal(0))
    return open_amount(session, invoice.id) + unseen


def posted_payment(session: Session, invoice_id: int, side: Side, amount: Decimal) -> int | None:
    """The transaction the outbox posted here for a payment of ``amount`` no line claimed."""
    for unmatched in unmatched_payments(session, invoice_id, side):
        if unmatched.amount == amount and unmatched.transaction_id is not None:
            return unmatched.transaction_id
    return None


def settle_here(
    session: Session,
    invoice_id: int,
    side: Side,
    amount: Decimal,
    transaction_id: int,
    paid_on: date,
    reference: str,
) -> int:
    """This side's bank shows ``amount`` paid: take over a pending booking, or record it.

    Returns the payment's id. Runs in the caller's transaction (no commit).
    """
    for unmatched in unmatched_payments(session, invoice_id, side):
        if unmatched.amount == amount and unmatched.transaction_id is None:
            booked_by(session, [unmatched.payment_id], side, transaction_id)
            return unmatched.payment_id
    payment_id = record_payment(
        session, invoice_id, amount, paid_on, PaymentMethod.BANK_TRANSFER, reference
    )
    booked_by(session, [payment_id], side, transaction_id)
    return payment_id


def booked_by(session: Session, payment_ids: list[int], side: Side, transaction_id: int) -> None:
    """This side of these payments is the bank transaction just posted (no commit)."""
    session.execute(
        update(Booking)
        .where(
            Booking.payment_id.in_(payment_ids),
            Booking.side == side,
            Booking.status != BookingStatus.BOOKED,
        )
        .values(
            status=BookingStatus.BOOKED,
            transaction_ids=[transaction_id],
            booked_at=datetime.now(UTC),
            last_error=None,
        )
    )


def take_over_posted(
    session: Session,
    payment_ids: list[int],
    side: Side,
    transaction_id: int,
    on: date,
    narration: str,
) -> None:
    """One bank line pays several payments the outbox has posted here already: reverse those
    postings (a correction, never a deletion) and let the line's transaction be their booking.

    (A member's own statement showed its direct debit first, and the outbox booked the
    bureau's side before the bureau's statement showed the batch credit.) No commit.
    """
    rows = session.execute(
        select(Booking.id, Booking.transaction_ids)
        .where(
            Booking.payment_id.in_(payment_ids),
            Booking.side == side,
            Booking.status == BookingStatus.BOOKED,
        )
        .with_for_update()
    ).all()
    for booking_id, transaction_ids in rows:
        posted = [t for t in transaction_ids if t != transaction_id]
        if not posted or any(_has_bank_line(session, t) for t in posted):
            continue
        for posted_id in posted:
            reverse_transaction(session, posted_id, None, on=on, narration=narration)
        session.execute(
            update(Booking).where(Booking.id == booking_id).values(transaction_ids=[transaction_id])
        )


def _has_bank_line(session: Session, transaction_id: int) -> bool:
    return (
        session.scalar(select(BankLine.id).where(BankLine.transaction_id == transaction_id))
        is not None
    )
