"""Run the two Alembic streams: the shared ``public`` schema and every tenant schema.

Each tenant schema carries its own ``alembic_version`` table. The public ``organisations``
table records every tenant's revision, so one query finds the tenants behind head. Each
tenant is upgraded in its own short transaction with a lock timeout; a failing tenant is
reported and the rest go on. A new tenant schema is made from the per-release template (the
stream rendered once per process) rather than by replaying every revision.

So this module owns its transactions, one per schema, and is never called inside a unit of
work: one transaction over every schema would let one failing tenant hold back, or undo, the
upgrade of all the others (``tests/test_unit_of_work.py`` lists it as an exception).
"""

from __future__ import annotations

import io
import logging
import threading
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
from tenants.db_roles import ensure_group_role, ensure_tenant_role, prepare_tenant_role
from tenants.models import Organisation
from tenants.tables import PublicBase

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
PUBLIC_VERSION_TABLE = "alembic_version"
TENANT_VERSION_TABLE = "alembic_version"
DEFAULT_LOCK_TIMEOUT = "5s"
_TEMPLATE_LOCK = threading.Lock()


def tenant_metadata() -> MetaData:
    """All tables of a tenant schema, registered by importing their modules."""
    import ledger.bank.models  # registers the bank tables
    import ledger.models  # noqa: F401  (registers the ledger's tables)
    import tenants.marker  # noqa: F401

    return LedgerBase.metadata


@cache
def script_directory(stream: str, location: Path | None = None) -> ScriptDirectory:
    """The revisions of one stream, read from disk once per process.

    ``location`` points at another copy of the stream's directory (benchmarks, rehearsals of a
    new revision); by default it is ``migrations/<stream>``.
    """
    return ScriptDirectory.from_config(_config(stream, location))


def tenant_head(location: Path | None = None) -> str:
    head = script_directory("tenant", location).get_current_head()
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


@dataclass(frozen=True)
class TenantTemplate:
    """The tenant stream from nothing to ``revision`` as one SQL script, for unqualified names."""

    revision: str
    sql: str


def tenant_template(location: Path | None = None) -> TenantTemplate:
    """Render the tenant stream up to head once per process: the per-release template.

    Alembic's offline mode writes out the DDL that replaying the revisions would execute, the
    version table included. Sending it as one script instead of replaying the revisions
    statement by statement makes a new schema several times cheaper in Python and in round
    trips. The test suite checks that a schema made from it equals one made by replaying.

    Alembic's ``op`` and ``context`` are globals of the process, so two threads rendering at
    once (the first two provisionings in a threaded web process) would break each other: the
    rendering is done under a lock.
    """
    with _TEMPLATE_LOCK:
        return _rendered_template(location)


@cache
def _rendered_template(location: Path | None) -> TenantTemplate:
    script = script_directory("tenant", location)
    head = tenant_head(location)
    output = io.StringIO()

    def upgrade_steps(revision: Any, _context: Any) -> Sequence[Any]:
        return script._upgrade_revs(head, revision)

    with EnvironmentContext(
        _config("tenant", location), script, fn=upgrade_steps, as_sql=True
    ) as context:
        context.configure(
            dialect_name="postgresql",
            # Rendered as the driver's paramstyle, so ``%`` is escaped exactly as in a replay.
            dialect_opts={"paramstyle": "pyformat"},
            output_buffer=output,
            target_metadata=tenant_metadata(),
            version_table=TENANT_VERSION_TABLE,
            transactional_ddl=False,
        )
        context.run_migrations()
    return TenantTemplate(revision=head, sql=output.getvalue())


def create_tenant_schema(
    connection: Connection, schema: str, *, location: Path | None = None
) -> str:
    """Create ``schema`` at the tenant head from the template, inside the caller's transaction.

    Returns the revision the new schema is at.
    """
    template = tenant_template(location)
    quoted = connection.dialect.identifier_preparer.quote_identifier(schema)
    connection.exec_driver_sql(f"CREATE SCHEMA {quoted}")
    prepare_tenant_role(connection, schema)  # before the tables, which it then covers
    route_connection(connection, schema)
    connection.exec_driver_sql(template.sql)
    return template.revision


def upgrade_public(engine: Engine) -> None:
    """Bring the public schema to head, in one transaction."""
    with engine.begin() as connection:
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7301001)")
        _run(
            "public",
            connection,
            lambda ctx: configure_public_context(ctx, connection, PublicBase.metadata),
        )
        ensure_group_role(connection)


def upgrade_tenant_schema(
    connection: Connection, schema: str, target: str = "head", *, location: Path | None = None
) -> str:
    """Upgrade one tenant schema on ``connection`` (inside its open transaction).

    Returns the revision the schema is at afterwards. ``location`` as for ``script_directory``.
    """
    route_connection(connection, schema)
    _run(
        "tenant",
        connection,
        lambda ctx: configure_tenant_context(ctx, connection, schema, tenant_metadata()),
        target,
        location,
    )
    return tenant_head(location) if target == "head" else target


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
    location: Path | None = None,
) -> TenantUpgradeReport:
    """Upgrade every tenant schema behind head, each in its own transaction.

    ``location`` as for ``script_directory``.
    """
    _interval(lock_timeout)  # a bad setting is refused once, not reported for every tenant
    head = tenant_head(location)
    report = TenantUpgradeReport()
    with engine.connect() as connection:
        behind = tenants_behind(connection, head)
        total = connection.scalar(select(func.count()).select_from(Organisation))
    report.up_to_date = int(total or 0) - len(behind)
    for organisation_id, slug, schema in behind:
        error = _upgrade_one(engine, organisation_id, schema, head, lock_timeout, location)
        if error is None:
            report.upgraded.append(slug)
        else:
            report.failed[slug] = error
            log.error("tenant %s (%s) failed to migrate: %s", slug, schema, error)
        if on_progress is not None:
            on_progress(slug, error)
    return report


def _upgrade_one(
    engine: Engine,
    organisation_id: int,
    schema: str,
    head: str,
    lock_timeout: str,
    location: Path | None,
) -> str | None:
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{_interval(lock_timeout)}'")
            upgrade_tenant_schema(connection, schema, location=location)
            ensure_tenant_role(connection, schema)
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


def _config(stream: str, location: Path | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(location or MIGRATIONS_DIR / stream))
    return config


def _run(
    stream: str,
    connection: Connection,
    configure: Callable[[Any], None],
    target: str = "head",
    location: Path | None = None,
) -> None:
    script = script_directory(stream, location)

    def upgrade_steps(revision: Any, _context: Any) -> Sequence[Any]:
        return script._upgrade_revs(target, revision)

    with EnvironmentContext(_config(stream, location), script, fn=upgrade_steps) as context:
        configure(context)
        with context.begin_transaction():
            context.run_migrations()
