"""Statements built once and run with parameters, for the reads every page makes.

Building a SQLAlchemy statement (its column collections, coercions and cache key) costs more
application CPU than running a cached one, so hot reads build theirs once, with ``bindparam``
placeholders, and pass the values at execution. A statement with optional parts is built once
per shape (``functools.cache`` on a function of the shape's flags).

``autoescape=True`` needs the value while the statement is built; ``like_escaped`` does the same
escaping for a value passed later, to go with ``escape=LIKE_ESCAPE``.
"""

from __future__ import annotations

LIKE_ESCAPE = "/"


def like_escaped(text: str) -> str:
    """``text`` with the LIKE wildcards escaped as ``autoescape=True`` does (escape ``/``)."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE + LIKE_ESCAPE)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
