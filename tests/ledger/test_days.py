"""A typed day: day first as in the Netherlands, in the ways people write it; nothing else."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.days import AHEAD_AT_MOST, EARLIEST_DAY, LATEST_DAY, parse_day

plausible_days = st.dates(min_value=EARLIEST_DAY, max_value=LATEST_DAY)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31-12-2026", date(2026, 12, 31)),
        ("1-2-2026", date(2026, 2, 1)),  # the first of February, never the second of January
        ("01/02/2026", date(2026, 2, 1)),
        ("1.2.2026", date(2026, 2, 1)),
        ("1,2,2026", date(2026, 2, 1)),  # a phone's number pad offers a comma
        ("1 2 2026", date(2026, 2, 1)),
        (" 01 - 02 - 2026 ", date(2026, 2, 1)),
        ("01022026", date(2026, 2, 1)),
        ("010226", date(2026, 2, 1)),
        ("1-2-26", date(2026, 2, 1)),
        ("1-2-68", date(2068, 2, 1)),
        ("1-2-69", date(1969, 2, 1)),
        ("29-02-2028", date(2028, 2, 29)),
        ("2026-12-31", date(2026, 12, 31)),  # what links and bookmarks carry
        ("2026-2-1", date(2026, 2, 1)),
    ],
)
def test_a_day_is_read_day_first_however_it_is_separated(typed: str, expected: date) -> None:
    assert parse_day(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "morgen",
        "31-02-2026",  # no such day
        "29-02-2027",
        "00-01-2026",
        "32-01-2026",
        "01-13-2026",
        "12/31/2026",  # an American month first: refused, not read as another day
        "2026-13-01",
        "2026/12/31",
        "31-12-2026 12:00",
        "31-12-202",
        "3-12-20266",
        "1-1-1899",  # before the books' first day
        "1-1-2200",
        "0001-01-01",
        "9999-12-31",
        "31-12--2026",
        "31--12-2026",
        "٣١-١٢-٢٠٢٦",  # digits of another script
        "１-２-２０２６",
        "1" * 21,
        "31-12-2026\x00",
    ],
)
def test_anything_else_is_not_a_day(typed: str) -> None:
    assert parse_day(typed) is None


@given(plausible_days)
def test_every_day_the_books_accept_reads_back_as_written_in_dutch(day: date) -> None:
    assert parse_day(day.strftime("%d-%m-%Y")) == day
    assert parse_day(f"{day.day}-{day.month}-{day.year}") == day
    assert parse_day(day.strftime("%d%m%Y")) == day
    assert parse_day(day.isoformat()) == day


@pytest.mark.parametrize(
    ("typed", "today", "expected"),
    [
        ("6-12", date(2026, 12, 5), date(2026, 12, 6)),
        ("06/12", date(2026, 12, 5), date(2026, 12, 6)),
        (" 6 . 12 ", date(2026, 12, 5), date(2026, 12, 6)),
        ("6-12", date(2026, 6, 1), date(2025, 12, 6)),  # in June: the December just past
        ("1-1", date(2026, 12, 7), date(2026, 1, 1)),  # this year's first day, not next year's
        ("28-12", date(2027, 1, 5), date(2026, 12, 28)),  # booking December in January
        ("28-12", date(2027, 3, 31), date(2026, 12, 28)),
        ("5-3", date(2026, 12, 5), date(2026, 3, 5)),
        ("3-3", date(2026, 1, 1), date(2026, 3, 3)),  # 61 days ahead: this year's
        ("3-4", date(2026, 1, 1), date(2026, 4, 3)),  # 92 days ahead: still this year's
        ("4-4", date(2026, 1, 1), date(2025, 4, 4)),  # 93 days ahead: last year's
        ("29-2", date(2028, 3, 5), date(2028, 2, 29)),
    ],
)
def test_day_and_month_alone_are_this_years_unless_far_ahead(
    typed: str, today: date, expected: date
) -> None:
    assert parse_day(typed, today) == expected


@pytest.mark.parametrize("typed", ["6-12", "28-12", "1-1"])
def test_day_and_month_alone_are_no_day_without_today(typed: str) -> None:
    assert parse_day(typed) is None


@pytest.mark.parametrize("typed", ["29-2", "31-4", "0-1", "1-0", "32-1", "1-13", "6--12", "612"])
def test_day_and_month_alone_that_name_no_day_are_refused(typed: str) -> None:
    assert parse_day(typed, date(2026, 12, 5)) is None


def test_the_29th_of_february_is_not_guessed_from_a_year_that_has_none() -> None:
    # 2029 has none; 2028's would be a day almost two years back.
    assert parse_day("29-2", date(2029, 12, 20)) is None
    assert parse_day("29-2", date(2029, 1, 10)) is None
    assert parse_day("29-2", date(2028, 1, 10)) == date(2028, 2, 29)  # 50 days ahead


@given(plausible_days, st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 9, 30)))
def test_day_and_month_alone_name_that_day_at_most_three_months_ahead_and_within_a_year(
    day: date, today: date
) -> None:
    found = parse_day(f"{day.day}-{day.month}", today)
    if found is None:
        assert (day.month, day.day) == (2, 29)
        return
    assert (found.month, found.day) == (day.month, day.day)
    assert found - today <= AHEAD_AT_MOST
    if found.year == today.year - 1:  # last year's only when this year's is too far ahead
        assert date(today.year, day.month, day.day) - today > AHEAD_AT_MOST
    else:
        assert found.year == today.year
