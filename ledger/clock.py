"""The one clock: the moment now (UTC, aware) and today's date where the books are kept.

Dutch organisations keep their books by the Dutch calendar: a transfer made at 00:30 on
1 January in Amsterdam belongs to the new year, though it is still 31 December in UTC.
Everything that asks "what day is it" asks here, so tests and jobs agree with the pages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """This moment, in UTC (timestamps are stored as ``_at`` columns, aware and in UTC)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the Netherlands."""
    return datetime.now(AMSTERDAM).date()
