"""Edit conflicts: the edit form carries a hash of the transaction it showed (as Fava does).

When two people edit the same transaction, the second save would silently undo the first.
Instead the form's hash is compared with the transaction as it is now, under a row lock held
until the edit commits, and a mismatch is refused with ``EditConflict``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.entries import NewTransaction
from ledger.errors import Conflict, NotFound, message
from ledger.models import Transaction
from ledger.queries import load_transaction


class EditConflict(Conflict):
    """Someone changed the transaction after this form was opened."""


def transaction_hash(transaction: NewTransaction) -> str:
    """A SHA-256 of every field of the transaction, the same in every process."""
    text = json.dumps(asdict(transaction), sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def check_unchanged(session: Session, transaction_id: int, expected: str) -> None:
    """Lock the transaction and refuse when it no longer is what the form showed."""
    locked = session.scalar(
        select(Transaction.id).where(Transaction.id == transaction_id).with_for_update()
    )
    current = load_transaction(session, transaction_id) if locked is not None else None
    if current is None:
        raise NotFound(message("Deze boeking bestaat niet meer."))
    if transaction_hash(current) != expected:
        raise EditConflict(
            message(
                "Iemand anders heeft deze boeking intussen gewijzigd; "
                "open haar opnieuw en voer je wijziging nog eens in."
            )
        )


def _plain(value: object) -> object:
    if isinstance(value, frozenset | set):
        return sorted(value, key=repr)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")
