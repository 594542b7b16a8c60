"""How a member pays an invoice by bank transfer: to whom, how much, with which reference.

What the invoice page and a banking app's EPC QR code (the European Payments Council's
"SEPA Credit Transfer" code) need, read from the invoice as issued: the bureau's name and IBAN
as printed on it, the amount still open and the invoice's RF payment reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from purchasing.models import Invoice, InvoiceKind


@dataclass(frozen=True, slots=True)
class TransferInstructions:
    """Everything a person types into their bank's transfer form, or scans."""

    beneficiary: str
    iban: str
    amount: Decimal
    reference: str
    invoice_number: str


def transfer_instructions(invoice: Invoice, open_amount: Decimal) -> TransferInstructions | None:
    """The transfer that settles ``invoice``; None when nothing is open or no IBAN is printed."""
    iban = (invoice.supplier or {}).get("iban")
    if invoice.kind != InvoiceKind.INVOICE or open_amount <= 0 or not iban:
        return None
    return TransferInstructions(
        beneficiary=str(invoice.supplier.get("name") or ""),
        iban=str(iban),
        amount=open_amount,
        reference=invoice.payment_reference,
        invoice_number=invoice.number,
    )
