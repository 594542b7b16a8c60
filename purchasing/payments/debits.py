"""Collecting a run's invoices under the members' Stripe SEPA mandates, once each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from purchasing.errors import ValidationFailed
from purchasing.invoices.payments import open_amount
from purchasing.models import Invoice
from purchasing.payments.provider import PaymentProvider, ProviderError
from purchasing.payments.services import active_mandate, debit_with_mandate


@dataclass(frozen=True)
class Debited:
    """What a collection round did: debits offered, invoices without a mandate, refusals."""

    debited: int = 0
    without_mandate: int = 0
    refused: int = 0

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


def debit_invoices(
    session: Session, provider: PaymentProvider, invoice_ids: Sequence[int]
) -> Debited:
    """Debit what is open on each invoice whose member gave a mandate; safe to run twice.

    A debit on its way is not repeated (``debit_with_mandate``); a paid invoice is skipped.
    One refusal (a closed account, the provider down) does not stop the others.
    """
    debited = without = refused = 0
    for invoice_id in invoice_ids:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None or open_amount(session, invoice_id) <= 0:
            continue
        if active_mandate(session, invoice.customer_id) is None:
            without += 1
            continue
        try:
            debit_with_mandate(session, provider, invoice_id)
            debited += 1
        except (ValidationFailed, ProviderError):
            session.rollback()
            refused += 1
    return Debited(debited, without, refused)
