"""The application's cursor describes every result as psycopg does, building it only when read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, Numeric, Text, bindparam, column, select, text, values

from tenants.cursors import DescribedWhenRead, LazyDescription

QUERIES = {
    "several types": "SELECT 1::int AS a, 'x'::text AS b, 2.50::numeric(12,2) AS c, now() AS d",
    "one column, no rows": "SELECT 1 AS only WHERE false",
    "no columns": "SELECT",
    "no result": "SET LOCAL statement_timeout = 0",
}


def described(cursor: psycopg.Cursor[Any]) -> Any:
    """What a reader finds in a description: every column's fields, or None."""
    found = cursor.description
    if found is None:
        return None
    return [(each.name, each.type_code, tuple(each)) for each in found]


@pytest.mark.parametrize("query", QUERIES.values(), ids=list(QUERIES))
def test_the_description_is_psycopgs_own(database_url: str, query: str) -> None:
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with (
        psycopg.connect(url) as plain,
        psycopg.connect(url, cursor_factory=DescribedWhenRead) as ours,
    ):
        expected_cursor = plain.execute(query)
        ours_cursor = ours.execute(query)
        assert type(ours_cursor) is DescribedWhenRead
        assert described(ours_cursor) == described(expected_cursor)
        expected = expected_cursor.description
        if expected is not None:
            assert ours_cursor.description is not None
            assert len(ours_cursor.description) == len(expected)
            assert [tuple(each) for each in ours_cursor.description[-2:]] == [
                tuple(each) for each in expected[-2:]
            ]


def test_the_columns_are_built_only_when_looked_into(database_url: str) -> None:
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, cursor_factory=DescribedWhenRead) as connection:
        cursor = connection.execute("SELECT 1 AS a, 2 AS b")
        description = cursor.description
        assert isinstance(description, LazyDescription)
        assert len(description) == 2
        assert description._columns is None  # what SQLAlchemy asks of a cached statement
        assert [each.name for each in description] == ["a", "b"]
        assert description._columns is not None


def test_a_description_read_after_the_cursor_moved_on_is_refused(database_url: str) -> None:
    """Never the columns of another result: a description is read before the next statement."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, cursor_factory=DescribedWhenRead) as connection:
        cursor = connection.cursor()
        first = cursor.execute("SELECT 1 AS a").description
        cursor.execute("SELECT 'x' AS b, 'y' AS c")
        assert first is not None
        with pytest.raises(RuntimeError, match="moved on"):
            first[0]


def test_the_application_reads_rows_by_name_and_position_through_it(engine: Engine) -> None:
    rows_given = values(column("amount", Numeric), column("label", Text), name="v").data(
        [(Decimal("1.25"), "één"), (Decimal("2.50"), "twee")]
    )
    by_core = select(rows_given.c.amount, rows_given.c.label)
    by_text = text(
        "SELECT CAST(:amount AS numeric) AS amount, CAST(:label AS text) AS label"
    ).bindparams(bindparam("amount"), bindparam("label"))
    with engine.connect() as connection:
        assert isinstance(connection.connection.driver_connection, psycopg.Connection)
        assert connection.connection.driver_connection.cursor_factory is DescribedWhenRead
        for _ in range(3):  # first run, then its compiled form and result metadata cached
            rows = connection.execute(by_core).all()
            assert [(row.amount, row.label) for row in rows] == [(1.25, "één"), (2.50, "twee")]
            assert [tuple(row) for row in rows] == [(1.25, "één"), (2.50, "twee")]
            row = connection.execute(by_text, {"amount": "3.75", "label": "drie"}).mappings().one()
            assert dict(row) == {"amount": 3.75, "label": "drie"}
