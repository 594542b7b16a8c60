"""A throw-away database on the machine's PostgreSQL, and a throw-away extra tenant revision."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import URL, create_engine, make_url

from tenants.databases import scratch_database as throwaway_database
from tenants.db_roles import drop_roles_after_database
from tenants.migrations import MIGRATIONS_DIR, tenant_head

EXTRA_REVISION = "bench_extra"

_EXTRA_REVISION_SOURCE = '''"""Benchmark only: one cheap expand step, a nullable column."""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("bench_note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("accounts", "bench_note")
'''


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Create ``sb_bench_<random>`` on the server, yield its URL, and drop it afterwards."""
    with throwaway_database(server_url, prefix="sb_bench") as url:
        yield url


def tenant_stream_with_extra_revision(directory: Path) -> Path:
    """Copy ``migrations/tenant`` into ``directory`` and add one revision on top of its head.

    Call it before provisioning: the copy's head must be the head that provisioning uses
    (read once per process), or the benchmark would upgrade by more than one revision.
    """
    location = directory / "tenant"
    shutil.copytree(
        MIGRATIONS_DIR / "tenant", location, ignore=shutil.ignore_patterns("__pycache__")
    )
    head = ScriptDirectory(str(location)).get_current_head()
    if head != tenant_head():
        raise RuntimeError("the tenant migrations changed while the benchmark started; run again")
    source = _EXTRA_REVISION_SOURCE.format(revision=EXTRA_REVISION, down_revision=head)
    (location / "versions" / f"{EXTRA_REVISION}.py").write_text(source)
    return location


def create_database(server_url: str) -> str:
    """Create ``sb_bench_<random>`` and return its name; the caller drops it (``drop_database``).

    For runs that must outlive one process (``bench.scale --keep``); otherwise use
    ``scratch_database``, which drops the database itself.
    """
    name = f"sb_bench_{secrets.token_hex(4)}"
    admin = create_engine(_server(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return name


def database_url(server_url: str, name: str) -> str:
    return _server(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    """Drop a benchmark database and the tenant roles of its schemas (roles are cluster-wide)."""
    if not name.startswith("sb_bench_"):
        raise ValueError(f"not a benchmark database: {name}")
    engine = create_engine(database_url(server_url, name))
    try:
        with engine.connect() as connection:
            schemas = [
                str(row[0])
                for row in connection.exec_driver_sql(
                    "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'org\\_%%'"
                )
            ]
    finally:
        engine.dispose()
    admin = create_engine(_server(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            drop_roles_after_database(connection, schemas)
    finally:
        admin.dispose()


def _server(server_url: str) -> URL:
    return make_url(server_url).set(drivername="postgresql+psycopg")
