"""A throw-away database on the machine's PostgreSQL, and a throw-away extra tenant revision."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.script import ScriptDirectory

from tenants.databases import scratch_database as throwaway_database
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
