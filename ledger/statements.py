"""Statements built once and run with parameters, for the reads every page makes.

Building a SQLAlchemy statement (its column collections, coercions and cache key) costs more
application CPU than running a cached one, so hot reads build theirs once, with ``bindparam``
placeholders, and pass the values at execution. A statement with optional parts is built once
per shape (``functools.cache`` on a function of the shape's flags).

``autoescape=True`` needs the value while the statement is built; ``like_escaped`` does the same
escaping for a value passed later, to go with ``escape=LIKE_ESCAPE``.

Hot reads of plain columns run through ``read``: on the session's connection, without the
ORM's result layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVarTuple

from sqlalchemy import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TypedReturnsRows

LIKE_ESCAPE = "/"

_Columns = TypeVarTuple("_Columns")


def read(
    session: Session,
    statement: TypedReturnsRows[*_Columns],
    parameters: Mapping[str, Any] | None = None,
) -> CursorResult[*_Columns]:
    """Rows of plain columns (no ORM objects), read in the session's transaction.

    ``Session.execute`` would pass even such rows through the ORM's loading layer, about 40 µs
    of application CPU a statement; the pages run several on every request. Changes still
    pending in the session are flushed first, as ``Session.execute`` would autoflush them, so a
    read sees what the unit of work wrote before it.
    """
    session.flush()
    return session.connection().execute(statement, parameters)


def like_escaped(text: str) -> str:
    """``text`` with the LIKE wildcards escaped as ``autoescape=True`` does (escape ``/``)."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE + LIKE_ESCAPE)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
