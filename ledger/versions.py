"""A transaction's version: a hash of all it holds, carried by an edit form (as Fava does).

When two people edit the same transaction, the second save would silently undo the first. The
edit names the version it started from; ``ledger.transactions.edit_transaction`` compares it
with the transaction as it is now, under a row lock held until the edit commits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date
from decimal import Decimal

from ledger.entries import NewTransaction
from ledger.errors import EditConflict, message


def transaction_version(transaction: NewTransaction) -> str:
    """A SHA-256 of every field of the transaction, the same in every process."""
    text = json.dumps(asdict(transaction), sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def check_version(current: NewTransaction, expected: str) -> None:
    """Refuse with ``EditConflict`` when ``current`` is no longer the version ``expected``."""
    if transaction_version(current) != expected:
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
