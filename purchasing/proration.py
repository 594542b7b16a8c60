"""Pro rata by day: a member who joins or leaves mid-term pays for the days it was covered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from purchasing.errors import TermsInvalid, message


@dataclass(frozen=True)
class Period:
    """A run of days, both ends included (a policy term, or one invoicing period of it)."""

    starts_on: date
    ends_on: date

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise TermsInvalid(message("Een periode kan niet eindigen voor ze begint."))

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def overlap(self, starts_on: date, ends_on: date | None) -> int:
        """Days of this period inside ``starts_on``..``ends_on`` (open-ended when ``None``)."""
        first = max(self.starts_on, starts_on)
        last = self.ends_on if ends_on is None else min(self.ends_on, ends_on)
        return max((last - first).days + 1, 0)
