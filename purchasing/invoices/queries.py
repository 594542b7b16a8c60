"""Reads about invoices: what is open, and how far each side's bookings have come."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from purchasing.errors import NotFound, message
from purchasing.invoices.payments import settlement
from purchasing.models import Booking, BookingStatus, Invoice, Payment, Side


@dataclass(frozen=True)
class InvoiceState:
    """An invoice as a page shows it: amounts, whether it is settled, each side's booking."""

    invoice_id: int
    number: str
    kind: str
    total: Decimal
    paid: Decimal
    open: Decimal
    is_settled: bool
    is_credited: bool
    bureau_booking: BookingStatus
    member_booking: BookingStatus
    booking_error: str | None


def invoice_state(session: Session, invoice_id: int) -> InvoiceState:
    """The invoice with the status of its bookings and its payments' bookings per side.

    A side is ``booked`` when every entry of that side is in its books, ``failed`` when the
    last attempt of one of them failed, ``pending`` otherwise.
    """
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound(message("Deze factuur bestaat niet."))
    payments = select(Payment.id).where(Payment.invoice_id == invoice_id)
    rows = list(
        session.scalars(
            select(Booking).where(
                (Booking.invoice_id == invoice_id) | Booking.payment_id.in_(payments)
            )
        )
    )
    settled = settlement(session, invoice_id)
    remaining = settled.open_of(invoice.total) if invoice.kind == "invoice" else Decimal(0)
    errors = [row.last_error for row in rows if row.last_error]
    return InvoiceState(
        invoice_id=invoice.id,
        number=invoice.number,
        kind=invoice.kind,
        total=invoice.total,
        paid=settled.paid,
        open=remaining,
        is_settled=remaining == 0,
        is_credited=settled.has_credit_note,
        bureau_booking=_side_status(rows, Side.BUREAU),
        member_booking=_side_status(rows, Side.MEMBER),
        booking_error=errors[0] if errors else None,
    )


def invoices_of(session: Session, organisation_id: int) -> list[Invoice]:
    """An organisation's invoices and credit notes, newest first, with their lines."""
    return list(
        session.scalars(
            select(Invoice)
            .where(Invoice.customer_id == organisation_id)
            .options(selectinload(Invoice.lines))
            .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
        )
    )


def _side_status(rows: list[Booking], side: Side) -> BookingStatus:
    statuses = {row.status for row in rows if row.side == side}
    if BookingStatus.FAILED in statuses:
        return BookingStatus.FAILED
    if BookingStatus.PENDING in statuses or not statuses:
        return BookingStatus.PENDING
    return BookingStatus.BOOKED
