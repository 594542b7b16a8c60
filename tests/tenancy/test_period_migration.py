"""Tenant revision 0013 removes the twin periods an earlier race could leave, then forbids any."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tenants.migrations import upgrade_tenant_schema

SCHEMA = "org_period_migration_test"
TWINS = (
    "INSERT INTO accounting_periods (starts_on, ends_on, closed_at) VALUES (:start, :end, now())"
)


def test_twin_periods_are_kept_once_and_overlaps_are_refused_after_the_upgrade(
    engine: Engine,
) -> None:
    with engine.connect() as connection, connection.begin() as transaction:
        connection.exec_driver_sql(f'CREATE SCHEMA "{SCHEMA}"')
        upgrade_tenant_schema(connection, SCHEMA, "0012")
        for start, end in [("2025-01-01", "2025-03-31")] * 3 + [("2025-04-01", "2025-04-30")]:
            connection.execute(text(TWINS), {"start": start, "end": end})

        assert upgrade_tenant_schema(connection, SCHEMA, "0013") == "0013"

        kept = connection.execute(
            text("SELECT id, starts_on::text, ends_on::text FROM accounting_periods ORDER BY id")
        ).all()
        assert [(start, end) for _id, start, end in kept] == [
            ("2025-01-01", "2025-03-31"),
            ("2025-04-01", "2025-04-30"),
        ]
        assert kept[0].id == 1  # the oldest of the twins
        with (
            pytest.raises(IntegrityError, match="ex_accounting_periods_overlap"),
            connection.begin_nested(),
        ):
            connection.execute(text(TWINS), {"start": "2025-03-31", "end": "2025-04-02"})
        transaction.rollback()
