"""The fiscal year: whole months, starting in January unless the organisation says otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.fiscal_year import fiscal_year_of


@pytest.mark.parametrize(
    ("day", "start_month", "expected"),
    [
        (date(2026, 11, 27), 1, (date(2026, 1, 1), date(2026, 12, 31))),
        (date(2026, 11, 27), 7, (date(2026, 7, 1), date(2027, 6, 30))),
        (date(2026, 3, 1), 7, (date(2025, 7, 1), date(2026, 6, 30))),
        (date(2024, 2, 29), 3, (date(2023, 3, 1), date(2024, 2, 29))),
    ],
)
def test_the_fiscal_year_holding_a_day_runs_from_its_start_month_for_twelve_months(
    day, start_month, expected
):
    assert fiscal_year_of(day, start_month) == expected
