"""Releases of deferrals: prepaid costs and amounts invoiced in advance, posted when due.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

An invoice for months ahead is booked to a deferral account with a schedule of monthly
releases kept here; a scheduled job posts each release once its day has come, instead of
writing future-dated transactions at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("into", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(), nullable=False),
        sa.Column("currency", sa.String(length=24), nullable=False),
        sa.Column("narration", sa.Text(), nullable=False),
        sa.Column("payee", sa.Text(), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("transaction_id", sa.BigInteger(), nullable=True),
        sa.Column("cancelled_by", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_releases_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("key", name=op.f("uq_releases_key")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_releases_transaction_id")),
    )
    op.create_index(op.f("ix_releases_schedule"), "releases", ["schedule"], unique=False)
    op.create_index(
        "ix_releases_due",
        "releases",
        ["due_on"],
        unique=False,
        postgresql_where=sa.text("transaction_id IS NULL AND cancelled_by IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_releases_due", table_name="releases")
    op.drop_index(op.f("ix_releases_schedule"), table_name="releases")
    op.drop_table("releases")
