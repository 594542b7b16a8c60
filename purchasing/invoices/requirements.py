"""What Dutch law asks of the parties on an invoice: which billing details are still missing.

The supplier's name, address, KvK number and (when it charges VAT) VAT number; the customer's
name and address (art. 35a Wet OB 1968). Answers are ``Party`` field names, for the page to
name in the reader's language. Both sides are enforced when an invoice is issued (a credit
note keeps the snapshot of the invoice it credits); on invoices issued before, a missing
customer address is only shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.invoices.parties import Party, billing_of, party_of

ADDRESS = ("address", "postcode", "city")
# How the refusal names each field; the page's own labels (invoices/bureau/_missing.html) agree.
LABELS = {
    "address": "adres",
    "postcode": "postcode",
    "city": "plaats",
    "kvk_number": "KvK-nummer",
    "vat_number": "btw-nummer",
}


class SupplierDetailsIncomplete(ValidationFailed):
    """The bureau's billing details lack what an invoice must show; nothing was issued."""

    def __init__(self, missing: Iterable[str]) -> None:
        self.missing = tuple(missing)
        super().__init__(
            message(
                "Het servicebureau kan nog geen facturen uitgeven: in zijn factuurgegevens"
                " ontbreekt %(missing)s. Vul dat aan op de pagina Factuurgegevens van het"
                " servicebureau (/bureau/billing) en probeer het opnieuw."
            ),
            field="supplier_id",
            missing=", ".join(LABELS[name] for name in self.missing),
        )


class CustomerDetailsIncomplete(ValidationFailed):
    """A member's billing details lack the address an invoice to it must show; nothing issued."""

    def __init__(self, name: str, missing: Iterable[str]) -> None:
        self.name, self.missing = name, tuple(missing)
        super().__init__(
            message(
                "Er is geen factuur aan %(name)s uitgegeven: in de factuurgegevens van deze"
                " organisatie ontbreekt %(missing)s. Vul dat aan op de pagina Factuurgegevens"
                " van het servicebureau (/bureau/billing) en probeer het opnieuw."
            ),
            field="customer_id",
            name=name,
            missing=", ".join(LABELS[field] for field in self.missing),
        )


class MembersDetailsIncomplete(ValidationFailed):
    """A run would invoice members whose billing details lack their address; nothing issued."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(sorted(names))
        super().__init__(
            message(
                "Deze run geeft nog geen facturen uit: in de factuurgegevens van %(names)s"
                " ontbreekt het adres, de postcode of de plaats. Vul dat aan op de pagina"
                " Factuurgegevens van het servicebureau (/bureau/billing) en probeer het opnieuw."
            ),
            field="customer_id",
            names=", ".join(self.names),
        )


def missing_of_supplier(supplier: Party, *, has_vat: bool) -> list[str]:
    """The fields the bureau's billing details lack for its invoices."""
    wanted = [*ADDRESS, "kvk_number", *(("vat_number",) if has_vat else ())]
    return _blank(supplier, wanted)


def missing_of_customer(customer: Party) -> list[str]:
    """The fields a member's billing details lack for an invoice addressed to it."""
    return _blank(customer, ADDRESS)


def missing_on_invoice(customer: Mapping[str, object]) -> list[str]:
    """The address fields an issued invoice's customer snapshot lacks (shown, not enforced)."""
    return [name for name in ADDRESS if not str(customer.get(name) or "").strip()]


def check_supplier(session: Session, supplier_id: int, *, has_vat: bool) -> None:
    """Refuse to invoice from a bureau whose billing details lack what the law asks.

    ``has_vat``: a line of the invoice is under a VAT rate (even 0%), so the bureau's VAT
    number must be on it; exempt lines only need the reason of the exemption.
    """
    refuse_incomplete_supplier(party_of(session, supplier_id), has_vat=has_vat)


def refuse_incomplete_supplier(supplier: Party, *, has_vat: bool) -> None:
    """``check_supplier`` for details already read."""
    missing = missing_of_supplier(supplier, has_vat=has_vat)
    if missing:
        raise SupplierDetailsIncomplete(missing)


def refuse_incomplete_customer(customer: Party) -> None:
    """Refuse to invoice a member whose billing details lack its address, postcode or city."""
    missing = missing_of_customer(customer)
    if missing:
        raise CustomerDetailsIncomplete(customer.name, missing)


def check_customers(session: Session, customer_ids: Iterable[int]) -> None:
    """Refuse a batch (a run) at once if any of its members could not be invoiced, naming them."""
    wanted = set(customer_ids)
    found = billing_of(session, wanted)  # one statement for the whole run
    if wanted - found.keys():
        raise NotFound(message("Deze organisatie bestaat niet."))
    lacking = [
        billing.party.name for billing in found.values() if missing_of_customer(billing.party)
    ]
    if lacking:
        raise MembersDetailsIncomplete(lacking)


def _blank(party: Party, names: tuple[str, ...] | list[str]) -> list[str]:
    return [name for name in names if not str(getattr(party, name) or "").strip()]
