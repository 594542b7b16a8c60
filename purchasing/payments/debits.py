"""Collecting a run's invoices under the members' Stripe SEPA mandates, once each."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from purchasing.invoices.payments import open_amount
from purchasing.models import Invoice
from purchasing.payments.provider import PaymentProvider
from purchasing.payments.services import active_mandate, debit_with_mandate


class DebitOutcome(StrEnum):
    """What collecting one invoice did."""

    DEBITED = "debited"
    WITHOUT_MANDATE = "without_mandate"
    SKIPPED = "skipped"  # gone, or nothing open


def debit_invoice(session: Session, provider: PaymentProvider, invoice_id: int) -> DebitOutcome:
    """Debit what is open on the invoice if its member gave a mandate; safe to run twice.

    A debit on its way is not repeated (``debit_with_mandate``); a paid invoice is skipped. A
    refusal (a closed account, the provider down) raises, and the caller rolls back that one.
    """
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or open_amount(session, invoice_id) <= 0:
        return DebitOutcome.SKIPPED
    if active_mandate(session, invoice.customer_id) is None:
        return DebitOutcome.WITHOUT_MANDATE
    debit_with_mandate(session, provider, invoice_id)
    return DebitOutcome.DEBITED
