"""The marker row that says whose schema this is.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Tenant revisions run with ``search_path`` set to the tenant schema alone, so tables are
created unqualified and land in that schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_marker",
        sa.Column("singleton", sa.Boolean, nullable=False),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("schema_name", sa.String(63), nullable=False),
        sa.CheckConstraint("singleton", name=op.f("ck_tenant_marker_one_row")),
        sa.PrimaryKeyConstraint("singleton", name="pk_tenant_marker"),
    )


def downgrade() -> None:
    op.drop_table("tenant_marker")
