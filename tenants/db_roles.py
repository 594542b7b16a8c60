"""Database roles: one per tenant schema, what tenants share, and what the application may do.

Every bound transaction also runs ``SET LOCAL ROLE <tenant role>``. The tenant role may use its
own schema and, through the group role ``sb_tenant``, what a tenant request needs of the shared
``public`` tables, so even a bug in the application that names another organisation's table
outright gets "permission denied". Of the people and the registry it may only read: the users'
names and addresses but not their password hashes (a column grant), memberships, organisations
and invitations; it may add to the security log; it cannot touch sessions, reset links or
second factors at all. Every other shared table (the bureau's invoices, pools, payments) it may
read and write, as the organisation's own pages do.

The application's runtime login is given ``sb_app`` (``GRANT sb_app TO <login>``, see
docs/OPERATIONS.md): rows of every shared table, and membership of every tenant role so that
it may take one. It owns nothing; the role that runs the migrations (whoever calls
``ensure_group_role``) owns the tables and the tenant schemas. Roles are cluster-wide in
PostgreSQL; a tenant's is named after its schema.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from ledger.errors import message
from tenants.errors import RoleGrantMissing

GROUP_ROLE = "sb_tenant"
APP_ROLE = "sb_app"
_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
_SEQUENCE_PRIVILEGES = "USAGE, SELECT, UPDATE"

# What a tenant-bound transaction may do with the shared tables of people and access; every
# other public table gets ``_TABLE_PRIVILEGES``. Listed here, not per table elsewhere, so one
# page says what a tenant role reaches.
_TENANT_READS = ("memberships", "organisations", "invitations")
_TENANT_APPENDS = ("security_events",)
_TENANT_NOTHING = ("user_sessions", "password_resets", "second_factors", "recovery_codes")
_SECRET_COLUMNS = {"users": ("password_hash",)}
_MIGRATION_TABLES = ("alembic_version",)
_ALREADY_EXISTS = ("42710", "23505")  # duplicate_object; unique_violation in pg_authid
_INSUFFICIENT_PRIVILEGE = "42501"


def tenant_role(schema_name: str) -> str:
    """The role of a tenant schema has the schema's own name (``org_<short id>``)."""
    return schema_name


def ensure_group_role(connection: Connection) -> None:
    """Create ``sb_tenant`` and ``sb_app`` if missing and grant them the shared tables.

    Run after every public migration, by the role that owns the tables, so a table added by a
    migration is granted at once; idempotent.
    """
    _ensure_shared_role(connection, GROUP_ROLE)
    _ensure_shared_role(connection, APP_ROLE)
    _grant_schema(connection, "public", APP_ROLE)
    _grant_schema(connection, "public", GROUP_ROLE)
    tables = _public_tables(connection)
    for table in set(_MIGRATION_TABLES) & tables:
        _grant_only(connection, table, APP_ROLE, "SELECT")
        _grant_only(connection, table, GROUP_ROLE, None)
    for table in set(_TENANT_READS) & tables:
        _grant_only(connection, table, GROUP_ROLE, "SELECT")
    for table in set(_TENANT_APPENDS) & tables:
        _grant_only(connection, table, GROUP_ROLE, "SELECT, INSERT")
    for table in set(_TENANT_NOTHING) & tables:
        _grant_only(connection, table, GROUP_ROLE, None)
    for table, secrets in _SECRET_COLUMNS.items():
        if table in tables:
            _grant_columns_but(connection, table, GROUP_ROLE, secrets)
    _let_the_application_take_every_tenant(connection)


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
    _let_the_application_take(connection, role)


def prepare_tenant_role(connection: Connection, schema_name: str) -> None:
    """Give a new, still empty schema its role before its tables are made.

    The schema's default privileges then grant every table as it is created, so provisioning
    needs no ``GRANT … ON ALL TABLES IN SCHEMA``, which scans every tenant's relations and so
    grows with the number of organisations.
    """
    role = tenant_role(schema_name)
    _create_role_if_missing(connection, role, member_of=GROUP_ROLE)
    _grant_usage_and_defaults(connection, schema_name, role)
    _let_the_application_take(connection, role)


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


