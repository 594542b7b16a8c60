"""Reading the insurance forms' own parts: the declared exposure and the table of rate tiers.

Built on ``app.form_input`` (the one way forms are read): each reader raises
``ValidationFailed`` naming its field, so the page shows the reason there.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from app.form_input import figure, text
from ledger.errors import ValidationFailed, message
from purchasing.rating import MEASURED_FIGURE, Basis, Exposure

TIER_ROWS = 4
# Each limit keeps a figure inside its column, so an overlong one is refused in words, not by
# the database: money NUMERIC(12, 2); percentages (5, 2); counts (10, 2); a share of one
# (5, 4); a rate (12, 6).
MONEY_BELOW = Decimal(10) ** 10
PERCENT_BELOW = Decimal(1000)
COUNT_BELOW = Decimal(10) ** 8
SHARE_BELOW = Decimal(10)
RATE_BELOW = Decimal(10) ** 6


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
        if not (text(form, threshold_name) or text(form, rate_name)):
            continue
        if not text(form, rate_name):
            raise ValidationFailed(message("Vul bij deze trede een tarief in."), field=rate_name)
        rows.append((figure(form, threshold_name), figure(form, rate_name, below=RATE_BELOW)))
    if not rows:
        raise ValidationFailed(
            message("Vul minstens één tarief in, vanaf drempel 0."), field="tier_rate_0"
        )
    return rows
