"""The accounting periods as the owner sees them: every fiscal year so far, closed or open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.fiscal_year import fiscal_year_of, fiscal_year_start_month
from ledger.models import AccountingPeriod, Transaction
from ledger.periods import first_day, split_by_fiscal_year, uncovered


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """One period; ``id`` is None for a fiscal year nobody closed yet (nothing is stored)."""

    id: int | None
    starts_on: date
    ends_on: date
    closed_at: datetime | None
    closed_by: int | None
    transaction_count: int

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


def period_overview(session: Session, today: date) -> list[PeriodRow]:
    """The stored periods and the open fiscal years around them, up to the current fiscal year,
    newest first: the rows an owner closes or reopens."""
    start_month = fiscal_year_start_month(session)
    periods = list(session.scalars(select(AccountingPeriod).order_by(AccountingPeriod.starts_on)))
    last_day = max([fiscal_year_of(today, start_month)[1], *(p.ends_on for p in periods)])
    rows: list[tuple[int | None, date, date, datetime | None, int | None]] = [
        (p.id, p.starts_on, p.ends_on, p.closed_at, p.closed_by) for p in periods
    ]
    for start, end in uncovered(periods, first_day(session, start_month, today), last_day):
        rows.extend(
            (None, a, b, None, None) for a, b in split_by_fiscal_year(start, end, start_month)
        )
    rows.sort(key=lambda row: row[1], reverse=True)
    return [PeriodRow(*row, transaction_count=_count(session, row[1], row[2])) for row in rows]


def _count(session: Session, starts_on: date, ends_on: date) -> int:
    return (
        session.scalar(
            select(func.count()).where(Transaction.date >= starts_on, Transaction.date <= ends_on)
        )
        or 0
    )
