"""A typed day: day first as in the Netherlands, in the ways people write it; nothing else."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.days import EARLIEST_DAY, LATEST_DAY, parse_day

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
