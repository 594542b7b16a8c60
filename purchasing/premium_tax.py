"""Insurance premium tax (assurantiebelasting) from dated settings: rates and line treatments.

The law changes: the rate (21% since 2013) and which lines are exempt (life, accident,
disability, sickness and health cost, ...) are rows with a ``valid_from`` date, not constants.
A combined policy (volunteers: accident exempt, liability taxed) is taxed on its taxable share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from purchasing.errors import TermsInvalid, message
from purchasing.money import exact_product, round_to_cents
from purchasing.rating import Line

ZERO = Decimal(0)
ONE = Decimal(1)
PERCENT = Decimal("0.01")


class Treatment(StrEnum):
    TAXED = "taxed"
    EXEMPT = "exempt"
    SPLIT = "split"  # partly exempt: the policy says which share is taxed


@dataclass(frozen=True)
class TaxRate:
    valid_from: date
    percent: Decimal


@dataclass(frozen=True)
class LineTreatment:
    line: Line
    valid_from: date
    treatment: Treatment


def rate_on(rates: Sequence[TaxRate], day: date) -> Decimal:
    """The percentage in force on ``day``: the latest row that started on or before it."""
    in_force = [rate for rate in rates if rate.valid_from <= day]
    if not in_force:
        raise TermsInvalid(
            message("Er is geen assurantiebelastingtarief bekend op %(day)s."), day=day
        )
    return max(in_force, key=lambda rate: rate.valid_from).percent


def taxable_share(
    treatments: Sequence[LineTreatment], line: Line, day: date, policy_share: Decimal | None
) -> Decimal:
    """Which share of a line's premium is taxed on ``day``: 1, 0, or the policy's own split."""
    in_force = [t for t in treatments if t.line == line and t.valid_from <= day]
    if not in_force:
        raise TermsInvalid(
            message("Voor de branche %(line)s is geen belastingbehandeling bekend op %(day)s."),
            line=str(line),
            day=day,
        )
    treatment = max(in_force, key=lambda t: t.valid_from).treatment
    if treatment is Treatment.TAXED:
        return ONE
    if treatment is Treatment.EXEMPT:
        return ZERO
    if policy_share is None or not ZERO <= policy_share <= ONE:
        raise TermsInvalid(
            message("Een deels vrijgestelde polis heeft een belast deel tussen 0 en 1 nodig.")
        )
    return policy_share


def premium_tax(amount: Decimal, share: Decimal, percent: Decimal) -> Decimal:
    """Tax on one invoice line (premium plus costs), rounded once, to the cent."""
    return round_to_cents(exact_product(amount, share, percent, PERCENT))
