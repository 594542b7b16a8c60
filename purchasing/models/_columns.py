"""Column shapes shared by purchasing's tables: money, and the value lists of the CHECKs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, func, text
from sqlalchemy.orm import Mapped, mapped_column

MONEY = Numeric(12, 2)


def one_of(column: str, values: Iterable[str]) -> str:
    """The SQL of a CHECK that ``column`` holds one of ``values`` (fixed identifiers only)."""
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"


def money(default: str | None = None) -> Mapped[Decimal]:
    """A non-null amount in euros; with ``default``, the database fills it in too."""
    if default is None:
        return mapped_column(MONEY)
    return mapped_column(MONEY, default=Decimal(default), server_default=text(default))


def created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())
