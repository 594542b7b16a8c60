"""Report periods: inclusive date ranges, and the period before one to compare with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Period:
    """From the start of ``start`` to the end of ``end`` (both days included)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends before it starts: {self.start} to {self.end}")


def year_to_date(day: date) -> Period:
    """The calendar year of ``day`` up to and including ``day`` (the default fiscal year)."""
    return Period(day.replace(month=1, day=1), day)


def previous_period(period: Period) -> Period:
    """The period just before ``period`` to compare with.

    Whole months shift by their number of months (a year compares with the year before, a
    quarter with the quarter before); a part of a year from the first of a month (the year to
    date) compares with the same days a year earlier; any other range shifts by its length.
    """
    months = _whole_months(period)
    if months is not None:
        start = _add_months(period.start, -months)
        return Period(start, period.start - timedelta(days=1))
    if period.start.day == 1 and period.end < _add_months(period.start, 12):
        # The end is not the last day of a month, so it is never 29 February.
        return Period(
            period.start.replace(year=period.start.year - 1),
            period.end.replace(year=period.end.year - 1),
        )
    length = period.end - period.start + timedelta(days=1)
    return Period(period.start - length, period.end - length)


def _whole_months(period: Period) -> int | None:
    if period.start.day != 1 or (period.end + timedelta(days=1)).day != 1:
        return None
    after = period.end + timedelta(days=1)
    return (after.year - period.start.year) * 12 + after.month - period.start.month


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
