"""Members' SEPA mandates: signed on a date, on a valid IBAN, one active per member."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.models import SepaCollection, SepaMandate, SequenceType
from purchasing.sepa.creditor import bic_of, checked_iban

# What SEPA allows in a mandate id (the "Latin" character set, at most 35).
_REFERENCE = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]{1,35}$")


def add_mandate(
    session: Session,
    organisation_id: int,
    reference: str,
    debtor_name: str,
    iban: str,
    signed_on: date,
) -> int:
    """Record a signed mandate; refuses a second active one for the same member."""
    if not _REFERENCE.match(reference):
        raise ValidationFailed(
            message(
                "Een machtigingskenmerk heeft hoogstens 35 tekens (letters, cijfers, -/?:().,'+)."
            ),
            field="reference",
        )
    if not debtor_name.strip():
        raise ValidationFailed(
            message("Vul de naam van de rekeninghouder in."), field="debtor_name"
        )
    account = checked_iban(iban)
    if active_mandate(session, organisation_id) is not None:
        raise ValidationFailed(
            message("Deze organisatie heeft al een geldige machtiging; trek die eerst in."),
            field="reference",
        )
    if session.scalar(select(SepaMandate.id).where(SepaMandate.reference == reference)):
        raise ValidationFailed(
            message("Machtigingskenmerk %(reference)s is al in gebruik."),
            field="reference",
            reference=reference,
        )
    mandate = SepaMandate(
        organisation_id=organisation_id,
        reference=reference,
        debtor_name=debtor_name.strip(),
        iban=account.compact,
        bic=bic_of(account),
        signed_on=signed_on,
    )
    session.add(mandate)
    session.flush()
    return mandate.id


def revoke_mandate(session: Session, mandate_id: int, on: date) -> None:
    """The member withdrew the mandate: no new collections under it."""
    mandate = session.get(SepaMandate, mandate_id)
    if mandate is None:
        raise NotFound(message("Deze machtiging bestaat niet."))
    mandate.revoked_on = mandate.revoked_on or on
    session.flush()


def active_mandate(session: Session, organisation_id: int) -> SepaMandate | None:
    return session.scalar(
        select(SepaMandate).where(
            SepaMandate.organisation_id == organisation_id, SepaMandate.revoked_on.is_(None)
        )
    )


def next_sequence_type(session: Session, mandate_id: int) -> SequenceType:
    """FRST for the first debit under a mandate, RCUR for every later one."""
    earlier = session.scalar(
        select(SepaCollection.id).where(SepaCollection.mandate_id == mandate_id).limit(1)
    )
    return SequenceType.FIRST if earlier is None else SequenceType.RECURRING
