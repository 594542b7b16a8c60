"""Job functions: thin, take ids, open their own tenant-bound session, safe to run twice."""

from __future__ import annotations

from sqlalchemy import func, select

from ledger.models.accounts import Account
from tenants.unit_of_work import unit_of_work
from workers import runtime


def count_accounts(organisation_id: int) -> int:
    """How many accounts one organisation's chart has; a read-only health check of its schema.

    Binding checks the schema's marker, so a job for a missing or mismatched schema fails
    instead of answering from someone else's books.
    """
    with unit_of_work(runtime.engine(), organisation_id) as session:
        return session.scalar(select(func.count()).select_from(Account)) or 0
