"""Reading what people type into the insurance forms: figures, days, exposure and rate tiers.

Each reader raises ``ValidationFailed`` naming its field, so the page shows the reason there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from app.input_limits import whole_number as limited_whole_number
from ledger.amounts import MAX_AMOUNT, parse_amount
from ledger.days import is_plausible_day
from ledger.errors import ValidationFailed, message
from purchasing.rating import MEASURED_FIGURE, Basis, Exposure

ZERO = Decimal(0)
TIER_ROWS = 4
# Each limit keeps a figure inside its column, so an overlong one is refused in words, not by
# the database: money NUMERIC(12, 2); percentages (5, 2); counts (10, 2); a share of one
# (5, 4); a rate (12, 6).
MONEY_BELOW = Decimal(10) ** 10
PERCENT_BELOW = Decimal(1000)
COUNT_BELOW = Decimal(10) ** 8
SHARE_BELOW = Decimal(10)
RATE_BELOW = Decimal(10) ** 6


def figure(
    form: Mapping[str, str],
    name: str,
    *,
    places: int | None = None,
    below: Decimal = MAX_AMOUNT,
) -> Decimal:
    """A number typed in Dutch or plain notation, within ``below``; an empty field is zero."""
    text = form.get(name, "").strip()
    return parse_amount(text, field=name, max_places=places, below=below) if text else ZERO


def day(form: Mapping[str, str], name: str, default: date | None = None) -> date:
    """A ``YYYY-MM-DD`` day (what ``<input type=date>`` sends), or ``default`` when empty."""
    text = form.get(name, "").strip()
    if not text and default is not None:
        return default
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(message("Vul een geldige datum in."), field=name) from None
    if not is_plausible_day(found):
        raise ValidationFailed(message("Vul een geldige datum in."), field=name)
    return found


def whole_number(form: Mapping[str, str], name: str, default: int) -> int:
    text = form.get(name, "").strip()
    if not text:
        return default
    number = limited_whole_number(text)
    if number is None:
        raise ValidationFailed(message("Vul een heel getal in."), field=name)
    return number


def exposure(form: Mapping[str, str]) -> Exposure:
    """The figures a member declares; only those its pool's basis prices need filling in."""
    return Exposure(
        employees=figure(form, "employees", below=COUNT_BELOW),
        fte=figure(form, "fte", below=COUNT_BELOW),
        payroll=figure(form, "payroll", places=2),
        volunteers=figure(form, "volunteers", places=0, below=COUNT_BELOW),
        turnover=figure(form, "turnover", places=2),
    )


def measured_field(basis: Basis) -> str | None:
    """The one form field a basis prices (``None`` for a flat premium)."""
    return MEASURED_FIGURE.get(basis)


def tiers(form: Mapping[str, str]) -> list[tuple[Decimal, Decimal]]:
    """The filled rows of the tier table, as (threshold, rate); a row needs both."""
    rows = []
    for index in range(TIER_ROWS):
        threshold_name, rate_name = f"tier_threshold_{index}", f"tier_rate_{index}"
        if not (form.get(threshold_name, "").strip() or form.get(rate_name, "").strip()):
            continue
        if not form.get(rate_name, "").strip():
            raise ValidationFailed(message("Vul bij deze trede een tarief in."), field=rate_name)
        rows.append((figure(form, threshold_name), figure(form, rate_name, below=RATE_BELOW)))
    if not rows:
        raise ValidationFailed(
            message("Vul minstens één tarief in, vanaf drempel 0."), field="tier_rate_0"
        )
    return rows
