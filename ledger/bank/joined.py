"""Running use cases that commit inside a larger transaction: their commit is a savepoint."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def joined(session: Session) -> Iterator[Session]:
    """A session on ``session``'s connection and transaction, whose commits release savepoints.

    Booking a bank line is several use cases (post the transaction, settle the invoice) that
    each commit when called on their own; run on this session they become one database
    transaction that ``session`` commits or rolls back whole. The connection keeps its tenant
    binding (``SET LOCAL`` and the translate map live on the connection's transaction).
    """
    session.flush()
    work = Session(
        bind=session.connection(),
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )
    try:
        yield work
    finally:
        work.close()
