"""Corrections and true-ups: what was invoiced stays; the difference is a credit or an extra charge.

Naverrekening: lines priced on payroll or turnover are invoiced as an advance on the figures a
member declared beforehand; after the year, the same pricing on the actual figures gives what
was due, and the difference per member becomes a correction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from purchasing.premiums import ZERO_POTS, Pots
from purchasing.proration import Period
from purchasing.shares import Member, PolicyTerms, price_pool


@dataclass(frozen=True)
class Correction:
    """One member's correction: invoiced before, due now, and the difference per pot."""

    member: str
    invoiced: Pots
    due: Pots

    @property
    def difference(self) -> Pots:
        return self.due.minus(self.invoiced)

    @property
    def is_credit(self) -> bool:
        return self.difference.total < 0


def corrections(invoiced: Mapping[str, Pots], due: Mapping[str, Pots]) -> list[Correction]:
    """A correction for every member whose due shares differ from what it was invoiced.

    A member missing on one side counts as zero there (joined late, or left); members whose
    shares did not change get none. In member-key order.
    """
    found = []
    for member in sorted(set(invoiced) | set(due)):
        correction = Correction(member, invoiced.get(member, ZERO_POTS), due.get(member, ZERO_POTS))
        if any(correction.difference):
            found.append(correction)
    return found


def true_up(
    terms: PolicyTerms,
    invoiced: Mapping[str, Pots],
    actual: Sequence[Member],
    period: Period | None = None,
    final_invoice: Pots | None = None,
) -> list[Correction]:
    """Naverrekening: price the ``actual`` figures (or split a final invoice) and correct."""
    due = {share.member: share.pots for share in price_pool(terms, actual, period, final_invoice)}
    return corrections(invoiced, due)
