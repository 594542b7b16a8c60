"""Run the two Alembic streams: the shared ``public`` schema and every tenant schema.

Each tenant schema carries its own ``alembic_version`` table. The public ``organisations``
table records every tenant's revision, so one query finds the tenants behind head. Each
tenant is upgraded in its own short transaction with a lock timeout; a failing tenant is
reported and the rest go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, func, select, update

from ledger.tables import LedgerBase
from tenants.binding import route_connection
from tenants.models import Organisation
from tenants.tables import PublicBase

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
PUBLIC_VERSION_TABLE = "alembic_version"
TENANT_VERSION_TABLE = "alembic_version"
DEFAULT_LOCK_TIMEOUT = "5s"


def tenant_metadata() -> MetaData:
    """All tables of a tenant schema, registered by importing their modules."""
    import ledger.models  # noqa: F401  (registers the ledger's tables)
    import tenants.marker  # noqa: F401

    return LedgerBase.metadata


@cache
def script_directory(stream: str) -> ScriptDirectory:
    """The revisions of one stream, read from disk once per process."""
    return ScriptDirectory.from_config(_config(stream))


def tenant_head() -> str:
    head = script_directory("tenant").get_current_head()
    assert head is not None, "the tenant stream has no revisions"
    return head


def public_head() -> str:
    head = script_directory("public").get_current_head()
    assert head is not None, "the public stream has no revisions"
    return head


def configure_public_context(context: Any, connection: Connection, metadata: MetaData) -> None:
    """Shared Alembic settings of the public stream (used by the runner and env.py)."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=PUBLIC_VERSION_TABLE,
        version_table_schema="public",
        include_schemas=False,
        compare_type=True,
    )


def configure_tenant_context(
    context: Any, connection: Connection, schema: str, metadata: MetaData
) -> None:
    """Shared Alembic settings of the tenant stream: version table inside the tenant schema."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=TENANT_VERSION_TABLE,
        version_table_schema=schema,
        compare_type=True,
    )


def upgrade_public(engine: Engine) -> None:
    """Bring the public schema to head, in one transaction."""
    with engine.begin() as connection:
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7301001)")
        _run(
            "public",
            connection,
            lambda ctx: configure_public_context(ctx, connection, PublicBase.metadata),
        )


def upgrade_tenant_schema(connection: Connection, schema: str, target: str = "head") -> str:
    """Upgrade one tenant schema on ``connection`` (inside its open transaction).

    Returns the revision the schema is at afterwards.
    """
    route_connection(connection, schema)
    _run(
        "tenant",
        connection,
        lambda ctx: configure_tenant_context(ctx, connection, schema, tenant_metadata()),
        target,
    )
    return tenant_head() if target == "head" else target


@dataclass
class TenantUpgradeReport:
    """What ``upgrade_tenants`` did: which schemas moved, which failed and why."""

    upgraded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    up_to_date: int = 0

    @property
    def is_ok(self) -> bool:
        return not self.failed


def tenants_behind(connection: Connection, head: str) -> list[tuple[int, str, str]]:
    """(id, slug, schema) of every organisation whose recorded revision is not ``head``."""
    rows = connection.execute(
        select(Organisation.id, Organisation.slug, Organisation.schema_name)
        .where(Organisation.tenant_revision.is_distinct_from(head))
        .order_by(Organisation.id)
    )
    return [(row.id, row.slug, row.schema_name) for row in rows]


def upgrade_tenants(
    engine: Engine,
    *,
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT,
    on_progress: Callable[[str, str | None], None] | None = None,
) -> TenantUpgradeReport:
    """Upgrade every tenant schema behind head, each in its own transaction."""
    head = tenant_head()
    report = TenantUpgradeReport()
    with engine.connect() as connection:
        behind = tenants_behind(connection, head)
        total = connection.scalar(select(func.count()).select_from(Organisation))
    report.up_to_date = int(total or 0) - len(behind)
    for organisation_id, slug, schema in behind:
        error = _upgrade_one(engine, organisation_id, schema, head, lock_timeout)
        if error is None:
            report.upgraded.append(slug)
        else:
            report.failed[slug] = error
            log.error("tenant %s (%s) failed to migrate: %s", slug, schema, error)
        if on_progress is not None:
            on_progress(slug, error)
    return report


def _upgrade_one(
    engine: Engine, organisation_id: int, schema: str, head: str, lock_timeout: str
) -> str | None:
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{_interval(lock_timeout)}'")
            upgrade_tenant_schema(connection, schema)
            connection.execute(
                update(Organisation)
                .where(Organisation.id == organisation_id)
                .values(tenant_revision=head)
            )
    except Exception as error:
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None


def _interval(value: str) -> str:
    if not value.replace("ms", "").replace("s", "").isdigit():
        raise ValueError(f"not a lock timeout: {value!r}")
    return value


def _config(stream: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR / stream))
    return config


def _run(
    stream: str,
    connection: Connection,
    configure: Callable[[Any], None],
    target: str = "head",
) -> None:
    script = script_directory(stream)

    def upgrade_steps(revision: Any, _context: Any) -> Sequence[Any]:
        return script._upgrade_revs(target, revision)

    with EnvironmentContext(_config(stream), script, fn=upgrade_steps) as context:
        configure(context)
        with context.begin_transaction():
            context.run_migrations()
