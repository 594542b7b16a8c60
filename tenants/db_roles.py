"""A PostgreSQL role per tenant schema: defence in depth under the schema binding.

Every bound transaction also runs ``SET LOCAL ROLE <tenant role>``. The tenant role may use its
own schema and the shared ``public`` tables (through the group role ``sb_tenant``) and nothing
else, so even a bug in the application that names another organisation's table outright gets
"permission denied". Roles are cluster-wide in PostgreSQL; each is named after its schema.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

GROUP_ROLE = "sb_tenant"
_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
_SEQUENCE_PRIVILEGES = "USAGE, SELECT, UPDATE"


def tenant_role(schema_name: str) -> str:
    """The role of a tenant schema has the schema's own name (``org_<short id>``)."""
    return schema_name


def ensure_group_role(connection: Connection) -> None:
    """Create ``sb_tenant`` if missing and let it use the shared tables; idempotent."""
    _create_role_if_missing(connection, GROUP_ROLE, member_of=None)
    _grant_schema(connection, "public", GROUP_ROLE)


def ensure_tenant_role(connection: Connection, schema_name: str) -> None:
    """Create the tenant's role if missing and grant it its own schema; idempotent.

    Runs inside the caller's transaction (provisioning, migrations): CREATE ROLE and GRANT are
    transactional in PostgreSQL, so a rolled-back provisioning leaves no role behind.
    """
    role = tenant_role(schema_name)
    if _holds_every_grant(connection, schema_name, role):
        return  # the usual case on every upgrade: one query instead of seven statements
    _create_role_if_missing(connection, role, member_of=GROUP_ROLE)
    _grant_schema(connection, schema_name, role)


def prepare_tenant_role(connection: Connection, schema_name: str) -> None:
    """Give a new, still empty schema its role before its tables are made.

    The schema's default privileges then grant every table as it is created, so provisioning
    needs no ``GRANT … ON ALL TABLES IN SCHEMA``, which scans every tenant's relations and so
    grows with the number of organisations.
    """
    role = tenant_role(schema_name)
    _create_role_if_missing(connection, role, member_of=GROUP_ROLE)
    _grant_usage_and_defaults(connection, schema_name, role)


def drop_tenant_role(connection: Connection, schema_name: str) -> None:
    """Drop a tenant's role and every privilege it holds in this database."""
    role = _quote(connection, tenant_role(schema_name))
    exists = connection.exec_driver_sql(
        "SELECT 1 FROM pg_roles WHERE rolname = %(name)s", {"name": tenant_role(schema_name)}
    ).first()
    if exists:
        connection.exec_driver_sql(f"DROP OWNED BY {role}")
        connection.exec_driver_sql(f"DROP ROLE {role}")


def drop_roles_after_database(connection: Connection, schema_names: Iterable[str]) -> None:
    """Drop the roles of a database that is already gone (test and benchmark clean-up)."""
    for schema_name in schema_names:
        connection.exec_driver_sql(f"DROP ROLE IF EXISTS {_quote(connection, schema_name)}")


def set_local_role_sql(connection: Connection, schema_name: str) -> str:
    return f"SET LOCAL ROLE {_quote(connection, tenant_role(schema_name))}"


def _create_role_if_missing(connection: Connection, role: str, member_of: str | None) -> None:
    exists = connection.exec_driver_sql(
        "SELECT 1 FROM pg_roles WHERE rolname = %(name)s", {"name": role}
    ).first()
    if exists:
        return
    quoted = _quote(connection, role)
    membership = f" IN ROLE {_quote(connection, member_of)}" if member_of else ""
    connection.exec_driver_sql(f"CREATE ROLE {quoted} NOLOGIN{membership}")
    # A superuser may SET ROLE to anything; a plain owner with CREATEROLE needs membership.
    connection.exec_driver_sql(f"GRANT {quoted} TO CURRENT_USER")


def _holds_every_grant(connection: Connection, schema_name: str, role: str) -> bool:
    """Whether ``role`` exists and may use the schema; then its tables are covered too.

    Tables that later migrations create are granted by the schema's default privileges, so a
    role that holds the schema needs nothing more. Looking at every table instead scans
    ``pg_class``, which holds all tenants' relations: 48 ms a tenant at 300 tenants, against
    under 1 ms for this.
    """
    row = connection.exec_driver_sql(
        """
        SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %(role)s)
           AND has_schema_privilege(%(role)s, %(schema)s, 'USAGE')
        """,
        {"role": role, "schema": schema_name},
    ).scalar()
    return bool(row)


def _grant_schema(connection: Connection, schema_name: str, role: str) -> None:
    schema = _quote(connection, schema_name)
    grantee = _quote(connection, role)
    _grant_usage_and_defaults(connection, schema_name, role)
    for statement in (
        f"GRANT {_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
        f"GRANT {_SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
    ):
        connection.exec_driver_sql(statement)


def _grant_usage_and_defaults(connection: Connection, schema_name: str, role: str) -> None:
    schema = _quote(connection, schema_name)
    grantee = _quote(connection, role)
    for statement in (
        f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
        f" GRANT {_TABLE_PRIVILEGES} ON TABLES TO {grantee}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
        f" GRANT {_SEQUENCE_PRIVILEGES} ON SEQUENCES TO {grantee}",
    ):
        connection.exec_driver_sql(statement)


def _quote(connection: Connection, identifier: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(identifier)
