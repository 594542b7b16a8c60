"""Whether the database is ready to serve this release: reachable, and migrated to head."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from tenants.migrations import PUBLIC_VERSION_TABLE, public_head, tenant_head, tenants_behind


@dataclass(frozen=True, slots=True)
class MigrationState:
    """The public schema's revision against this code's head, and the tenants behind theirs."""

    public_revision: str | None
    public_head: str
    tenants_behind: int

    @property
    def is_at_head(self) -> bool:
        return self.public_revision == self.public_head and self.tenants_behind == 0


def migration_state(connection: Connection) -> MigrationState:
    """Read the revisions in two small queries (one row, one count), whatever the tenant count.

    A database that was never migrated has no version table: its revision is None.
    """
    exists = connection.scalar(text("SELECT to_regclass(:table)"), {"table": _version_table()})
    revision = (
        connection.scalar(text(f"SELECT version_num FROM {_version_table()}"))  # noqa: S608
        if exists
        else None
    )
    behind = 0 if revision is None else len(tenants_behind(connection, tenant_head()))
    return MigrationState(revision, public_head(), behind)


def _version_table() -> str:
    return f"public.{PUBLIC_VERSION_TABLE}"
