"""The releases planned from one deferral account: what is still to fall free, and what has.

A treasurer reads a prepaid cost or an amount invoiced in advance as "what moves into the
result when"; the schedule is stored (``ledger.releases``) and this reads it for the account
page. Cancelled releases (offset by a credit note) are left out: together they release nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ledger.models import Release, Transaction


@dataclass(frozen=True, slots=True)
class PlannedRelease:
    """One month's release: ``amount`` (as a positive number) moves into ``into`` on ``due_on``."""

    due_on: date
    amount: Decimal
    currency: str
    into: str
    link: str | None
    narration: str
    posted_on: date | None
    last_error: str | None


def planned_releases(session: Session, account: str, since: date) -> list[PlannedRelease]:
    """The releases from ``account`` due on or after ``since``, and any earlier not yet posted."""
    rows = session.execute(
        select(Release, Transaction.date)
        .outerjoin(Transaction, Transaction.id == Release.transaction_id)
        .where(
            Release.account == account,
            Release.cancelled_by.is_(None),
            or_(Release.due_on >= since, Release.transaction_id.is_(None)),
        )
        .order_by(Release.due_on, Release.id)
    )
    return [
        PlannedRelease(
            due_on=release.due_on,
            amount=abs(release.amount),
            currency=release.currency,
            into=release.into,
            link=release.link,
            narration=release.narration,
            posted_on=posted_on,
            last_error=release.last_error,
        )
        for release, posted_on in rows
    ]
