"""Every closed set of values is a ``StrEnum`` in Python and a CHECK in the migrated database.

Walks every table of both schemas: a column typed with ``EnumText`` must have, in the database
the migrations made, a CHECK named after it that allows exactly the enum's values. So a member
added to an enum without a migration, or a status column left without its CHECK, fails here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import Any

import pytest
from sqlalchemy import Table, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

import ledger.bank.models
import ledger.models  # noqa: F401  (these imports register every table)
import purchasing.models  # noqa: F401
import tenants.models
import tenants.security_models  # noqa: F401
from ledger.enum_columns import EnumText
from ledger.tables import LedgerBase
from tenants.tables import PublicBase

QUOTED = re.compile(r"'([^']*)'")


def enum_columns(tables: Iterator[Table]) -> list[tuple[str, str, type[StrEnum]]]:
    return [
        (table.name, column.name, column.type.enum)
        for table in tables
        for column in table.columns
        if isinstance(column.type, EnumText)
    ]


PUBLIC = enum_columns(iter(PublicBase.metadata.tables.values()))
TENANT = enum_columns(iter(LedgerBase.metadata.tables.values()))


def allowed_values(engine: Engine, schema: str, table: str, column: str) -> set[str] | None:
    """The quoted values of the CHECK ``ck_<table>_<column>``, or None if there is none."""
    with engine.connect() as connection:
        definition = connection.scalar(
            text(
                "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c"
                " JOIN pg_namespace n ON n.oid = c.connamespace"
                " WHERE n.nspname = :schema AND c.conname = :name AND c.contype = 'c'"
            ),
            {"schema": schema, "name": f"ck_{table}_{column}"},
        )
    return None if definition is None else set(QUOTED.findall(definition))


def test_the_walk_finds_the_enum_columns_of_both_schemas() -> None:
    assert ("memberships", "role") in {(table, column) for table, column, _ in PUBLIC}
    assert ("accounts", "booking") in {(table, column) for table, column, _ in TENANT}


@pytest.mark.parametrize(("table", "column", "enum"), PUBLIC, ids=lambda value: str(value))
def test_every_enum_column_of_the_shared_schema_is_checked_to_its_values(
    engine: Engine, table: str, column: str, enum: type[StrEnum]
) -> None:
    assert allowed_values(engine, "public", table, column) == {member.value for member in enum}


def test_every_enum_column_of_a_tenant_schema_is_checked_to_its_values(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    schema = make_org().schema_name

    found = {(t, c): allowed_values(engine, schema, t, c) for t, c, _ in TENANT}

    assert found == {(t, c): {member.value for member in enum} for t, c, enum in TENANT}


def test_the_database_refuses_a_legal_form_outside_the_list(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org(legal_form="stichting")

    with pytest.raises(IntegrityError, match="ck_organisations_legal_form"), engine.begin() as db:
        db.execute(
            text("UPDATE public.organisations SET legal_form = 'bv' WHERE id = :id"), {"id": org.id}
        )
