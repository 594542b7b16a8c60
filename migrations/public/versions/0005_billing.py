"""Billing: SEPA creditor, mandates, batches and collections; messages sent about invoices.

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

S = "public"
MONEY = sa.Numeric(12, 2)


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True)


def _now(name: str = "created_at") -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _fk(
    table: str, column: str, target: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{S}.{target}.id"], ondelete=ondelete, name=f"fk_{table}_{column}_{target}"
    )


def _ck(table: str, sql: str, name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def upgrade() -> None:
    op.create_table(
        "sepa_creditors",
        sa.Column("organisation_id", sa.BigInteger, primary_key=True),
        sa.Column("creditor_id", sa.String(35), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("bic", sa.String(11)),
        _now("updated_at"),
        _fk("sepa_creditors", "organisation_id", "organisations", "CASCADE"),
        schema=S,
    )
    op.create_table(
        "sepa_mandates",
        _id(),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("reference", sa.String(35), nullable=False),
        sa.Column("debtor_name", sa.Text, nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("bic", sa.String(11)),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("revoked_on", sa.Date),
        _now(),
        _fk("sepa_mandates", "organisation_id", "organisations"),
        sa.UniqueConstraint("reference", name=op.f("uq_sepa_mandates_reference")),
        schema=S,
    )
    op.create_index(
        op.f("ix_sepa_mandates_organisation_id"), "sepa_mandates", ["organisation_id"], schema=S
    )
    op.create_index(
        "uq_sepa_mandates_active",
        "sepa_mandates",
        ["organisation_id"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("revoked_on IS NULL"),
    )
    op.create_table(
        "sepa_batches",
        _id(),
        sa.Column("creditor_id", sa.BigInteger, nullable=False),
        sa.Column("reference", sa.String(35), nullable=False),
        sa.Column("collection_on", sa.Date, nullable=False),
        sa.Column("notified_on", sa.Date, nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True)),
        sa.Column("settled_on", sa.Date),
        _now(),
        _fk("sepa_batches", "creditor_id", "organisations"),
        sa.UniqueConstraint("reference", name=op.f("uq_sepa_batches_reference")),
        schema=S,
    )
    op.create_index(op.f("ix_sepa_batches_creditor_id"), "sepa_batches", ["creditor_id"], schema=S)
    op.create_table(
        "sepa_collections",
        _id(),
        sa.Column("batch_id", sa.BigInteger, nullable=False),
        sa.Column("invoice_id", sa.BigInteger, nullable=False),
        sa.Column("mandate_id", sa.BigInteger, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("sequence_type", sa.String(4), nullable=False),
        sa.Column("end_to_end_id", sa.String(35), nullable=False),
        sa.Column("status", sa.String(10), server_default="pending", nullable=False),
        sa.Column("payment_id", sa.BigInteger),
        sa.Column("return_reason", sa.String(4)),
        _fk("sepa_collections", "batch_id", "sepa_batches"),
        _fk("sepa_collections", "invoice_id", "invoices"),
        _fk("sepa_collections", "mandate_id", "sepa_mandates"),
        _fk("sepa_collections", "payment_id", "invoice_payments"),
        sa.UniqueConstraint(
            "batch_id", "invoice_id", name=op.f("uq_sepa_collections_batch_id_invoice_id")
        ),
        sa.UniqueConstraint("end_to_end_id", name=op.f("uq_sepa_collections_end_to_end_id")),
        _ck("sepa_collections", "sequence_type IN ('FRST', 'RCUR')", "sequence_type"),
        _ck("sepa_collections", "status IN ('pending', 'collected', 'returned')", "status"),
        _ck("sepa_collections", "amount > 0", "amount_positive"),
        schema=S,
    )
    for column in ("batch_id", "invoice_id", "mandate_id"):
        op.create_index(
            op.f(f"ix_sepa_collections_{column}"), "sepa_collections", [column], schema=S
        )
    op.create_index(
        "uq_sepa_collections_invoice_pending",
        "sepa_collections",
        ["invoice_id"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "invoice_messages",
        _id(),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("level", sa.Integer),
        sa.Column("recipient", sa.Text),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        _now(),
        _fk("invoice_messages", "invoice_id", "invoices"),
        sa.UniqueConstraint("key", name=op.f("uq_invoice_messages_key")),
        _ck("invoice_messages", "kind IN ('invoice', 'reminder', 'prenotification')", "kind"),
        schema=S,
    )
    op.create_index(
        op.f("ix_invoice_messages_invoice_id"), "invoice_messages", ["invoice_id"], schema=S
    )


def downgrade() -> None:
    op.drop_table("invoice_messages", schema=S)
    op.drop_table("sepa_collections", schema=S)
    op.drop_table("sepa_batches", schema=S)
    op.drop_table("sepa_mandates", schema=S)
    op.drop_table("sepa_creditors", schema=S)
