"""Rating a member: lines, premium bases, declared exposure and volume tiers (pure rules)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from purchasing.errors import TermsInvalid, message
from purchasing.money import exact_product

ZERO = Decimal(0)
PERCENT = Decimal("0.01")


class Line(StrEnum):
    """Lines of collective insurance the bureau buys."""

    HEALTH = "health"
    VERZUIM = "verzuim"
    AVB = "avb"
    VOLUNTEERS = "volunteers"
    DIRECTORS = "directors"


class Basis(StrEnum):
    """What a premium is a price of; percentage bases are rated in percent of an amount."""

    PER_EMPLOYEE = "per_employee"
    PER_FTE = "per_fte"
    PAYROLL_PERCENT = "payroll_percent"
    PER_VOLUNTEER = "per_volunteer"
    FLAT = "flat"
    TURNOVER_PERCENT = "turnover_percent"

    @property
    def is_percentage(self) -> bool:
        return self in (Basis.PAYROLL_PERCENT, Basis.TURNOVER_PERCENT)

    @property
    def is_trued_up(self) -> bool:
        """Invoiced as an advance on an estimate and trued up on actual figures (naverrekening)."""
        return self.is_percentage


class TierMeasure(StrEnum):
    """What a volume tier is reached by: the pool's number of members, or its total exposure."""

    MEMBERS = "members"
    EXPOSURE = "exposure"


MEASURED_FIGURE = {
    Basis.PER_EMPLOYEE: "employees",
    Basis.PER_FTE: "fte",
    Basis.PAYROLL_PERCENT: "payroll",
    Basis.PER_VOLUNTEER: "volunteers",
    Basis.TURNOVER_PERCENT: "turnover",
}


@dataclass(frozen=True)
class Exposure:
    """What a member declares: headcount, FTE, yearly payroll, volunteers, yearly turnover."""

    employees: Decimal = ZERO
    fte: Decimal = ZERO
    payroll: Decimal = ZERO
    volunteers: Decimal = ZERO
    turnover: Decimal = ZERO

    def measure(self, basis: Basis) -> Decimal:
        """The figure ``basis`` prices: a count, FTE, an amount in euros, or 1 for flat."""
        if basis is Basis.FLAT:
            return Decimal(1)
        figure: Decimal = getattr(self, MEASURED_FIGURE[basis])
        return figure


@dataclass(frozen=True)
class Tier:
    """From ``threshold`` (members, or pool exposure) upwards, the whole pool pays ``rate``.

    ``rate`` is euros per unit per year, or percent for a percentage basis.
    """

    threshold: Decimal
    rate: Decimal


@dataclass(frozen=True)
class RateCard:
    """A policy's price list: basis, volume tiers and the yearly minimum per member."""

    basis: Basis
    tiers: tuple[Tier, ...]
    tier_measure: TierMeasure = TierMeasure.MEMBERS
    minimum_premium: Decimal = ZERO

    def __post_init__(self) -> None:
        if not any(tier.threshold == 0 for tier in self.tiers):
            raise TermsInvalid(message("Een tarief heeft een trede vanaf nul nodig."))
        if any(tier.rate < 0 or tier.threshold < 0 for tier in self.tiers):
            raise TermsInvalid(message("Tarieven en drempels kunnen niet negatief zijn."))
        if self.minimum_premium < 0:
            raise TermsInvalid(message("Een minimumpremie kan niet negatief zijn."))

    def tier_for(self, pool_measure: Decimal) -> Tier:
        """The highest tier the pool reaches: a volume discount for everyone in it."""
        reached = [tier for tier in self.tiers if tier.threshold <= pool_measure]
        return max(reached, key=lambda tier: tier.threshold)

    def pool_measure(self, exposures: Sequence[Exposure]) -> Decimal:
        """How far the pool is along the tiers: its members, or the sum of their exposure."""
        if self.tier_measure is TierMeasure.MEMBERS:
            return Decimal(len(exposures))
        return sum((exposure.measure(self.basis) for exposure in exposures), ZERO)

    def annual_premium(self, exposure: Exposure, tier: Tier) -> Decimal:
        """Exposure × rate for a full year, exact (before the minimum and pro rata)."""
        if self.basis.is_percentage:
            return exact_product(exposure.measure(self.basis), tier.rate, PERCENT)
        return exact_product(exposure.measure(self.basis), tier.rate)
