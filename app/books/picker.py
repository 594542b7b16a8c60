"""The period picker: the period asked for, else the fiscal year, and the usual presets."""

from __future__ import annotations

from app.books.params import date_arg
from app.extensions import db
from app.i18n import word as _
from ledger.clock import today
from ledger.errors import ValidationFailed
from ledger.fiscal_year import fiscal_year_start_month
from ledger.reports.catalogue import PERIOD_REVERSED
from ledger.reports.periods import Period, fiscal_year, period_presets


def start_month() -> int:
    """The month the organisation's fiscal year starts in."""
    return fiscal_year_start_month(db.session())


def period_arg() -> Period:
    """The period in ``from`` and ``to``, else the whole current fiscal year; refused if it ends
    before it starts."""
    start, end = date_arg("from"), date_arg("to")
    default = fiscal_year(start or end or today(), start_month())
    period_start = start or default.start
    period_end = end or default.end
    if period_end < period_start:
        raise ValidationFailed(PERIOD_REVERSED)
    return Period(period_start, period_end)


def presets(month: int | None = None) -> list[tuple[str, Period]]:
    """The preset periods as (name in words, period), this fiscal year first; ``month`` is the
    fiscal year's first (``start_month``), read unless the caller has it."""
    first = start_month() if month is None else month
    names = _preset_names()
    return [(names[key], period) for key, period in period_presets(today(), first)]


def _preset_names() -> dict[str, str]:
    """The presets' names in the reader's language (``i18n.word``: no lazy strings to resolve)."""
    return {
        "this-year": _("Dit boekjaar"),
        "last-year": _("Vorig boekjaar"),
        "this-quarter": _("Dit kwartaal"),
        "last-quarter": _("Vorig kwartaal"),
        "this-month": _("Deze maand"),
        "last-month": _("Vorige maand"),
    }
