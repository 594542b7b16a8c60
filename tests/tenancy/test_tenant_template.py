"""A schema made from the per-release template equals one made by replaying the migrations."""

from __future__ import annotations

import secrets
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from tenants.migrations import (
    MIGRATIONS_DIR,
    TenantTemplate,
    create_tenant_schema,
    tenant_head,
    tenant_template,
    upgrade_tenant_schema,
)

# Everything a tenant schema holds that a migration could make, with the schema's own name
# taken out of definitions so that two schemas can be compared.
CATALOG_QUERIES = {
    "columns": """
        SELECT table_name, column_name, ordinal_position, data_type, udt_name,
               character_maximum_length, numeric_precision, numeric_scale, is_nullable,
               column_default, is_identity, identity_generation
        FROM information_schema.columns WHERE table_schema = :schema
    """,
    "constraints": """
        SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
        FROM pg_constraint k LEFT JOIN pg_class c ON c.oid = k.conrelid
        WHERE k.connamespace = CAST(:schema AS regnamespace)
    """,
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = :schema",
    "relations": """
        SELECT relname, relkind, relpersistence, obj_description(oid, 'pg_class')
        FROM pg_class WHERE relnamespace = CAST(:schema AS regnamespace) AND relkind <> 't'
    """,
    "sequences": """
        SELECT sequencename, data_type, start_value, increment_by, cycle
        FROM pg_sequences WHERE schemaname = :schema
    """,
    "triggers": """
        SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = CAST(:schema AS regnamespace) AND NOT t.tgisinternal
    """,
    "views": "SELECT viewname, definition FROM pg_views WHERE schemaname = :schema",
    "functions": """
        SELECT proname, pg_get_functiondef(oid) FROM pg_proc
        WHERE pronamespace = CAST(:schema AS regnamespace)
    """,
    "version": "SELECT version_num FROM {schema}.alembic_version",
}


def catalog(connection: Connection, schema: str) -> dict[str, list[tuple[object, ...]]]:
    """What the catalog says about ``schema``, as comparable rows."""
    found = {}
    for kind, query in CATALOG_QUERIES.items():
        rows = connection.execute(text(query.format(schema=schema)), {"schema": schema})
        found[kind] = sorted(
            tuple(str(value).replace(schema, "<schema>") for value in row) for row in rows
        )
    return found


def test_a_schema_made_from_the_template_equals_one_made_by_replaying_the_migrations(engine):
    template, replayed = f"org_{secrets.token_hex(5)}", f"org_{secrets.token_hex(5)}"
    with engine.connect() as connection:
        assert create_tenant_schema(connection, template) == tenant_head()
        connection.exec_driver_sql(f'CREATE SCHEMA "{replayed}"')
        upgrade_tenant_schema(connection, replayed)
        connection.exec_driver_sql("SET LOCAL search_path TO pg_catalog")
        made, expected = catalog(connection, template), catalog(connection, replayed)
        connection.rollback()
    assert made["columns"], "the comparison saw no tables at all"
    assert made == expected


def test_the_template_comparison_notices_a_column_one_schema_lacks(engine: Engine):
    template, replayed = f"org_{secrets.token_hex(5)}", f"org_{secrets.token_hex(5)}"
    with engine.connect() as connection:
        create_tenant_schema(connection, template)
        connection.exec_driver_sql(f'CREATE SCHEMA "{replayed}"')
        upgrade_tenant_schema(connection, replayed)
        connection.exec_driver_sql(f'ALTER TABLE "{replayed}".accounts ADD COLUMN extra text')
        connection.exec_driver_sql("SET LOCAL search_path TO pg_catalog")
        made, expected = catalog(connection, template), catalog(connection, replayed)
        connection.rollback()
    assert made["columns"] != expected["columns"]


def test_threads_that_ask_for_the_template_at_once_all_get_it_whole(tmp_path: Path):
    # A copy of the stream is a location no earlier test rendered, so these threads render it.
    location = tmp_path / "tenant"
    shutil.copytree(
        MIGRATIONS_DIR / "tenant", location, ignore=shutil.ignore_patterns("__pycache__")
    )
    threads = 6
    start = threading.Barrier(threads)

    def render() -> TenantTemplate:
        start.wait()
        return tenant_template(location)

    with ThreadPoolExecutor(threads) as pool:
        rendered = [future.result() for future in [pool.submit(render) for _ in range(threads)]]
    assert {template.sql for template in rendered} == {tenant_template().sql}