def _ensure_shared_role(connection: Connection, role: str) -> None:
    """Create a cluster-wide group role if missing, and let the current user take it.

    Roles are shared by every database of the server, so another database's migration may be
    creating the same role at this moment: losing that race is fine (in a savepoint).
    """
    exists = connection.exec_driver_sql(
        "SELECT 1 FROM pg_roles WHERE rolname = %(name)s", {"name": role}
    ).first()
    quoted = _quote(connection, role)
    if not exists:
        try:
            with connection.begin_nested():
                connection.exec_driver_sql(f"CREATE ROLE {quoted} NOLOGIN")
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) not in _ALREADY_EXISTS:
                raise
    if connection.exec_driver_sql(
        "SELECT pg_has_role(current_user, %(name)s, 'MEMBER')", {"name": role}
    ).scalar():
        return
    try:
        connection.exec_driver_sql(f"GRANT {quoted} TO CURRENT_USER")
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
            raise
        # Since PostgreSQL 16, CREATEROLE alone no longer lets the owner take a role that
        # another role made (an earlier installation's owner, or the superuser).
        raise RoleGrantMissing(
            message(
                "De eigenaar-login mag de gedeelde rol %(role)s niet aannemen. Laat de superuser"
                " van de databaseserver eenmalig uitvoeren: GRANT %(role)s TO <eigenaar-login>"
                " WITH ADMIN OPTION; en draai daarna migrate opnieuw."
            ),
            role=role,
        ) from error


def _let_the_application_take(connection: Connection, role: str) -> None:
    """``sb_app`` (and so the runtime login) may ``SET ROLE`` to the tenant role."""
    _ensure_shared_role(connection, APP_ROLE)
    connection.exec_driver_sql(
        f"GRANT {_quote(connection, role)} TO {_quote(connection, APP_ROLE)}"
    )


def _let_the_application_take_every_tenant(connection: Connection) -> None:
    """Tenant roles made before ``sb_app`` existed are granted to it (an upgrade's one step).

    Only the roles of this database's schemas: roles are cluster-wide, and another database's
    may be dropped while we look.
    """
    missing = [
        row[0]
        for row in connection.exec_driver_sql(
            """
            SELECT tenant.rolname FROM pg_auth_members AS member
            JOIN pg_roles AS tenant ON tenant.oid = member.member
            JOIN pg_roles AS grp ON grp.oid = member.roleid AND grp.rolname = %(group)s
            JOIN pg_namespace AS schema_ ON schema_.nspname = tenant.rolname
            WHERE NOT pg_has_role(%(app)s, tenant.oid, 'MEMBER')
            """,
            {"group": GROUP_ROLE, "app": APP_ROLE},
        )
    ]
    if missing:
        listed = ", ".join(_quote(connection, role) for role in missing)
        connection.exec_driver_sql(f"GRANT {listed} TO {_quote(connection, APP_ROLE)}")


def _public_tables(connection: Connection) -> set[str]:
    rows = connection.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {row[0] for row in rows}


def _grant_only(connection: Connection, table: str, role: str, privileges: str | None) -> None:
    """Leave ``role`` exactly ``privileges`` on ``public.<table>`` (None: nothing at all)."""
    quoted = f"public.{_quote(connection, table)}"
    grantee = _quote(connection, role)
    connection.exec_driver_sql(f"REVOKE ALL ON {quoted} FROM {grantee}")
    if privileges:
        connection.exec_driver_sql(f"GRANT {privileges} ON {quoted} TO {grantee}")


def _grant_columns_but(
    connection: Connection, table: str, role: str, secrets: tuple[str, ...]
) -> None:
    """Let ``role`` read every column of ``public.<table>`` but ``secrets``, and write none."""
    columns = [
        row[0]
        for row in connection.exec_driver_sql(
            "SELECT attname FROM pg_attribute WHERE attrelid = %(table)s::regclass"
            " AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            {"table": f"public.{table}"},
        )
        if row[0] not in secrets
    ]
    quoted = f"public.{_quote(connection, table)}"
    grantee = _quote(connection, role)
    # Revoking on the table revokes its column privileges too, so no old grant stays behind.
    connection.exec_driver_sql(f"REVOKE ALL ON {quoted} FROM {grantee}")
    listed = ", ".join(_quote(connection, column) for column in columns)
    connection.exec_driver_sql(f"GRANT SELECT ({listed}) ON {quoted} TO {grantee}")


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
