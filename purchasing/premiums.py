"""Splitting a premium among members exactly to the cent: largest remainder, fixed tie-break.

``allocate`` is the core every split goes through. It works in whole cents and exact integer
arithmetic (weights are scaled to integers, never divided in floating or rounded decimal):

1. every member gets the floor of its exact proportion ``total × weight / sum of weights``;
2. the cents left over (fewer than the number of members) go one each to the members with
   the largest remainders, ties broken by the smallest member key.

So the parts always sum to the total, no share is a cent or more away from its exact
proportion, and the result depends only on the set of (key, weight) pairs, never on the order
of the mapping. A negative total (a credit) is split as the mirror image of the positive one.

Known limit (Hamilton's "new state" paradox, inherent to any method that keeps every share
within a cent of its proportion): adding a member lowers every other member's exact
proportion, but can move one rounding cent onto another member. No share then rises above
the ceiling of its former exact proportion.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from purchasing.errors import AllocationRefused, message
from purchasing.money import EXACT, cents_of, from_cents


def allocate(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Split ``total`` (whole cents, may be negative) in proportion to ``weights``.

    Weights must be finite and not negative; a zero weight gets a zero share. An empty mapping
    or all-zero weights can carry only a zero total (every share zero); any other total is
    refused with ``AllocationRefused``, as is a total with a fraction of a cent. The result
    has the same keys, in key order, each a two-place ``Decimal``.
    """
    return _split(_total_cents(total), _integer_weights(weights), total)


def _split(cents: int, units: dict[str, int], total: Decimal) -> dict[str, Decimal]:
    """Largest remainder over integer weights; the sign is applied last, so credits mirror."""
    whole = sum(units.values())
    if whole == 0:
        if cents:
            raise AllocationRefused(
                message("Er is niemand met een gewicht om %(total)s over te verdelen."),
                total=total,
            )
        return {key: from_cents(0) for key in sorted(units)}
    magnitude = abs(cents)
    floors: dict[str, int] = {}
    remainders: dict[str, int] = {}
    for key, weight in units.items():
        floors[key], remainders[key] = divmod(magnitude * weight, whole)
    left_over = magnitude - sum(floors.values())
    for key in sorted(units, key=lambda key: (-remainders[key], key))[:left_over]:
        floors[key] += 1
    sign = -1 if cents < 0 else 1
    return {key: from_cents(sign * floors[key]) for key in sorted(units)}


class Pots(NamedTuple):
    """The three pots of an insurer's invoice, kept apart: they are taxed and booked apart."""

    net: Decimal
    costs: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.net + self.costs + self.tax

    def minus(self, other: Pots) -> Pots:
        return Pots(self.net - other.net, self.costs - other.costs, self.tax - other.tax)


ZERO_POTS = Pots(from_cents(0), from_cents(0), from_cents(0))


def split_pots(pots: Pots, weights: Mapping[str, Decimal]) -> dict[str, Pots]:
    """Split each pot with the same weights, so each pot's shares sum exactly to that pot."""
    units = _integer_weights(weights)
    net, costs, tax = (_split(_total_cents(pot), units, pot) for pot in pots)
    return {key: Pots(net[key], costs[key], tax[key]) for key in net}


def _total_cents(total: Decimal) -> int:
    try:
        return cents_of(total)
    except ValueError:
        raise AllocationRefused(
            message("Een bedrag om te verdelen moet in hele centen zijn, niet %(total)s."),
            total=total,
        ) from None


def _integer_weights(weights: Mapping[str, Decimal]) -> dict[str, int]:
    """The weights scaled by one common power of ten to exact integers (same proportions)."""
    for key, weight in weights.items():
        if not weight.is_finite() or weight < 0:
            raise AllocationRefused(
                message("Het gewicht van %(member)s is ongeldig: %(weight)s."),
                member=key,
                weight=weight,
            )
    exponents = {key: _exponent(weight) for key, weight in weights.items()}
    lowest = min(exponents.values(), default=0)
    return {key: int(EXACT.scaleb(weight, -lowest)) for key, weight in weights.items()}


def _exponent(weight: Decimal) -> int:
    exponent = weight.as_tuple().exponent
    assert isinstance(exponent, int)
    return exponent
