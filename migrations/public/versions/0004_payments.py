"""Online payments: provider customers, payment attempts, SEPA mandates, handled webhook events.

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

S = "public"


def _now(name: str = "created_at") -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{S}.{target}.id"], name=f"fk_{table}_{column}_{target}")


def _ck(table: str, sql: str, name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def upgrade() -> None:
    t = "payment_customers"
    op.create_table(
        t,
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("customer_ref", sa.Text, nullable=False),
        _now(),
        _fk(t, "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("organisation_id", "provider", name=f"pk_{t}"),
        sa.UniqueConstraint("provider", "customer_ref", name=f"uq_{t}_provider_customer_ref"),
        schema=S,
    )
    t = "payment_attempts"
    op.create_table(
        t,
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("invoice_id", sa.BigInteger, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("intent_ref", sa.Text, nullable=False),
        sa.Column("method", sa.String(12), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("payment_id", sa.BigInteger),
        sa.Column("failure_code", sa.Text),
        _now(),
        _now("updated_at"),
        _ck(t, "method IN ('card', 'ideal', 'sepa_debit')", "method"),
        _ck(
            t,
            "status IN ('open', 'processing', 'paid', 'failed', 'reversed', 'unapplied')",
            "status",
        ),
        _ck(t, "amount > 0", "amount_positive"),
        _fk(t, "invoice_id", "invoices"),
        _fk(t, "payment_id", "invoice_payments"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("invoice_id", "attempt", name=f"uq_{t}_invoice_id_attempt"),
        sa.UniqueConstraint("provider", "intent_ref", name=f"uq_{t}_provider_intent_ref"),
        sa.UniqueConstraint("payment_id", name=f"uq_{t}_payment_id"),
        schema=S,
    )
    op.create_index(f"ix_{t}_invoice_id", t, ["invoice_id"], schema=S)
    t = "payment_mandates"
    op.create_table(
        t,
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("setup_ref", sa.Text, nullable=False),
        sa.Column("payment_method_ref", sa.Text),
        sa.Column("status", sa.String(8), nullable=False),
        _now(),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        _ck(t, "status IN ('pending', 'active', 'failed')", "status"),
        _fk(t, "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("organisation_id", "attempt", name=f"uq_{t}_organisation_id_attempt"),
        sa.UniqueConstraint("provider", "setup_ref", name=f"uq_{t}_provider_setup_ref"),
        schema=S,
    )
    op.create_index(f"ix_{t}_organisation_id", t, ["organisation_id"], schema=S)
    t = "payment_events"
    op.create_table(
        t,
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        _now("received_at"),
        sa.PrimaryKeyConstraint("provider", "event_id", name=f"pk_{t}"),
        schema=S,
    )


def downgrade() -> None:
    for table in ("payment_events", "payment_mandates", "payment_attempts", "payment_customers"):
        op.drop_table(table, schema=S)
