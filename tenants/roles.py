"""Roles a person holds in an organisation, ordered from least to most trusted."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A membership role; comparisons follow trust: viewer < bookkeeper < owner."""

    VIEWER = "viewer"
    BOOKKEEPER = "bookkeeper"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, required: Role) -> bool:
        """True if someone with this role may do what ``required`` guards."""
        return self.rank >= required.rank


_RANKS = {Role.VIEWER: 0, Role.BOOKKEEPER: 1, Role.OWNER: 2}
