"""Column shapes shared by purchasing's tables: money, statuses, and the value lists of CHECKs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric, String, func, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

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


class EnumText(TypeDecorator[StrEnum]):
    """A ``StrEnum`` in Python, its value in a VARCHAR (whose CHECK, ``one_of``, lists them).

    Read back as the enum, so code compares and assigns members, never ``.value`` strings.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)


def status(default: StrEnum, length: int, *, in_database: bool = True) -> Mapped[Any]:
    """A status column starting at ``default`` (which the database fills in too, if asked)."""
    server_default = default.value if in_database else None
    return mapped_column(
        EnumText(type(default), length), default=default, server_default=server_default
    )


def enum_column(enum: type[StrEnum], length: int) -> Mapped[Any]:
    """A column of one of ``enum``'s members (its CHECK is declared with ``one_of``)."""
    return mapped_column(EnumText(enum, length))
