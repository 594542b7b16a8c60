"""The rules that keep the road to Citus schema-based sharding open (docs/OPERATIONS.md).

Citus moves each organisation's schema whole between nodes. That stays possible while no
foreign key crosses from one schema into another, identifiers are BIGINT, and no code path can
read two organisations' schemas in one statement (only binding routes a session to a schema).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Integer, MetaData, text
from sqlalchemy.engine import Engine

import purchasing.models  # noqa: F401  (registers the bureau's tables)
from ledger.tables import PLACEHOLDER_SCHEMA, LedgerBase
from tenants.tables import PUBLIC_SCHEMA, PublicBase

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_AND_FACES = ("ledger", "tenants", "purchasing", "app", "workers")
# The only modules that may point a connection at a schema by name.
# Restoring a backup rewrites a restored schema's marker, which binding would refuse before that.
ROUTERS = {
    "tenants/binding.py",
    "tenants/provisioning.py",
    "tenants/migrations.py",
    "tenants/backup.py",
}


def crossing_foreign_keys(metadata: MetaData, own_schema: str) -> list[str]:
    return [
        f"{table.name}.{key.parent.name} -> {key.column.table.schema}.{key.column.table.name}"
        for table in metadata.tables.values()
        for key in table.foreign_keys
        if key.column.table.schema != own_schema
    ]


def narrow_identifiers(metadata: MetaData) -> list[str]:
    """Integer primary keys that are not BIGINT (a single-column surrogate id)."""
    return [
        f"{table.schema}.{table.name}.{column.name}"
        for table in metadata.tables.values()
        for column in table.primary_key.columns
        if len(table.primary_key.columns) == 1
        and isinstance(column.type, Integer)
        and not isinstance(column.type, BigInteger)
        and column.autoincrement is not False
        and not column.foreign_keys
    ]


def test_an_organisations_tables_refer_only_to_tables_of_its_own_schema() -> None:
    assert crossing_foreign_keys(LedgerBase.metadata, PLACEHOLDER_SCHEMA) == []


def test_shared_tables_hold_no_foreign_key_into_an_organisations_schema() -> None:
    assert crossing_foreign_keys(PublicBase.metadata, PUBLIC_SCHEMA) == []


def test_surrogate_identifiers_are_bigint_so_they_survive_a_move() -> None:
    assert narrow_identifiers(LedgerBase.metadata) == []
    assert narrow_identifiers(PublicBase.metadata) == []


def test_no_foreign_key_in_the_database_crosses_schemas_after_provisioning(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    make_org(), make_org()
    with engine.connect() as connection:
        crossing = connection.execute(
            text(
                """
                SELECT c.conname, src.nspname, dst.nspname
                FROM pg_constraint c
                JOIN pg_class s ON s.oid = c.conrelid
                JOIN pg_namespace src ON src.oid = s.relnamespace
                JOIN pg_class d ON d.oid = c.confrelid
                JOIN pg_namespace dst ON dst.oid = d.relnamespace
                WHERE c.contype = 'f' AND src.oid <> dst.oid
                """
            )
        ).all()
    assert crossing == []


def schema_routing_outside_binding() -> list[str]:
    """Places that set a translate map or a search path, outside the modules that route."""
    found = []
    for package in DOMAIN_AND_FACES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ROUTERS:
                continue
            found += [f"{relative}:{line}" for line in routing_lines(path.read_text())]
    return found


def routing_lines(source: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if (isinstance(node, ast.keyword) and node.arg == "schema_translate_map")
        or (isinstance(node, ast.Constant) and _sets_search_path(node.value))
    ]


def _sets_search_path(value: object) -> bool:
    return isinstance(value, str) and "search_path" in value.lower() and "set" in value.lower()


def test_only_binding_provisioning_and_migrations_point_a_connection_at_a_schema() -> None:
    assert schema_routing_outside_binding() == []


def test_the_routing_check_finds_a_translate_map_and_a_search_path_set_elsewhere() -> None:
    planted = (
        "connection.execution_options(schema_translate_map={'tenant': 'org_x'})\n"
        "connection.exec_driver_sql('SET search_path TO org_a, org_b')\n"
    )
    assert routing_lines(planted) == [1, 2]
