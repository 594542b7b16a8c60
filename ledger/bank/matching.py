"""Matching a payment to an open invoice by its payment reference.

The ledger knows nothing of invoices: whoever issues or receives them (the purchasing side)
implements ``InvoiceMatcher`` and passes it in when lines are proposed and confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from stdnum import iso11649

from ledger.entries import Amount

# Written in groups of four or not: "RF18 5390 0754 7034", "5000 0000 0000 0412".
CREDITOR_REFERENCE = re.compile(r"\bRF\d{2}(?: ?[A-Z0-9]{1,4}){1,6}\b")
PAYMENT_REFERENCE = re.compile(r"\b\d{4} ?\d{4} ?\d{4} ?\d{4}\b")  # the Dutch betalingskenmerk


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An invoice still (partly) unpaid, and the ledger account its payment is booked against.

    ``open_amount`` is signed as the bank line that settles it: positive when the organisation
    receives the money (a receivable), negative when it pays (a payable) or when a direct
    debit comes back (a return reopens the receivable).
    """

    reference: str
    number: str
    open_amount: Amount
    account: str
    counterparty: str = ""


@dataclass(frozen=True, slots=True)
class BankPayment:
    """What one bank line says about a payment: its signed amount, day and references."""

    amount: Amount
    paid_on: date
    references: tuple[str, ...]
    end_to_end_id: str = ""
    return_reason: str = ""


class InvoiceMatcher(Protocol):
    """Finds the open invoice a bank line pays and records the payment against it.

    Each method runs in the caller's database transaction and never commits, so booking the
    line and settling the invoice are one transaction.
    """

    def match(self, payment: BankPayment) -> OpenInvoice | None:
        """The open invoice (or direct-debit batch, or returned debit) this line settles."""

    def already_booked(self, invoice: OpenInvoice, payment: BankPayment) -> int | None:
        """A transaction in these books that records this very payment already, if any.

        (The other side's bank import recorded the payment, and it was posted here.) The line
        is then linked to that transaction instead of booking the money a second time.
        """

    def record(self, invoice: OpenInvoice, payment: BankPayment, transaction_id: int) -> None:
        """Settle ``invoice`` with ``payment``, whose booking here is ``transaction_id``."""


def normalised_reference(text: str) -> str:
    """References are compared without spaces, dots or dashes, in capitals."""
    return re.sub(r"[\s.\-]", "", text).upper()


def candidate_references(payment_reference: str, description: str) -> list[str]:
    """The structured reference first, then references written in the free text."""
    found = [normalised_reference(payment_reference)] if payment_reference.strip() else []
    text = " ".join(description.upper().split())
    for match in CREDITOR_REFERENCE.finditer(text):
        found.extend(_valid_creditor_reference(normalised_reference(match.group(0))))
    found.extend(normalised_reference(m.group(0)) for m in PAYMENT_REFERENCE.finditer(text))
    return list(dict.fromkeys(found))


def _valid_creditor_reference(compact: str) -> list[str]:
    """The longest start of ``compact`` whose ISO 11649 check digits hold (text may follow it)."""
    for length in range(len(compact), 4, -1):
        if iso11649.is_valid(compact[:length]):
            return [compact[:length]]
    return []


def first_open(
    find: Callable[[str], OpenInvoice | None], payment: BankPayment
) -> OpenInvoice | None:
    """The open invoice one of the payment's references names, in its currency and direction."""
    for reference in payment.references:
        invoice = find(reference)
        if invoice is None or invoice.open_amount.currency != payment.amount.currency:
            continue
        if (invoice.open_amount.number > 0) == (payment.amount.number > 0):
            return invoice
    return None
