"""Taking turns on a whole table of the books, where a row lock cannot help.

Two sends that each check for rows that do not exist yet (an overlapping period, a rule with
the same conditions) and then add one would both find none and both add; a row lock cannot
lock a row that is not there. Taking turns on the table makes the second wait until the first's
transaction ends, and then see what it added.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from ledger.tables import LedgerBase


def take_turns_on(session: Session, model: type[LedgerBase]) -> None:
    """Wait for any other transaction that took turns on ``model``'s table (or writes to it)
    to end, and hold the turn until this transaction ends.

    ``SHARE ROW EXCLUSIVE`` conflicts with itself and with writes to the table, not with reads:
    pages that read the table go on. The name is resolved on the bound organisation's search
    path, as every table of the books is.
    """
    session.execute(text(f"LOCK TABLE {model.__tablename__} IN SHARE ROW EXCLUSIVE MODE"))
