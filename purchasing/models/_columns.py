"""Column shapes shared by purchasing's tables: money and statuses (``ledger.enum_columns``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Numeric, func, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.enum_columns import EnumText, enum_column, one_of

__all__ = ["MONEY", "EnumText", "created_at", "enum_column", "money", "one_of", "status"]

MONEY = Numeric(12, 2)


def money(default: str | None = None) -> Mapped[Decimal]:
    """A non-null amount in euros; with ``default``, the database fills it in too."""
    if default is None:
        return mapped_column(MONEY)
    return mapped_column(MONEY, default=Decimal(default), server_default=text(default))


def created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


def status(default: StrEnum, length: int, *, in_database: bool = True) -> Mapped[Any]:
    """A status column starting at ``default`` (which the database fills in too, if asked)."""
    server_default = default.value if in_database else None
    return mapped_column(
        EnumText(type(default), length), default=default, server_default=server_default
    )
