"""Accounting periods: closing one freezes everything dated inside it; only an owner may.

The acting person's role in the organisation is passed in (as the role's name, ``"owner"``):
the ledger knows nothing of memberships, but it decides itself who may close and reopen.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ledger.audit import record_change
from ledger.errors import NotFound, NotPermitted, ValidationFailed, message
from ledger.fiscal_year import fiscal_year_of, fiscal_year_start_month
from ledger.models import Account, AccountingPeriod, Transaction
from ledger.turns import take_turns_on

OWNER = "owner"
AHEAD_OF_TODAY = message("Je kunt de boeken afsluiten tot en met vandaag, niet verder.")


def close_period(
    session: Session, starts_on: date, ends_on: date, actor_id: int | None, *, role: str
) -> int:
    """Close the period from ``starts_on`` to ``ends_on`` (made if new); returns its id."""
    require_owner(role)
    _take_turns(session)
    if ends_on < starts_on:
        raise ValidationFailed(message("Een periode eindigt niet voor ze begint."), field="ends_on")
    period = session.scalar(
        select(AccountingPeriod)
        .where(AccountingPeriod.starts_on == starts_on, AccountingPeriod.ends_on == ends_on)
        .with_for_update()
    )
    if period is None:
        _refuse_overlap(session, starts_on, ends_on)
        period_id = _close(session, None, starts_on, ends_on, actor_id)
    elif period.closed_at is not None:
        raise ValidationFailed(message("Deze periode is al afgesloten."))
    else:
        period_id = _close(session, period, starts_on, ends_on, actor_id)
    session.flush()
    return period_id


def close_through(
    session: Session, through: date, actor_id: int | None, *, role: str, today: date
) -> list[int]:
    """Close everything dated on or before ``through``: the open periods that end by then, and
    the uncovered stretches, one period per fiscal year. Returns the ids closed now.

    ``through`` may not lie after ``today``: what is still to be booked cannot be locked yet,
    and a slip of the year (31-12-2027 for 31-12-2026) would lock a year ahead. A period that
    runs past ``through`` is refused rather than split: its owner chose its bounds, so they
    close or reopen it whole.
    """
    require_owner(role)
    if through > today:
        raise ValidationFailed(AHEAD_OF_TODAY, field="through")
    _take_turns(session)
    periods = list(
        session.scalars(
            select(AccountingPeriod)
            .where(AccountingPeriod.starts_on <= through)
            .order_by(AccountingPeriod.starts_on)
            .with_for_update()
        )
    )
    straddling = next((p for p in periods if p.ends_on > through), None)
    if straddling is not None:
        raise ValidationFailed(
            message(
                "De periode %(start)s – %(end)s loopt door na %(date)s; sluit die in zijn geheel."
            ),
            field="through",
            start=straddling.starts_on,
            end=straddling.ends_on,
            date=through,
        )
    closed = [
        _close(session, p, p.starts_on, p.ends_on, actor_id) for p in periods if p.closed_at is None
    ]
    start_month = fiscal_year_start_month(session)
    for start, end in uncovered(periods, first_day(session, start_month, through), through):
        for piece_start, piece_end in split_by_fiscal_year(start, end, start_month):
            closed.append(_close(session, None, piece_start, piece_end, actor_id))
    if not closed:
        raise ValidationFailed(
            message("Alles tot en met %(date)s is al afgesloten."),
            field="through",
            date=through,
        )
    session.flush()
    return closed


def reopen_period(session: Session, period_id: int, actor_id: int | None, *, role: str) -> None:
    """Open a closed period again (an owner's decision, kept in the audit trail)."""
    require_owner(role)
    _take_turns(session)
    period = session.get(AccountingPeriod, period_id, with_for_update=True)
    if period is None:
        raise NotFound(message("Periode %(id)s bestaat niet."), id=period_id)
    if period.closed_at is None:
        raise ValidationFailed(message("Deze periode is niet afgesloten."))
    before = _state(period)
    period.closed_at = None
    period.closed_by = None
    record_change(
        session, actor_id, "reopen", "period", period_id, before=before, after=_state(period)
    )
    session.flush()


def _take_turns(session: Session) -> None:
    """Wait for any other change of this book's periods to end, until this transaction ends.

    Two owners closing at the same moment would otherwise both find the same days uncovered
    (a row lock cannot lock rows that do not exist yet) and both close them; in turns, the
    second sees the first's periods and is told what is already closed. The table's mode
    conflicts only with itself and with writes to the periods: postings, which read them,
    go on. The exclusion constraint ``ex_accounting_periods_overlap`` is the last line.
    """
    take_turns_on(session, AccountingPeriod)


def require_owner(role: str) -> None:
    """Refuse anyone but an owner of the organisation."""
    if role != OWNER:
        raise NotPermitted(message("Alleen een eigenaar kan een periode afsluiten of heropenen."))


def split_by_fiscal_year(start: date, end: date, start_month: int) -> list[tuple[date, date]]:
    """``start`` to ``end`` cut at every fiscal year boundary, in order."""
    pieces = []
    while start <= end:
        _, year_end = fiscal_year_of(start, start_month)
        pieces.append((start, min(year_end, end)))
        start = year_end + timedelta(days=1)
    return pieces


def _close(
    session: Session,
    period: AccountingPeriod | None,
    starts_on: date,
    ends_on: date,
    actor_id: int | None,
) -> int:
    """Close one period (a new one when ``period`` is None) and record before and after."""
    now = datetime.now(UTC)
    if period is None:
        before: dict[str, Any] = {
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "closed_at": None,
            "closed_by": None,
        }
        period_id = session.scalar(
            insert(AccountingPeriod)
            .values(starts_on=starts_on, ends_on=ends_on, closed_at=now, closed_by=actor_id)
            .returning(AccountingPeriod.id)
        )
        assert period_id is not None
        after = {**before, "closed_at": now.isoformat(), "closed_by": actor_id}
    else:
        before = _state(period)
        period.closed_at = now
        period.closed_by = actor_id
        period_id = period.id
        after = _state(period)
    record_change(session, actor_id, "close", "period", period_id, before=before, after=after)
    return int(period_id)


def _state(period: AccountingPeriod) -> dict[str, Any]:
    return {
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
        "closed_at": period.closed_at.isoformat() if period.closed_at else None,
        "closed_by": period.closed_by,
    }


def _refuse_overlap(session: Session, starts_on: date, ends_on: date) -> None:
    overlap = session.scalar(
        select(AccountingPeriod.id).where(
            AccountingPeriod.starts_on <= ends_on, AccountingPeriod.ends_on >= starts_on
        )
    )
    if overlap is not None:
        raise ValidationFailed(message("Deze periode overlapt een bestaande periode."))


def first_day(session: Session, start_month: int, fallback: date) -> date:
    """The first day of the fiscal year of the book's earliest account or transaction."""
    earliest = [
        session.scalar(select(func.min(Account.opened_on))),
        session.scalar(select(func.min(Transaction.date))),
        fallback,
    ]
    return fiscal_year_of(min(day for day in earliest if day is not None), start_month)[0]


def uncovered(periods: list[AccountingPeriod], start: date, end: date) -> list[tuple[date, date]]:
    """The stretches of ``start``..``end`` that no period covers (periods sorted by start)."""
    gaps = []
    cursor = start
    for period in periods:
        if period.starts_on > cursor:
            gaps.append((cursor, min(period.starts_on - timedelta(days=1), end)))
        cursor = max(cursor, period.ends_on + timedelta(days=1))
    if cursor <= end:
        gaps.append((cursor, end))
    return [(a, b) for a, b in gaps if a <= b]
