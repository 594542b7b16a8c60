"""Reading report parameters from the query string: days and page cursors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import abort, request

from app.input_limits import LARGEST_ID

# Kept importable from here for pages not yet moved to ``ledger.clock`` (the one clock).
from ledger.clock import today as today
from ledger.days import LONGEST_DAY_TEXT, is_plausible_day, parse_day
from ledger.errors import ValidationFailed, message

Cursor = tuple[date, int]


def date_arg(name: str, values: Mapping[str, str] | None = None) -> date | None:
    """An optional day, typed day first (``31-12-2026``) or as a link writes it (``2026-12-31``);
    a text that is no day the books accept (``ledger.days``) is refused with what was typed."""
    value = (request.args if values is None else values).get(name, "").strip()
    if not value:
        return None
    day = parse_day(value)
    if day is None:
        shown = value[:LONGEST_DAY_TEXT]
        text = message("Dit is geen datum: ‘%(typed)s’. Vul een datum in als 31-12-2026.")
        raise ValidationFailed(text, typed=shown)
    return day


def text_arg(name: str) -> str | None:
    return request.args.get(name, "").strip() or None


def cursor_arg(name: str) -> Cursor | None:
    """A page key ``YYYY-MM-DD_ID`` as written by ``cursor_text``; 400 if malformed."""
    value = request.args.get(name, "")
    if not value:
        return None
    day, _sep, key = value.partition("_")
    try:
        cursor = date.fromisoformat(day), int(key)
    except ValueError:
        abort(400)
    if not is_plausible_day(cursor[0]) or not 0 <= cursor[1] <= LARGEST_ID:
        abort(400)
    return cursor


def cursor_text(cursor: Cursor | None) -> str | None:
    return None if cursor is None else f"{cursor[0].isoformat()}_{cursor[1]}"


def wants_csv() -> bool:
    return request.args.get("format") == "csv"
