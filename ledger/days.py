"""The days the books accept: from 1900 up to and including 2199.

No organisation's records go back further, and none are planned further ahead. Far dates such
as 0001-01-01 or 9999-12-31 are refused where they are typed, so no report needs to reach a
year before 1 or after 9999 when it looks a year back or a day ahead.
"""

from __future__ import annotations

from datetime import date

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)


def is_plausible_day(day: date) -> bool:
    """True for a day the books accept (``EARLIEST_DAY`` to ``LATEST_DAY``)."""
    return EARLIEST_DAY <= day <= LATEST_DAY
