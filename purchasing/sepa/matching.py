"""The bank import's ``InvoiceMatcher`` for the bureau's own books.

A line on the bureau's statement may carry an invoice's RF reference (a transfer), a batch
reference (the credit of a direct-debit batch), the end-to-end id of one collection (a bank
that credits each debit on its own) or, with a reason code, the end-to-end id of a debit that
came back. The bank line itself is booked by the inbox against the receivable; recording the
payment here marks the bureau's side of it as booked by that very transaction, so the
receivable is not settled twice, and leaves the member's side to the outbox. Nothing here
commits: the inbox commits the line and the payment together.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.bank.matching import BankPayment, OpenInvoice, first_open, normalised_reference
from ledger.entries import Amount
from purchasing.errors import ValidationFailed, message
from purchasing.invoices.accounts import RECEIVABLE
from purchasing.invoices.payments import open_amount
from purchasing.models import (
    CollectionStatus,
    Invoice,
    InvoiceKind,
    Payment,
    SepaBatch,
    SepaCollection,
    Side,
)
from purchasing.sepa.settlement import collect, return_collection, settle_collection
from purchasing.sepa.transfers import (
    booked_by,
    open_here,
    posted_payment,
    settle_here,
    take_over_posted,
)


class BureauInvoices:
    """Open invoices, unsettled batches and collections of one bureau, found by reference."""

    def __init__(self, session: Session, bureau_id: int) -> None:
        self.session = session
        self.bureau_id = bureau_id

    def match(self, payment: BankPayment) -> OpenInvoice | None:
        if payment.return_reason and payment.end_to_end_id:
            return self._returned(payment)
        if payment.end_to_end_id:
            collection = self._collection(payment.end_to_end_id)
            if collection is not None and collection.status == CollectionStatus.PENDING:
                number = self.session.get_one(Invoice, collection.invoice_id).number
                amount = Amount(collection.amount, "EUR")
                return OpenInvoice(collection.end_to_end_id, number, amount, RECEIVABLE)
        return first_open(self._open_here, payment)

    def already_booked(self, invoice: OpenInvoice, payment: BankPayment) -> int | None:
        found = self._invoice(invoice.reference)
        if found is None:
            return None
        return posted_payment(self.session, found.id, Side.BUREAU, payment.amount.number)

    def record(self, invoice: OpenInvoice, payment: BankPayment, transaction_id: int) -> None:
        if payment.return_reason and payment.end_to_end_id:
            self._record_return(payment, transaction_id)
            return
        collection = self._collection(invoice.reference)
        if collection is not None:
            payment_id = collect(self.session, collection.end_to_end_id, payment.paid_on)
            booked_by(self.session, [payment_id], Side.BUREAU, transaction_id)
            return
        self.record_payment(invoice.reference, payment.amount, transaction_id, payment.paid_on)

    def open_invoice(self, reference: str) -> OpenInvoice | None:
        """The open invoice or unsettled batch with this reference (unpaid amount only)."""
        invoice = self._invoice(reference)
        if invoice is not None:
            return self._open(invoice, open_amount(self.session, invoice.id))
        return self._open_batch(reference)

    def record_payment(
        self, reference: str, amount: Amount, transaction_id: int, paid_on: date
    ) -> None:
        """The invoice or batch with this reference is paid by the bank's ``transaction_id``."""
        invoice = self._invoice(reference)
        if invoice is not None:
            settle_here(
                self.session,
                invoice.id,
                Side.BUREAU,
                amount.number,
                transaction_id,
                paid_on,
                f"bank:bureau:{self.bureau_id}:{transaction_id}",
            )
            return
        batch = self._batch(reference)
        if batch is None:
            return
        if amount.number != batch.total:
            raise ValidationFailed(
                message("Het bedrag wijkt af van incassobatch %(reference)s."),
                reference=batch.reference,
            )
        settle_collection(self.session, batch.id, paid_on)
        # Collections a member's own statement showed first are in this credit too.
        collected = self.session.scalars(
            select(SepaCollection.payment_id).where(
                SepaCollection.batch_id == batch.id,
                SepaCollection.status == CollectionStatus.COLLECTED,
                SepaCollection.payment_id.is_not(None),
            )
        )
        payment_ids = [int(i) for i in collected if i]
        booked_by(self.session, payment_ids, Side.BUREAU, transaction_id)
        take_over_posted(
            self.session,
            payment_ids,
            Side.BUREAU,
            transaction_id,
            paid_on,
            f"Tegenboeking: ontvangen met incassobatch {batch.reference}",
        )

    def _open_here(self, reference: str) -> OpenInvoice | None:
        invoice = self._invoice(reference)
        if invoice is not None:
            return self._open(invoice, open_here(self.session, invoice, Side.BUREAU))
        return self._open_batch(reference)

    def _open(self, invoice: Invoice, remaining: Decimal) -> OpenInvoice | None:
        if remaining <= 0:
            return None
        name = str(invoice.customer.get("name") or "")
        amount = Amount(remaining, invoice.currency)
        return OpenInvoice(invoice.payment_reference, invoice.number, amount, RECEIVABLE, name)

    def _open_batch(self, reference: str) -> OpenInvoice | None:
        batch = self._batch(reference)
        if batch is None or batch.settled_on is not None:
            return None
        return OpenInvoice(batch.reference, batch.reference, Amount(batch.total, "EUR"), RECEIVABLE)

    def _returned(self, payment: BankPayment) -> OpenInvoice | None:
        """A debit that came back: the receivable is open again for the amount returned."""
        collection = self._collection(payment.end_to_end_id)
        if collection is None or collection.status != CollectionStatus.COLLECTED:
            return None
        if payment.amount.number != -collection.amount:
            return None
        number = self.session.get_one(Invoice, collection.invoice_id).number
        amount = Amount(-collection.amount, "EUR")
        return OpenInvoice(collection.end_to_end_id, number, amount, RECEIVABLE)

    def _record_return(self, payment: BankPayment, transaction_id: int) -> None:
        collection_id = return_collection(
            self.session, payment.end_to_end_id, payment.return_reason, payment.paid_on
        )
        collection = self.session.get_one(SepaCollection, collection_id)
        reversal = self.session.scalar(
            select(Payment.id).where(Payment.reverses_id == collection.payment_id)
        )
        if reversal is not None:
            booked_by(self.session, [reversal], Side.BUREAU, transaction_id)

    def _invoice(self, reference: str) -> Invoice | None:
        return self.session.scalar(
            select(Invoice).where(
                Invoice.payment_reference == normalised_reference(reference),
                Invoice.supplier_id == self.bureau_id,
                Invoice.kind == InvoiceKind.INVOICE,
            )
        )

    def _batch(self, reference: str) -> SepaBatch | None:
        return self.session.scalar(
            select(SepaBatch).where(
                # compared as the bank line's references are: without dashes, dots or spaces
                func.upper(func.regexp_replace(SepaBatch.reference, r"[\s.\-]", "", "g"))
                == normalised_reference(reference),
                SepaBatch.creditor_id == self.bureau_id,
            )
        )

    def _collection(self, end_to_end_id: str) -> SepaCollection | None:
        return self.session.scalar(
            select(SepaCollection)
            .join(SepaBatch, SepaBatch.id == SepaCollection.batch_id)
            .where(
                SepaCollection.end_to_end_id == end_to_end_id.strip(),
                SepaBatch.creditor_id == self.bureau_id,
            )
        )
