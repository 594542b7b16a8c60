"""An organisation's own details: name, legal form, KvK number and RSIN, kept in the registry."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session
from stdnum.nl import bsn

from ledger.errors import NotFound, message
from tenants.errors import InvalidOrganisation
from tenants.models import LegalForm, Organisation

LEGAL_FORMS = tuple(LegalForm)
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True, slots=True)
class OrganisationDetails:
    """What an owner may change about the organisation; numbers are digits only, or None."""

    name: str
    legal_form: str | None  # a ``LegalForm`` once checked
    kvk_number: str | None
    rsin: str | None


def organisation_details(session: Session, organisation_id: int) -> OrganisationDetails:
    organisation = _organisation(session, organisation_id)
    return OrganisationDetails(
        organisation.name, organisation.legal_form, organisation.kvk_number, organisation.rsin
    )


def update_details(
    session: Session, organisation_id: int, details: OrganisationDetails
) -> OrganisationDetails:
    """Check and store the details; returns them as stored (numbers compacted).

    An informal initiative has no legal person, so it has no KvK number or RSIN to give; the
    rest must have a well-formed number where one is given.
    """
    checked = checked_details(details)
    organisation = _organisation(session, organisation_id)
    organisation.name = checked.name
    organisation.legal_form = _legal_form(checked.legal_form)
    organisation.kvk_number = checked.kvk_number
    organisation.rsin = checked.rsin
    session.flush()
    return checked


def checked_details(details: OrganisationDetails) -> OrganisationDetails:
    """The details with numbers compacted, or ``InvalidOrganisation`` naming the field."""
    name = details.name.strip()
    if not name or len(name) > 200:
        raise InvalidOrganisation(message("Geef de organisatie een naam."), field="name")
    if details.legal_form is not None and details.legal_form not in LEGAL_FORMS:
        raise InvalidOrganisation(message("Kies een rechtsvorm uit de lijst."), field="legal_form")
    kvk = _compact(details.kvk_number)
    if kvk is not None and not re.fullmatch(r"\d{8}", kvk):
        raise InvalidOrganisation(message("Een KvK-nummer heeft 8 cijfers."), field="kvk_number")
    rsin = _compact(details.rsin)
    if rsin is not None and not bsn.is_valid(rsin):
        raise InvalidOrganisation(
            message("Dit RSIN klopt niet: het heeft 9 cijfers en moet de elfproef doorstaan."),
            field="rsin",
        )
    return OrganisationDetails(name, _legal_form(details.legal_form), kvk, rsin)


def _legal_form(value: str | None) -> LegalForm | None:
    return None if value is None else LegalForm(value)


def _compact(number: str | None) -> str | None:
    compact = _SEPARATORS.sub("", number or "")
    return compact or None


def _organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(message("Organisatie bestaat niet."))
    return organisation
