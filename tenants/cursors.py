"""psycopg's cursor, with its result's description built only when someone reads it.

psycopg builds a ``Column`` per column of every result the moment ``cursor.description`` is
read. SQLAlchemy reads it after every statement, but for a statement it has run before (its
compiled form cached) it only asks whether there is a description at all: the columns were
built and thrown away, about a twentieth of a page's time in the driver. Here the description
is a sequence that builds psycopg's own columns when it is first looked into, so what reads
it sees exactly what psycopg would have given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import psycopg
from psycopg.pq.abc import PGresult


class DescribedWhenRead(psycopg.Cursor[Any]):
    """The application's cursor (``connect_args``): psycopg's, with a lazy description."""

    @property
    def description(self) -> Sequence[psycopg.Column] | None:  # type: ignore[override]
        result = self.pgresult
        if result is not None and result.nfields:
            return LazyDescription(self, result)
        # No columns: psycopg's answer (None, or an empty list for ``SELECT ;``).
        return super().description


class LazyDescription(Sequence[psycopg.Column]):
    """The columns of one result, built by psycopg when first looked into."""

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: DescribedWhenRead, result: PGresult) -> None:
        self._cursor: DescribedWhenRead | None = cursor
        self._result = result
        self._columns: list[psycopg.Column] | None = None

    def __len__(self) -> int:
        return int(self._result.nfields)

    @overload
    def __getitem__(self, index: int) -> psycopg.Column: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[psycopg.Column]: ...

    def __getitem__(self, index: int | slice) -> psycopg.Column | Sequence[psycopg.Column]:
        return self._built()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyDescription):
            other = other._built()
        return self._built() == other

    __hash__ = None  # type: ignore[assignment]  # a list's equality, a list's hashability

    def __repr__(self) -> str:
        return repr(self._built())

    def _built(self) -> list[psycopg.Column]:
        if self._columns is None:
            cursor = self._cursor
            if cursor is None or cursor.pgresult is not self._result:
                raise RuntimeError(
                    "the cursor moved on to another result before its columns were read"
                )
            columns = psycopg.Cursor.description.fget(cursor)  # type: ignore[attr-defined]
            self._columns = list(columns)
            self._cursor = None  # nothing more to read from it
        return self._columns
