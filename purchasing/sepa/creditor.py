"""The bureau as SEPA creditor: its creditor identifier (``NL..ZZZ<KvK>0000``) and account."""

from __future__ import annotations

import re

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy.orm import Session

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.models import SepaCreditor

BUSINESS_CODE = "ZZZ"
MAX_NAME = 70  # a name in pain.008 (<Nm>) holds at most 70 characters
_CREDITOR_ID = re.compile(r"^([A-Z]{2})(\d{2})([A-Z0-9]{3})([A-Z0-9]{1,28})$")


def creditor_identifier(kvk_number: str, country: str = "NL") -> str:
    """The Dutch creditor id the bank issues for a KvK number: ``NL`` + check + ZZZ + KvK + 0000."""
    national = f"{kvk_number}0000"
    return f"{country}{_check_digits(country, national)}{BUSINESS_CODE}{national}"


def is_valid_creditor_id(creditor_id: str) -> bool:
    """The check digits cover country and national id; the business code is not counted."""
    found = _CREDITOR_ID.match(creditor_id.replace(" ", "").upper())
    if found is None:
        return False
    country, check, _business, national = found.groups()
    return _check_digits(country, national) == check


def set_creditor(
    session: Session,
    organisation_id: int,
    creditor_id: str,
    name: str,
    iban: str,
    bic: str | None = None,
) -> None:
    """Record (or replace) the bureau's creditor id and receiving account."""
    compact = creditor_id.replace(" ", "").upper()
    if not is_valid_creditor_id(compact):
        raise ValidationFailed(
            message("%(creditor_id)s is geen geldig incassant-ID."),
            field="creditor_id",
            creditor_id=creditor_id,
        )
    if not name.strip() or len(name.strip()) > MAX_NAME:
        raise ValidationFailed(
            message("Vul de naam van de incassant in, hoogstens %(longest)s tekens."),
            field="name",
            longest=MAX_NAME,
        )
    account = checked_iban(iban)
    row = session.get(SepaCreditor, organisation_id) or SepaCreditor(
        organisation_id=organisation_id
    )
    row.creditor_id, row.name, row.iban = compact, name.strip(), account.compact
    row.bic = bic or bic_of(account)
    session.add(row)
    session.flush()


def creditor_of(session: Session, organisation_id: int) -> SepaCreditor:
    creditor = session.get(SepaCreditor, organisation_id)
    if creditor is None:
        raise NotFound(message("Het servicebureau heeft nog geen incassant-ID ingesteld."))
    return creditor


def checked_iban(text: str) -> IBAN:
    """``text`` as a valid IBAN (checksum and the country's account structure), or refused."""
    try:
        return IBAN(text)
    except SchwiftyException:
        raise ValidationFailed(
            message("%(iban)s is geen geldig IBAN."), field="iban", iban=text.strip()[:40]
        ) from None


def bic_of(iban: IBAN) -> str | None:
    bic = iban.bic
    return None if bic is None else str(bic)


def _check_digits(country: str, national: str) -> str:
    digits = "".join(str(int(char, 36)) for char in f"{national}{country}00")
    return f"{98 - int(digits) % 97:02d}"
