"""Who is on an invoice: billing details per organisation, and the snapshot an invoice keeps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.models import BillingDetails
from tenants.models import Organisation

DEFAULT_PAYMENT_DAYS = 14


@dataclass(frozen=True)
class Party:
    """Name, address and registration numbers as printed on an invoice."""

    name: str
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NL"
    kvk_number: str | None = None
    vat_number: str | None = None
    iban: str | None = None
    email: str | None = None

    def snapshot(self) -> dict[str, str | None]:
        return asdict(self)


def set_billing_details(
    session: Session, organisation_id: int, party: Party, payment_days: int | None = None
) -> None:
    """Record (or replace) how an organisation appears on invoices.

    Invoices already issued keep the details they were issued with.
    """
    if not party.name.strip():
        raise ValidationFailed(message("Vul de naam voor op de factuur in."), field="name")
    if party.kvk_number is not None and not (
        party.kvk_number.isdigit() and len(party.kvk_number) == 8
    ):
        raise ValidationFailed(message("Een KvK-nummer heeft 8 cijfers."), field="kvk_number")
    row = session.get(BillingDetails, organisation_id) or BillingDetails(
        organisation_id=organisation_id
    )
    row.legal_name = party.name.strip()
    row.address, row.postcode, row.city = party.address, party.postcode, party.city
    row.country, row.kvk_number, row.vat_number = party.country, party.kvk_number, party.vat_number
    row.iban, row.email = party.iban, party.email
    if payment_days is not None:
        row.payment_days = payment_days
    session.add(row)
    session.flush()


@dataclass(frozen=True)
class Billing:
    """An organisation with how it appears on invoices and the days it gives to pay."""

    organisation: Organisation
    party: Party
    payment_days: int


def billing_of(session: Session, organisation_ids: Iterable[int]) -> dict[int, Billing]:
    """The registry entry and billing details of each organisation, read in one statement.

    Issuing an invoice needs both parties' details and the bureau's payment terms; reading
    them together is one round trip instead of one per question. Unknown ids are left out.
    """
    rows = session.execute(
        select(Organisation, BillingDetails)
        .outerjoin(BillingDetails, BillingDetails.organisation_id == Organisation.id)
        .where(Organisation.id.in_(set(organisation_ids)))
    )
    return {
        organisation.id: Billing(
            organisation,
            _party(organisation, details),
            DEFAULT_PAYMENT_DAYS if details is None else int(details.payment_days),
        )
        for organisation, details in rows
    }


def party_of(session: Session, organisation_id: int) -> Party:
    """The organisation as an invoice shows it: its billing details, or its registry entry."""
    row = session.get(BillingDetails, organisation_id)
    if row is not None:
        return _party(None, row)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(message("Deze organisatie bestaat niet."))
    return _party(organisation, None)


def _party(organisation: Organisation | None, row: BillingDetails | None) -> Party:
    if row is not None:
        return Party(
            name=row.legal_name,
            address=row.address,
            postcode=row.postcode,
            city=row.city,
            country=row.country,
            kvk_number=row.kvk_number,
            vat_number=row.vat_number,
            iban=row.iban,
            email=row.email,
        )
    assert organisation is not None
    return Party(name=organisation.name, kvk_number=organisation.kvk_number)


def payment_days_of(session: Session, organisation_id: int) -> int:
    days = session.scalar(
        select(BillingDetails.payment_days).where(BillingDetails.organisation_id == organisation_id)
    )
    return DEFAULT_PAYMENT_DAYS if days is None else int(days)


def require_bureau(supplier: Billing | None) -> Billing:
    """The supplier of an invoice if it is the bureau; refuses another organisation, or none."""
    if supplier is None or not supplier.organisation.is_bureau:
        raise ValidationFailed(
            message("Alleen het servicebureau verstuurt facturen."), field="supplier_id"
        )
    return supplier
