"""Open lots for incremental booking, the full validation's runs and findings, an audit index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lots",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=24), nullable=False),
        sa.Column("cost_number", sa.Numeric(), nullable=False),
        sa.Column("cost_currency", sa.String(length=24), nullable=False),
        sa.Column("cost_date", sa.Date(), nullable=False),
        sa.Column("cost_label", sa.Text(), nullable=True),
        sa.Column("units", sa.Numeric(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_lots_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lots")),
        sa.UniqueConstraint(
            "account_id",
            "currency",
            "cost_number",
            "cost_currency",
            "cost_date",
            "cost_label",
            name="uq_lots_key",
            postgresql_nulls_not_distinct=True,
        ),
    )
    # Books posted before this revision: their open lots, from the postings held at cost.
    op.execute(
        "INSERT INTO lots"
        " (account_id, currency, cost_number, cost_currency, cost_date, cost_label, units)"
        " SELECT account_id, currency, cost_number, cost_currency, cost_date, cost_label,"
        " sum(number) FROM postings WHERE cost_number IS NOT NULL AND cost_date IS NOT NULL"
        " GROUP BY account_id, currency, cost_number, cost_currency, cost_date, cost_label"
        " HAVING sum(number) <> 0"
    )
    op.create_index("ix_audit_log_entity_entity_id_id", "audit_log", ["entity", "entity_id", "id"])
    op.create_table(
        "validation_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("finding_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_runs")),
    )
    op.create_table(
        "validation_findings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["validation_runs.id"],
            name=op.f("fk_validation_findings_run_id_validation_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_findings")),
    )
    op.create_index(
        op.f("ix_validation_findings_run_id"), "validation_findings", ["run_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_validation_findings_run_id"), table_name="validation_findings")
    op.drop_table("validation_findings")
    op.drop_table("validation_runs")
    op.drop_index("ix_audit_log_entity_entity_id_id", table_name="audit_log")
    op.drop_table("lots")
