"""Payments of the bureau's invoices, and payments that come back; both sides booked.

However the money came (bank transfer, SEPA direct debit, Stripe), recording it is one use
case: the payment row and its two pending bookings in one transaction. A payment that comes
back (a SEPA return, a failed or refunded charge) is a reversal: a negative payment booked the
opposite way on both sides, which reopens the invoice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Select, bindparam, func, select
from sqlalchemy.orm import Session

from ledger.statements import read
from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.invoices.documents import facts_of
from purchasing.invoices.entries import key, payment_entries
from purchasing.models import Booking, Invoice, InvoiceKind, Payment, PaymentMethod, Side
from purchasing.money import from_cents, is_whole_cents

ZERO = from_cents(0)


def record_payment(
    session: Session,
    invoice_id: int,
    amount: Decimal,
    paid_on: date,
    method: PaymentMethod,
    reference: str | None,
) -> int:
    """Record money received for an invoice and book it on both sides.

    A payment with a reference already recorded for the same method (a webhook delivered
    twice, a statement imported again, the bureau's form sent twice) is not recorded again:
    its id is returned. Looked for again once the invoice is locked: a send of the same
    payment that arrived at the same moment held that lock until it committed, and is found.
    """
    if reference is not None:
        existing = _by_reference(session, method, reference)
        if existing is not None:
            return existing
    invoice = _invoice(session, invoice_id, lock=True)
    if reference is not None:
        existing = _by_reference(session, method, reference)
        if existing is not None:
            return existing
    if not is_whole_cents(amount) or amount <= 0:
        raise ValidationFailed(
            message("Een betaling is een positief bedrag in centen."), field="amount"
        )
    if amount > open_amount(session, invoice.id):
        raise ValidationFailed(
            message("Het bedrag is hoger dan wat er op factuur %(number)s openstaat."),
            field="amount",
            number=invoice.number,
        )
    payment = Payment(
        invoice_id=invoice.id,
        amount=amount,
        paid_on=paid_on,
        method=method,
        reference=reference,
    )
    _book(session, invoice, payment, "Betaling")
    return payment.id


def reverse_payment(session: Session, payment_id: int, on: date, reason: str) -> int:
    """A payment came back: book it back on both sides, so the invoice is open again."""
    original = session.get(Payment, payment_id, with_for_update=True)
    if original is None or original.reverses_id is not None:
        raise NotFound(message("Deze betaling bestaat niet."))
    if session.scalar(select(Payment.id).where(Payment.reverses_id == payment_id)):
        raise ValidationFailed(message("Deze betaling is al teruggeboekt."))
    invoice = _invoice(session, original.invoice_id)
    reversal = Payment(
        invoice_id=invoice.id,
        amount=-original.amount,
        paid_on=on,
        method=original.method,
        reference=original.reference,
        reverses_id=original.id,
        reason=reason,
    )
    _book(session, invoice, reversal, "Teruggeboekte betaling")
    return reversal.id


@dataclass(frozen=True, slots=True)
class Settlement:
    """What came in against an invoice: payments, and credit notes on it (negative totals)."""

    paid: Decimal
    credited: Decimal
    has_credit_note: bool

    def open_of(self, total: Decimal) -> Decimal:
        """What is still to be paid of ``total``: less payments, less credit notes."""
        return total + self.credited - self.paid


def settlement(session: Session, invoice_id: int) -> Settlement:
    """Payments and credit notes of one invoice, in one statement."""
    row = read(session, _SETTLEMENT, {"invoice_id": invoice_id}).one()
    return Settlement(
        paid=Decimal(row.paid), credited=Decimal(row.credited), has_credit_note=row.credit_notes > 0
    )


def open_amount(session: Session, invoice_id: int) -> Decimal:
    """What is still to be paid: the total, less payments, less a credit note on it."""
    invoice = _invoice(session, invoice_id)
    return settlement(session, invoice_id).open_of(invoice.total)


def _settlement_statement() -> Select[Any]:
    invoice_id = bindparam("invoice_id", type_=BigInteger)
    credit_notes = select(
        func.coalesce(func.sum(Invoice.total), 0).label("credited"),
        func.count().label("credit_notes"),
    ).where(Invoice.credits_invoice_id == invoice_id)
    paid = (
        select(func.coalesce(func.sum(Payment.amount), 0))
        .where(Payment.invoice_id == invoice_id)
        .scalar_subquery()
    )
    notes = credit_notes.subquery("notes")
    return select(paid.label("paid"), notes.c.credited, notes.c.credit_notes).select_from(notes)


# Built once: every invoice page and every payment asks it.
_SETTLEMENT = _settlement_statement()


def _book(session: Session, invoice: Invoice, payment: Payment, note: str) -> None:
    session.add(payment)
    session.flush()
    facts = facts_of(invoice, None)
    for side, organisation_id in (
        (Side.BUREAU, invoice.supplier_id),
        (Side.MEMBER, invoice.customer_id),
    ):
        booking_key = key("payment", payment.id, side.value)
        entry = payment_entries(
            booking_key, side.value, payment.amount, payment.paid_on, facts, note, payment.method
        )
        session.add(
            Booking(
                key=booking_key,
                payment_id=payment.id,
                side=side,
                organisation_id=organisation_id,
                entries=[entry.to_json()],
            )
        )


def _invoice(session: Session, invoice_id: int, *, lock: bool = False) -> Invoice:
    # Locked while a payment is recorded, so two payments cannot both fit the open amount.
    invoice = session.get(Invoice, invoice_id, with_for_update=lock)
    if invoice is None or invoice.kind != InvoiceKind.INVOICE:
        raise NotFound(message("Deze factuur bestaat niet."))
    return invoice


def _by_reference(session: Session, method: PaymentMethod, reference: str) -> int | None:
    found = session.scalar(
        select(Payment.id).where(
            Payment.method == method,
            Payment.reference == reference,
            Payment.reverses_id.is_(None),
        )
    )
    return None if found is None else int(found)
