"""Who is on an invoice: billing details per organisation, and the snapshot an invoice keeps."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.eu import vat
from stdnum.exceptions import InvalidComponent, ValidationError
from stdnum.nl import postcode as dutch_postcode

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.models import BillingDetails
from purchasing.sepa.creditor import checked_iban
from tenants.models import Organisation

DEFAULT_PAYMENT_DAYS = 14
# The widths of the columns of ``billing_details`` (purchasing/models/invoices.py).
POSTCODE_LONGEST = 16
VAT_NUMBER_LONGEST = 14
EMAIL_LONGEST = 254
SHOWN_LONGEST = 40  # of what was typed, repeated in a refusal
_COUNTRY = re.compile(r"[A-Z]{2}")
# A VAT number of a country outside the EU's VIES: its country code, then letters and digits.
_OTHER_VAT_NUMBER = re.compile(r"[A-Z]{2}[A-Z0-9]{2,12}")
_VAT_SEPARATORS = re.compile(r"[\s.\-]")


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

    Invoices already issued keep the details they were issued with. Each field is checked
    (``checked_party``) and kept in the form the invoice prints.
    """
    party = checked_party(party)
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


def checked_party(party: Party) -> Party:
    """``party`` with every field checked and written as invoices print it, or refused by field.

    A Dutch postcode as ``1234 AB``; the country as its two-letter code (``NL`` when empty);
    VAT number and IBAN without spaces, in capitals; the e-mail address as normalised.
    Address, postcode, city and the numbers may be left empty.
    """
    if not party.name.strip():
        raise ValidationFailed(message("Vul de naam voor op de factuur in."), field="name")
    if party.kvk_number is not None and not (
        party.kvk_number.isdigit() and len(party.kvk_number) == 8
    ):
        raise ValidationFailed(message("Een KvK-nummer heeft 8 cijfers."), field="kvk_number")
    country = _checked_country(party.country)
    return replace(
        party,
        name=party.name.strip(),
        address=party.address.strip(),
        postcode=_checked_postcode(party.postcode, country),
        city=party.city.strip(),
        country=country,
        vat_number=_checked_vat_number(party.vat_number, country),
        iban=_checked_iban(party.iban),
        email=_checked_email(party.email),
    )


def _checked_country(text: str) -> str:
    country = text.strip().upper() or "NL"
    if not _COUNTRY.fullmatch(country):
        raise ValidationFailed(
            message("Vul het land in als landcode van twee letters, zoals NL of BE."),
            field="country",
        )
    return country


def _checked_postcode(text: str, country: str) -> str:
    found = text.strip()
    if not found:
        return ""
    if country == "NL":
        try:
            return str(dutch_postcode.validate(found))
        except ValidationError:
            raise ValidationFailed(
                message(
                    "%(postcode)s is geen Nederlandse postcode: vier cijfers en twee letters,"
                    " zoals 1234 AB."
                ),
                field="postcode",
                postcode=_shown(found),
            ) from None
    if len(found) > POSTCODE_LONGEST:
        raise ValidationFailed(
            message("Een postcode heeft hoogstens %(longest)s tekens."),
            field="postcode",
            longest=POSTCODE_LONGEST,
        )
    return found.upper()


def _checked_vat_number(text: str | None, country: str) -> str | None:
    """A VAT number of the EU checked by its country's rules; another by its shape only."""
    compact = _VAT_SEPARATORS.sub("", text or "").upper()
    if not compact:
        return None
    if compact[:1].isdigit() and country == "NL":
        compact = f"NL{compact}"  # typed without its country code
    try:
        found = str(vat.validate(compact))
    except InvalidComponent:  # no EU country code: outside VIES, only its shape is known
        found = compact if _OTHER_VAT_NUMBER.fullmatch(compact) else ""
    except ValidationError:
        found = ""
    if not found or len(found) > VAT_NUMBER_LONGEST:
        raise ValidationFailed(
            message(
                "%(vat_number)s is geen geldig btw-nummer. Controleer de cijfers en zet de"
                " landcode ervoor, zoals NL."
            ),
            field="vat_number",
            vat_number=_shown((text or "").strip()),
        )
    return found


def _checked_iban(text: str | None) -> str | None:
    found = (text or "").strip()
    return str(checked_iban(found).compact) if found else None


def _checked_email(text: str | None) -> str | None:
    found = (text or "").strip()
    if not found:
        return None
    try:
        email = str(validate_email(found, check_deliverability=False).normalized)
    except EmailNotValidError:
        email = ""
    if not email or len(email) > EMAIL_LONGEST:
        raise ValidationFailed(
            message("%(email)s is geen geldig e-mailadres."), field="email", email=_shown(found)
        )
    return email


def _shown(text: str) -> str:
    """What was typed, cut short enough to repeat in a refusal."""
    return text if len(text) <= SHOWN_LONGEST else f"{text[:SHOWN_LONGEST]}…"


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
