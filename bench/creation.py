"""Making one tenant schema two ways, side by side: replaying the migrations or the template."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import Connection, Engine

from bench.cost import Cost, backend_pid, measure
from tenants.migrations import create_tenant_schema, upgrade_tenant_schema


def schema_creation_costs(engine: Engine, rounds: int) -> tuple[list[Cost], list[Cost]]:
    """Make ``rounds`` schemas by replay and by template, alternating, each rolled back.

    Alternating keeps both exposed to the same load on a shared machine.
    """
    replayed: list[Cost] = []
    templated: list[Cost] = []
    with engine.connect() as connection:
        pid = backend_pid(connection)
        connection.rollback()
        for _ in range(rounds):
            replayed.append(_measured(connection, pid, _replay))
            templated.append(_measured(connection, pid, create_tenant_schema))
    return replayed, templated


def _replay(connection: Connection, schema: str) -> None:
    connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    upgrade_tenant_schema(connection, schema)


def _measured(
    connection: Connection, pid: int, create: Callable[[Connection, str], object]
) -> Cost:
    schema = f"org_{secrets.token_hex(5)}"
    cost = measure(pid, lambda: create(connection, schema))
    connection.rollback()
    return cost
