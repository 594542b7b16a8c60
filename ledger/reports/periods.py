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


def year_to_date(day: date, start_month: int = 1) -> Period:
    """The fiscal year of ``day`` (starting on the first of ``start_month``) up to ``day``."""
    year = day.year if day.month >= start_month else day.year - 1
    return Period(date(year, start_month, 1), day)


def fiscal_year(day: date, start_month: int = 1) -> Period:
    """The whole fiscal year (twelve months from the first of ``start_month``) holding ``day``."""
    start = year_to_date(day, start_month).start
    return Period(start, _add_months(start, 12) - timedelta(days=1))


def period_presets(today: date, start_month: int = 1) -> list[tuple[str, Period]]:
    """The periods people ask for most, by key: this and last fiscal year, quarter and month.

    Quarters are fiscal quarters: three months counted from the fiscal year's start.
    """
    year = fiscal_year(today, start_month)
    month = Period(today.replace(day=1), _add_months(today.replace(day=1), 1) - timedelta(days=1))
    quarter_index = _months_between(year.start, month.start) // 3
    quarter_start = _add_months(year.start, 3 * quarter_index)
    quarter = Period(quarter_start, _add_months(quarter_start, 3) - timedelta(days=1))
    return [
        ("this-year", year),
        ("last-year", previous_period(year)),
        ("this-quarter", quarter),
        ("last-quarter", previous_period(quarter)),
        ("this-month", month),
        ("last-month", previous_period(month)),
    ]


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


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
