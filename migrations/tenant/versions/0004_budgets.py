"""Budgets per account and period, for the budget-against-actual report.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("number", sa.Numeric(), nullable=False),
        sa.Column("currency", sa.String(length=24), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_budgets_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_budgets_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint(
            "account_id",
            "starts_on",
            "ends_on",
            "currency",
            name=op.f("uq_budgets_account_id_starts_on_ends_on_currency"),
        ),
    )


def downgrade() -> None:
    op.drop_table("budgets")
