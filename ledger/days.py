"""The days the books accept, and a day as a person types it.

The books accept days from 1900 up to and including 2199. No organisation's records go back
further, and none are planned further ahead. Far dates such as 0001-01-01 or 9999-12-31 are
refused where they are typed, so no report needs to reach a year before 1 or after 9999 when
it looks a year back or a day ahead.

A day is typed day first, as in the Netherlands: ``31-12-2026``. The form fields are plain text,
not the browser's date picker, whose format follows the browser's language (``12/31/2026`` in
an English browser, where ``01/02/2026`` means the second of January). ``parse_day`` is the one
reader of a typed day.

Where a booking's day is typed (``app/entry/forms.py``), day and month alone (``6-12``) name
that day this year, unless it is more than three months ahead of today: then it is last year's.
In January, when December is booked, ``28-12`` is the December just past, not one almost a year
ahead; in December, ``1-1`` is this year's first day. A day further ahead needs its year typed,
and so does every other day (a report's period, a policy's start), where the year a person
means may as well lie ahead.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ledger.errors import message

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)

# Longer than any way of writing a day; a longer text is not read at all.
LONGEST_DAY_TEXT = 20
# Day, month and year apart: dashes as written in Dutch, slashes or dots as some write them,
# a comma or a space as a phone's number pad offers them.
_DAY_FIRST = re.compile(r"(\d{1,2})\s*[-/., ]\s*(\d{1,2})\s*[-/., ]\s*(\d{4}|\d{2})", re.ASCII)
# Day and month alone: ``6-12``, ``06/12``.
_DAY_AND_MONTH = re.compile(r"(\d{1,2})\s*[-/., ]\s*(\d{1,2})", re.ASCII)
# How far ahead of today a day typed without its year may be: further, it is last year's.
AHEAD_AT_MOST = timedelta(days=92)
# Without separators: ``31122026`` or ``311226``.
_DIGITS_ONLY = re.compile(r"(\d{2})(\d{2})(\d{4}|\d{2})", re.ASCII)
# What links and older forms send: ``2026-12-31``.
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
# What a field that holds no day says; the example is the format people see in the field.
DAY_EXPECTED = message("Vul een datum in als 31-12-2026.")
# A two-digit year: 00 to 68 is this century, 69 to 99 the last (as ``strptime``'s ``%y``).
_CENTURY_TURNS_AT = 69


def is_plausible_day(day: date) -> bool:
    """True for a day the books accept (``EARLIEST_DAY`` to ``LATEST_DAY``)."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def parse_day(text: str, today: date | None = None) -> date | None:
    """The day ``text`` names, day first (``31-12-2026``, ``31/12/26``, ``31122026``) or as
    ``2026-12-31``; with ``today`` given, also day and month alone (``6-12``: this year's, or
    last year's when this year's is more than three months ahead). None for anything else, a
    day that does not exist, or one the books do not accept."""
    typed = text.strip()
    if len(typed) > LONGEST_DAY_TEXT:
        return None
    if found := _ISO.fullmatch(typed):
        year, month, day = (int(part) for part in found.groups())
    elif found := _DAY_FIRST.fullmatch(typed) or _DIGITS_ONLY.fullmatch(typed):
        day, month = int(found[1]), int(found[2])
        year = _full_year(found[3])
    elif today is not None and (found := _DAY_AND_MONTH.fullmatch(typed)):
        return _this_or_last_year(int(found[1]), int(found[2]), today)
    else:
        return None
    try:
        chosen = date(year, month, day)
    except ValueError:
        return None
    return chosen if is_plausible_day(chosen) else None


def _this_or_last_year(day: int, month: int, today: date) -> date | None:
    """``day``-``month`` of this year, or of last year when this year's is more than
    ``AHEAD_AT_MOST`` ahead of ``today``; None when this year has no such day (the 29th of
    February): a guess two years back would be a surprise, and the full day is quickly typed."""
    try:
        chosen = date(today.year, month, day)
    except ValueError:
        return None
    if chosen - today > AHEAD_AT_MOST:
        try:
            chosen = date(today.year - 1, month, day)
        except ValueError:
            return None
    return chosen if is_plausible_day(chosen) else None


def _full_year(typed: str) -> int:
    year = int(typed)
    if len(typed) == 4:
        return year
    return year + (1900 if year >= _CENTURY_TURNS_AT else 2000)
