"""The bank import's ``InvoiceMatcher`` for the bureau's own books.

A line on the bureau's statement may carry an invoice's RF reference (a transfer) or a batch
reference (the credit of a direct-debit batch). Either way the bank line itself is booked by
the inbox against the receivable; recording the payment here then marks the bureau's side of
that payment as booked by that very transaction, so the receivable is not settled twice. The
member's side is posted by the outbox as usual.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger.bank.matching import OpenInvoice, normalised_reference
from ledger.entries import Amount
from purchasing.errors import ValidationFailed, message
from purchasing.invoices.accounts import RECEIVABLE
from purchasing.invoices.payments import open_amount, record_payment
from purchasing.models import (
    Booking,
    BookingStatus,
    Invoice,
    InvoiceKind,
    PaymentMethod,
    SepaBatch,
    Side,
)
from purchasing.sepa.settlement import settle_collection


class BureauInvoices:
    """Open invoices and unsettled batches of one bureau, found by their reference."""

    def __init__(self, session: Session, bureau_id: int) -> None:
        self.session = session
        self.bureau_id = bureau_id

    def open_invoice(self, reference: str) -> OpenInvoice | None:
        invoice = self._invoice(reference)
        if invoice is not None:
            remaining = open_amount(self.session, invoice.id)
            if remaining <= 0:
                return None
            name = str(invoice.customer.get("name") or "")
            return OpenInvoice(
                invoice.payment_reference,
                invoice.number,
                Amount(remaining, invoice.currency),
                RECEIVABLE,
                name,
            )
        batch = self._batch(reference)
        if batch is None or batch.settled_on is not None:
            return None
        return OpenInvoice(batch.reference, batch.reference, Amount(batch.total, "EUR"), RECEIVABLE)

    def record_payment(
        self, reference: str, amount: Amount, transaction_id: int, paid_on: date
    ) -> None:
        invoice = self._invoice(reference)
        if invoice is not None:
            payment_id = record_payment(
                self.session,
                invoice.id,
                amount.number,
                paid_on,
                PaymentMethod.BANK_TRANSFER,
                f"bank:{transaction_id}",
            )
            _booked_by(self.session, [payment_id], transaction_id)
            return
        batch = self._batch(reference)
        if batch is None:
            return
        if amount.number != batch.total:
            raise ValidationFailed(
                message("Het bedrag wijkt af van incassobatch %(reference)s."),
                reference=batch.reference,
            )
        _booked_by(self.session, settle_collection(self.session, batch.id, paid_on), transaction_id)

    def _invoice(self, reference: str) -> Invoice | None:
        return self.session.scalar(
            select(Invoice).where(
                Invoice.payment_reference == normalised_reference(reference),
                Invoice.supplier_id == self.bureau_id,
                Invoice.kind == InvoiceKind.INVOICE.value,
            )
        )

    def _batch(self, reference: str) -> SepaBatch | None:
        return self.session.scalar(
            select(SepaBatch).where(
                SepaBatch.reference == reference.strip().upper(),
                SepaBatch.creditor_id == self.bureau_id,
            )
        )


def _booked_by(session: Session, payment_ids: list[int], transaction_id: int) -> None:
    """The bureau's side of these payments is the bank transaction already posted."""
    session.execute(
        update(Booking)
        .where(
            Booking.payment_id.in_(payment_ids),
            Booking.side == Side.BUREAU.value,
            Booking.status != BookingStatus.BOOKED.value,
        )
        .values(
            status=BookingStatus.BOOKED.value,
            transaction_ids=[transaction_id],
            booked_at=datetime.now(UTC),
        )
    )
    session.commit()
