"""The bank import's ``InvoiceMatcher`` for a member organisation's payables to the bureau.

The member's own statement shows what it paid the bureau: a transfer carrying the invoice's
payment reference, or a direct debit carrying the collection's end-to-end id. The line is
booked against the payable to the bureau and settles the invoice, on both sides. When the
bureau's statement showed the payment first, its booking here is taken over (still pending in
the outbox) or the line is linked to the transaction the outbox posted: never booked twice.
Nothing here commits: the inbox commits the line and the payment together.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.bank.matching import BankPayment, OpenInvoice, first_open, normalised_reference
from ledger.entries import Amount
from purchasing.invoices.accounts import PAYABLE
from purchasing.models import (
    CollectionStatus,
    Invoice,
    InvoiceKind,
    SepaCollection,
    Side,
)
from purchasing.sepa.matching import BureauInvoices
from purchasing.sepa.settlement import collect
from purchasing.sepa.transfers import booked_by, open_here, posted_payment, settle_here


class MemberPayables:
    """What one member organisation owes the bureau, found by payment reference."""

    def __init__(self, session: Session, member_id: int) -> None:
        self.session = session
        self.member_id = member_id

    def match(self, payment: BankPayment) -> OpenInvoice | None:
        if payment.amount.number >= 0 or payment.return_reason:
            return None
        collection = self._collection(payment.end_to_end_id)
        if collection is not None:
            invoice = self.session.get_one(Invoice, collection.invoice_id)
            if -payment.amount.number != collection.amount:
                return None
            if collection.status == CollectionStatus.PENDING:
                return self._open(invoice, collection.amount, collection.end_to_end_id)
            return self._open(invoice, open_here(self.session, invoice, Side.MEMBER))
        return first_open(self._open_here, payment)

    def already_booked(self, invoice: OpenInvoice, payment: BankPayment) -> int | None:
        found = self._invoice_of(invoice)
        if found is None:
            return None
        return posted_payment(self.session, found.id, Side.MEMBER, -payment.amount.number)

    def record(self, invoice: OpenInvoice, payment: BankPayment, transaction_id: int) -> None:
        collection = self._collection(invoice.reference)
        if collection is not None and collection.status == CollectionStatus.PENDING:
            # The debit left the member's account: the collection happened.
            payment_id = collect(self.session, collection.end_to_end_id, payment.paid_on)
            booked_by(self.session, [payment_id], Side.MEMBER, transaction_id)
            return
        found = self._invoice_of(invoice)
        assert found is not None
        settle_here(
            self.session,
            found.id,
            Side.MEMBER,
            -payment.amount.number,
            transaction_id,
            payment.paid_on,
            f"bank:member:{self.member_id}:{transaction_id}",
        )

    def _open_here(self, reference: str) -> OpenInvoice | None:
        invoice = self._invoice(reference)
        if invoice is None:
            return None
        return self._open(invoice, open_here(self.session, invoice, Side.MEMBER))

    def _open(
        self, invoice: Invoice, remaining: Decimal, reference: str = ""
    ) -> OpenInvoice | None:
        if remaining <= 0:
            return None
        name = str(invoice.supplier.get("name") or "")
        amount = Amount(-remaining, invoice.currency)
        return OpenInvoice(
            reference or invoice.payment_reference, invoice.number, amount, PAYABLE, name
        )

    def _invoice_of(self, invoice: OpenInvoice) -> Invoice | None:
        collection = self._collection(invoice.reference)
        if collection is not None:
            return self.session.get(Invoice, collection.invoice_id)
        return self._invoice(invoice.reference)

    def _invoice(self, reference: str) -> Invoice | None:
        return self.session.scalar(
            select(Invoice).where(
                Invoice.payment_reference == normalised_reference(reference),
                Invoice.customer_id == self.member_id,
                Invoice.kind == InvoiceKind.INVOICE,
            )
        )

    def _collection(self, end_to_end_id: str) -> SepaCollection | None:
        if not end_to_end_id.strip():
            return None
        return self.session.scalar(
            select(SepaCollection)
            .join(Invoice, Invoice.id == SepaCollection.invoice_id)
            .where(
                SepaCollection.end_to_end_id == end_to_end_id.strip(),
                Invoice.customer_id == self.member_id,
            )
        )


def invoice_matcher(
    session: Session, organisation_id: int, *, is_bureau: bool
) -> BureauInvoices | MemberPayables:
    """The matcher for this organisation's bank lines: its receivables, or its payables."""
    if is_bureau:
        return BureauInvoices(session, organisation_id)
    return MemberPayables(session, organisation_id)
