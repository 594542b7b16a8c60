"""Invoice numbers without gaps or duplicates, and the structured payment reference.

The number comes from a counter row per series and year, taken with an upsert in the same
transaction that inserts the invoice. The upsert locks the counter row exactly as
``SELECT ... FOR UPDATE`` would (and creates it on first use without a race), so concurrent
issuers queue on that row: each gets the next number, and a transaction that rolls back
returns its number with it. No gap, no duplicate.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Table, literal_column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

from purchasing.errors import ValidationFailed, message
from purchasing.models import InvoiceCounter

INVOICE_SERIES = "F"
CREDIT_NOTE_SERIES = "C"


class InvoiceNumber(NamedTuple):
    series: str
    year: int
    sequence: int

    @property
    def text(self) -> str:
        """As printed: ``F2026-000042``; sorts the same as the sequence within a year."""
        return f"{self.series}{self.year}-{self.sequence:06d}"


def next_number(session: Session, series: str, year: int) -> InvoiceNumber:
    """Take the next number of ``series`` in ``year``; locks the counter until commit."""
    counter = InvoiceCounter.__table__
    assert isinstance(counter, Table)
    statement = (
        insert(counter)
        .values(series=series, year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[counter.c.series, counter.c.year],
            set_={"last_number": literal_column("invoice_counters.last_number") + 1},
        )
        .returning(counter.c.last_number)
    )
    sequence = session.execute(statement).scalar_one()
    return InvoiceNumber(series, year, int(sequence))


def payment_reference(number: InvoiceNumber) -> str:
    """The RF creditor reference (ISO 11649) of an invoice: ``RF`` + check digits + number.

    Banks in the Netherlands accept it as a structured reference, and a bank import can match
    a transfer on it without reading free text.
    """
    body = f"{number.series}{number.year}{number.sequence:06d}"
    check = mod_97_10.calc_check_digits(body + "RF")
    return iso11649.compact(f"RF{check}{body}")


def check_payment_reference(reference: str) -> str:
    """``reference`` in compact form if it is a valid RF reference; refused otherwise."""
    try:
        return str(iso11649.validate(reference))
    except iso11649.ValidationError:
        raise ValidationFailed(
            message("%(reference)s is geen geldig betalingskenmerk."),
            field="reference",
            reference=reference,
        ) from None
