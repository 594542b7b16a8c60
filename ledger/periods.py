"""Accounting periods: closing one freezes everything dated inside it; only an owner may."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ledger.audit import record_change
from ledger.errors import NotFound, NotPermitted, ValidationFailed, message
from ledger.models import AccountingPeriod


def close_period(
    session: Session, starts_on: date, ends_on: date, actor_id: int | None, *, is_owner: bool
) -> int:
    """Close the period from ``starts_on`` to ``ends_on`` (made if new); returns its id. Commits."""
    _require_owner(is_owner)
    if ends_on < starts_on:
        raise ValidationFailed(message("een periode eindigt niet voor ze begint"), field="ends_on")
    period = session.scalar(
        select(AccountingPeriod)
        .where(AccountingPeriod.starts_on == starts_on, AccountingPeriod.ends_on == ends_on)
        .with_for_update()
    )
    if period is None:
        overlap = session.scalar(
            select(AccountingPeriod.id).where(
                AccountingPeriod.starts_on <= ends_on, AccountingPeriod.ends_on >= starts_on
            )
        )
        if overlap is not None:
            raise ValidationFailed(message("deze periode overlapt een bestaande periode"))
        period_id = session.scalar(
            insert(AccountingPeriod)
            .values(starts_on=starts_on, ends_on=ends_on)
            .returning(AccountingPeriod.id)
        )
    else:
        period_id = period.id
    assert period_id is not None
    now = datetime.now(UTC)
    session.execute(
        update(AccountingPeriod)
        .where(AccountingPeriod.id == period_id)
        .values(closed_at=now, closed_by=actor_id)
    )
    after = {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "closed": True}
    record_change(session, actor_id, "close", "period", period_id, after=after)
    session.commit()
    return int(period_id)


def reopen_period(
    session: Session, period_id: int, actor_id: int | None, *, is_owner: bool
) -> None:
    """Open a closed period again (an owner's decision, kept in the audit trail). Commits."""
    _require_owner(is_owner)
    period = session.get(AccountingPeriod, period_id, with_for_update=True)
    if period is None:
        raise NotFound(message("periode %(id)s bestaat niet"), id=period_id)
    before = {"closed_at": period.closed_at.isoformat() if period.closed_at else None}
    period.closed_at = None
    period.closed_by = None
    record_change(
        session, actor_id, "reopen", "period", period_id, before=before, after={"closed": False}
    )
    session.commit()


def _require_owner(is_owner: bool) -> None:
    if not is_owner:
        raise NotPermitted(message("alleen een eigenaar kan een periode afsluiten of heropenen"))
