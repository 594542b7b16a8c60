"""Money in whole cents: the one rounding policy of purchasing, and exact cent arithmetic."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, localcontext
from fractions import Fraction

CENT = Decimal("0.01")
CURRENCY = "EUR"

# Wide enough that no realistic premium loses a digit, and loud if one ever would.
EXACT = Context(prec=80, traps=[Inexact, InvalidOperation])


def cents_of(amount: Decimal) -> int:
    """``amount`` as a whole number of cents; refuses fractions of a cent, NaN and infinity."""
    if not amount.is_finite():
        raise ValueError(f"not an amount: {amount}")
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    number = int("".join(map(str, digits)) or "0")
    shift = exponent + 2
    scale: int = 10 ** abs(shift)
    if shift >= 0:
        cents = number * scale
    else:
        cents, fraction = divmod(number, scale)
        if fraction:
            raise ValueError(f"not a whole number of cents: {amount}")
    return -cents if sign else cents


def from_cents(cents: int) -> Decimal:
    """A whole number of cents as a two-place ``Decimal``, built exactly (no context rounding)."""
    return Decimal(f"{cents}E-2")


def is_whole_cents(amount: Decimal) -> bool:
    try:
        cents_of(amount)
    except ValueError:
        return False
    return True


def round_to_cents(amount: Decimal) -> Decimal:
    """The single rounding policy: half away from zero, to the cent.

    Used only where one amount is rounded on its own (a pot total, a quote's display), never
    to split a total: splitting goes through ``premiums.allocate``. Not ``round()``, whose
    half-even rounding surprises people reading an invoice.
    """
    with localcontext(Context(prec=80)):
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def exact_product(*factors: Decimal) -> Decimal:
    """The product of ``factors`` without any rounding (raises ``Inexact`` rather than round)."""
    result = Decimal(1)
    for factor in factors:
        result = EXACT.multiply(result, factor)
    return result


def round_ratio_to_cents(numerator: Decimal, denominator: int) -> Decimal:
    """``numerator / denominator`` rounded once (half away from zero), computed exactly.

    For pro rata amounts such as ``premium × 100 days / 365``, whose quotient has no finite
    decimal expansion: the division is done in integers, so nothing is rounded twice.
    """
    scaled = Fraction(numerator) * 100 / denominator
    magnitude = abs(scaled)
    cents = int(magnitude + Fraction(1, 2))  # floor of a non-negative number
    return from_cents(-cents if scaled < 0 else cents)
