"""Report periods: fiscal years that start in any month, and the presets of the period picker."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.reports.periods import Period, fiscal_year, period_presets, year_to_date


@pytest.mark.parametrize(
    ("day", "start_month", "expected"),
    [
        (date(2026, 12, 2), 1, Period(date(2026, 1, 1), date(2026, 12, 31))),
        (date(2026, 12, 2), 7, Period(date(2026, 7, 1), date(2027, 6, 30))),
        (date(2026, 3, 15), 7, Period(date(2025, 7, 1), date(2026, 6, 30))),
        (date(2024, 2, 29), 3, Period(date(2023, 3, 1), date(2024, 2, 29))),
    ],
)
def test_the_fiscal_year_holding_a_day_starts_in_its_month(
    day: date, start_month: int, expected: Period
) -> None:
    assert fiscal_year(day, start_month) == expected
    assert year_to_date(day, start_month) == Period(expected.start, day)


def test_the_presets_of_a_july_fiscal_year_count_quarters_from_july() -> None:
    presets = dict(period_presets(date(2026, 12, 2), 7))

    assert presets == {
        "this-year": Period(date(2026, 7, 1), date(2027, 6, 30)),
        "last-year": Period(date(2025, 7, 1), date(2026, 6, 30)),
        "this-quarter": Period(date(2026, 10, 1), date(2026, 12, 31)),
        "last-quarter": Period(date(2026, 7, 1), date(2026, 9, 30)),
        "this-month": Period(date(2026, 12, 1), date(2026, 12, 31)),
        "last-month": Period(date(2026, 11, 1), date(2026, 11, 30)),
    }


def test_the_first_quarter_of_a_year_compares_with_the_last_of_the_year_before() -> None:
    presets = dict(period_presets(date(2027, 1, 10), 1))

    assert presets["this-quarter"] == Period(date(2027, 1, 1), date(2027, 3, 31))
    assert presets["last-quarter"] == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert presets["last-month"] == Period(date(2026, 12, 1), date(2026, 12, 31))
