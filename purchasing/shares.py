"""Pricing a pool: every member's share of each pot, and why (the order of the rules is fixed).

For each member, in this order:

1. exposure: the figure the basis prices (employees, FTE, payroll, volunteers, turnover, or 1);
2. tier: the volume tier the whole pool reaches (by number of members or total exposure);
3. annual premium: exposure × the tier's rate (percent of it for payroll and turnover);
4. minimum: the yearly minimum premium per member, if the annual premium is lower;
5. pro rata: the days the member is covered in the period, out of the days in the term.

The member's weight is (3, floored by 4) × covered days. The pots are the insurer's invoice,
or, for a quote, the expected invoice: net premium = the sum of the pro rata premiums, costs =
the policy costs for the period, tax = the premium tax on net plus costs (taxed share × rate),
each rounded once. Each pot is then split with the same weights (``premiums.split_pots``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from purchasing.money import exact_product, round_ratio_to_cents
from purchasing.premium_tax import premium_tax
from purchasing.premiums import Pots, split_pots
from purchasing.proration import Period
from purchasing.rating import Basis, Exposure, RateCard, Tier, TierMeasure

ZERO = Decimal(0)


@dataclass(frozen=True)
class Member:
    """One member as priced: its key, declared exposure and covered days (both ends included)."""

    key: str
    exposure: Exposure
    joined_on: date
    left_on: date | None = None


@dataclass(frozen=True)
class PolicyTerms:
    """What pricing needs of a policy, the tax settings already resolved for its term."""

    card: RateCard
    term: Period
    annual_costs: Decimal = ZERO
    taxable_share: Decimal = ZERO
    tax_percent: Decimal = ZERO


@dataclass(frozen=True)
class ShareBreakdown:
    """Why a member pays what it pays: plain data a page can show line by line."""

    member: str
    basis: Basis
    exposure: Decimal
    tier_measure: TierMeasure
    pool_measure: Decimal
    tier: Tier
    annual_premium: Decimal
    minimum_premium: Decimal
    is_minimum_applied: bool
    days_covered: int
    days_in_term: int
    weight: Decimal
    taxable_share: Decimal
    tax_percent: Decimal
    pots: Pots

    @property
    def floored_premium(self) -> Decimal:
        return max(self.annual_premium, self.minimum_premium)

    @property
    def pro_rata_premium(self) -> Decimal:
        """The annual premium for the days covered, to the cent, before the split's rounding."""
        return round_ratio_to_cents(self.weight, self.days_in_term)

    @property
    def total(self) -> Decimal:
        return self.pots.total

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (amounts as strings), kept on the run item when the invoice is issued."""
        return {
            "member": self.member,
            "basis": self.basis.value,
            "exposure": str(self.exposure),
            "tier_measure": self.tier_measure.value,
            "pool_measure": str(self.pool_measure),
            "tier": [str(self.tier.threshold), str(self.tier.rate)],
            "annual_premium": str(self.annual_premium),
            "minimum_premium": str(self.minimum_premium),
            "is_minimum_applied": self.is_minimum_applied,
            "days_covered": self.days_covered,
            "days_in_term": self.days_in_term,
            "weight": str(self.weight),
            "taxable_share": str(self.taxable_share),
            "tax_percent": str(self.tax_percent),
            "pots": pots_to_json(self.pots),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShareBreakdown:
        threshold, rate = data["tier"]
        return cls(
            member=data["member"],
            basis=Basis(data["basis"]),
            exposure=Decimal(data["exposure"]),
            tier_measure=TierMeasure(data["tier_measure"]),
            pool_measure=Decimal(data["pool_measure"]),
            tier=Tier(Decimal(threshold), Decimal(rate)),
            annual_premium=Decimal(data["annual_premium"]),
            minimum_premium=Decimal(data["minimum_premium"]),
            is_minimum_applied=bool(data["is_minimum_applied"]),
            days_covered=int(data["days_covered"]),
            days_in_term=int(data["days_in_term"]),
            weight=Decimal(data["weight"]),
            taxable_share=Decimal(data["taxable_share"]),
            tax_percent=Decimal(data["tax_percent"]),
            pots=pots_from_json(data["pots"]),
        )


def pots_to_json(pots: Pots) -> list[str]:
    return [str(pot) for pot in pots]


def pots_from_json(data: Sequence[str]) -> Pots:
    net, costs, tax = (Decimal(pot) for pot in data)
    return Pots(net, costs, tax)


def price_pool(
    terms: PolicyTerms,
    members: Sequence[Member],
    period: Period | None = None,
    invoice: Pots | None = None,
) -> list[ShareBreakdown]:
    """Every member's share of ``invoice`` (or of the expected invoice) for ``period``.

    ``members`` is the whole pool for the period: together they decide the volume tier.
    ``period`` defaults to the whole term. Returns breakdowns in member-key order.
    """
    period = period or terms.term
    card = terms.card
    pool_measure = card.pool_measure([member.exposure for member in members])
    tier = card.tier_for(pool_measure)
    parts = {member.key: _part(card, tier, period, member) for member in members}
    weights = {key: weight for key, (_, _, weight) in parts.items()}
    pots = invoice or expected_pots(terms, period, sum(weights.values(), ZERO))
    shares = split_pots(pots, weights)
    by_key = {member.key: member for member in members}
    return [
        ShareBreakdown(
            member=key,
            basis=card.basis,
            exposure=by_key[key].exposure.measure(card.basis),
            tier_measure=card.tier_measure,
            pool_measure=pool_measure,
            tier=tier,
            annual_premium=parts[key][0],
            minimum_premium=card.minimum_premium,
            is_minimum_applied=parts[key][0] < card.minimum_premium,
            days_covered=parts[key][1],
            days_in_term=terms.term.days,
            weight=parts[key][2],
            taxable_share=terms.taxable_share,
            tax_percent=terms.tax_percent,
            pots=shares[key],
        )
        for key in sorted(parts)
    ]


def expected_pots(terms: PolicyTerms, period: Period, total_weight: Decimal) -> Pots:
    """The invoice the rates imply for ``period``: each pot rounded once, then taxed."""
    days = terms.term.days
    net = round_ratio_to_cents(total_weight, days)
    costs = round_ratio_to_cents(exact_product(terms.annual_costs, Decimal(period.days)), days)
    tax = premium_tax(net + costs, terms.taxable_share, terms.tax_percent)
    return Pots(net, costs, tax)


def _part(
    card: RateCard, tier: Tier, period: Period, member: Member
) -> tuple[Decimal, int, Decimal]:
    annual = card.annual_premium(member.exposure, tier)
    days = period.overlap(member.joined_on, member.left_on)
    weight = exact_product(max(annual, card.minimum_premium), Decimal(days))
    return annual, days, weight
