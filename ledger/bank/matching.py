"""Matching a payment to an open invoice by its payment reference.

The ledger knows nothing of invoices: whoever issues them (the purchasing side) implements
``InvoiceMatcher`` and passes it in when lines are proposed and confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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
    receives the money (a receivable), negative when it pays (a payable).
    """

    reference: str
    number: str
    open_amount: Amount
    account: str
    counterparty: str = ""


class InvoiceMatcher(Protocol):
    """Finds open invoices by payment reference and records payments against them."""

    def open_invoice(self, reference: str) -> OpenInvoice | None:
        """The open invoice with this (normalised) payment reference, if there is one."""

    def record_payment(
        self, reference: str, amount: Amount, transaction_id: int, paid_on: date
    ) -> None:
        """Note that ``amount`` of the invoice was paid by the booked ``transaction_id``."""


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


def match_invoice(
    matcher: InvoiceMatcher | None, references: Iterable[str], amount: Amount
) -> OpenInvoice | None:
    """The open invoice one of ``references`` names, in the same currency and direction."""
    if matcher is None:
        return None
    for reference in references:
        invoice = matcher.open_invoice(reference)
        if invoice is None or invoice.open_amount.currency != amount.currency:
            continue
        if (invoice.open_amount.number > 0) == (amount.number > 0):
            return invoice
    return None
