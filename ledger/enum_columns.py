"""Closed sets of values: a ``StrEnum`` in Python, a CHECK-constrained VARCHAR in the database.

Every package's tables use these (the ledger is the bottom layer, so all may import it): the
column reads back as the enum, so code compares and assigns members, and the CHECK, written
from the same enum, keeps any other writer (SQL, a migration, another process) to the set.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Dialect, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def one_of(column: str, values: Iterable[str]) -> str:
    """The SQL of a CHECK that ``column`` holds one of ``values`` (fixed identifiers only)."""
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"


def check_one_of(column: str, enum: type[StrEnum], *, nullable: bool = False) -> CheckConstraint:
    """A CHECK named after ``column`` that keeps it to ``enum``'s values (or NULL if allowed)."""
    sql = one_of(column, enum)
    if nullable:
        sql = f"{column} IS NULL OR {sql}"
    return CheckConstraint(sql, name=column)


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


def enum_column(enum: type[StrEnum], length: int) -> Mapped[Any]:
    """A column of one of ``enum``'s members (its CHECK is declared with ``one_of``)."""
    return mapped_column(EnumText(enum, length))
