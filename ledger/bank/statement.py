"""A parsed bank statement as plain values, whatever format it came in."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from ledger.amounts import is_within_limits
from ledger.errors import ValidationFailed, message

# Fractions of a cent are no bank's amount; the size limit is the one of every typed amount.
CENT = Decimal("0.01")
# Progress of a long import: (phase, done, total), phase "parse" while reading, then "save".
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 1000

# A bank's own reference longer than this is hashed into the line's identity.
MAX_REFERENCE = 120


class StatementFormat(StrEnum):
    """The file formats a statement is read from (kept with each import)."""

    CAMT_053 = "camt.053"
    MT940 = "mt940"
    CSV = "csv"


class StatementRefused(ValidationFailed):
    """A statement file that cannot be imported: malformed, hostile, or for another account."""


@dataclass(frozen=True, slots=True)
class StatementBalance:
    """The bank's balance of the account at the end of ``date`` (``amount`` in ``currency``)."""

    date: dt.date
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One entry on the statement; ``amount`` is positive for money coming in.

    ``is_pending`` marks an entry the bank has not booked yet (CAMT status PDNG or INFO): it is
    in no balance of the statement, and its booked version replaces it when that arrives.
    """

    date: dt.date
    amount: Decimal
    currency: str
    description: str = ""
    counterparty_name: str = ""
    counterparty_iban: str = ""
    bank_reference: str = ""
    end_to_end_id: str = ""
    payment_reference: str = ""
    return_reason: str = ""
    value_date: dt.date | None = None
    identity: str = ""
    is_pending: bool = False
    # What the identity is made of in place of the description, when the description is a part
    # of the bank's text (ING's labelled CSV text): the identity stays what it was.
    identity_text: str = ""


@dataclass(frozen=True, slots=True)
class Statement:
    """One account's statement: ``opening.amount`` plus the lines gives ``closing.amount``.

    Balance dates are as the bank printed them; banks differ in whether the opening date is the
    statement's first day or the day before, which the import allows for.
    """

    iban: str
    currency: str
    lines: tuple[StatementLine, ...]
    opening: StatementBalance | None = None
    closing: StatementBalance | None = None
    reference: str = ""


def with_identities(lines: tuple[StatementLine, ...]) -> tuple[StatementLine, ...]:
    """Give every line a stable identity, the same on every export that contains it.

    The bank's own reference is used where it is present and unique in the file; otherwise a
    hash of date, amount, counterparty and description, plus the line's sequence among identical
    lines of that day (two equal coffees on one day are two lines, in every export).
    """
    references = Counter(line.bank_reference for line in lines if line.bank_reference)
    seen: Counter[str] = Counter()
    result = []
    for line in lines:
        if line.bank_reference and references[line.bank_reference] == 1:
            identity = _reference_identity(line.bank_reference)
        else:
            key = "|".join(
                (
                    line.date.isoformat(),
                    str(line.amount),
                    line.currency,
                    line.counterparty_iban,
                    line.counterparty_name,
                    line.identity_text or line.description,
                    line.end_to_end_id,
                )
            )
            seen[key] += 1
            digest = hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()[:40]
            identity = "hash:" + digest
        if line.is_pending:  # never the booked version's identity: that one replaces it
            identity = "pending:" + identity
        result.append(replace(line, identity=identity))
    return tuple(result)


def _reference_identity(reference: str) -> str:
    """The bank's reference itself, or a hash of it when it is too long to keep whole."""
    if len(reference) <= MAX_REFERENCE:
        return "ref:" + reference
    return "refhash:" + hashlib.sha256(reference.encode()).hexdigest()[:40]


def checked_amount(amount: Decimal, text: str) -> Decimal:
    """``amount`` (read from ``text``) if it is a plausible bank amount; refuses the file else.

    Refuses infinities, exponents (``1E+999999`` would overflow the database), fractions of a
    cent and amounts no bank account holds.
    """
    refused = StatementRefused(message("Ongeldig bedrag: %(amount)s."), amount=text.strip()[:40])
    if "e" in text.lower() or not is_within_limits(amount):
        raise refused
    if amount.quantize(CENT) != amount:
        raise refused
    return amount


def report(on_progress: Progress | None, phase: str, done: int, total: int) -> None:
    """Tell ``on_progress`` every thousand lines and at the last one."""
    if on_progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        on_progress(phase, done, total)
