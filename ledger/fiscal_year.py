"""The book's fiscal year: the month it starts in (January unless the organisation says so).

Kept as a book option next to Beancount's own; the export writes only the options Beancount
knows, so this one never reaches a ``.beancount`` file. Whole months keep the year aligned
with the monthly balance buckets.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ledger.audit import record_change
from ledger.errors import ValidationFailed, message
from ledger.models import BookOption
from ledger.statements import read

OPTION = "fiscal_year_start_month"


def fiscal_year_start_month(session: Session) -> int:
    return start_month_of(read(session, _START_MONTH).scalar())


def start_month_of(value: Any) -> int:
    """The fiscal year's first month from the option's stored value (None when never set)."""
    return int(value) if value else 1


# Built once: the dashboard and every report with a period picker read it. A caller may put it
# in a statement of its own as a scalar subquery, and read the value with ``start_month_of``.
_START_MONTH = select(BookOption.value).where(BookOption.name == OPTION)
START_MONTH_VALUE = _START_MONTH.scalar_subquery()


def set_fiscal_year_start_month(session: Session, month: int, actor_id: int | None) -> None:
    """Let the fiscal year start on the first of ``month``."""
    if not 1 <= month <= 12:
        raise ValidationFailed(message("Kies een maand van 1 tot en met 12."), field="month")
    before = fiscal_year_start_month(session)
    statement = pg_insert(BookOption).values(name=OPTION, value=month)
    session.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"value": month}))
    record_change(
        session,
        actor_id,
        "set",
        "book_option",
        None,
        before={OPTION: before},
        after={OPTION: month},
    )
    session.flush()


def fiscal_year_of(day: date, start_month: int) -> tuple[date, date]:
    """The first and last day of the fiscal year that holds ``day``."""
    year = day.year if day.month >= start_month else day.year - 1
    start = date(year, start_month, 1)
    next_start = date(year + 1, start_month, 1)
    return start, date.fromordinal(next_start.toordinal() - 1)
