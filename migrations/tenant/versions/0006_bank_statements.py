"""Bank statements: bank accounts, imports, statement lines, statement balances and rules.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=24), nullable=False),
        sa.Column("csv_mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_bank_accounts_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
        sa.UniqueConstraint("iban", name=op.f("uq_bank_accounts_iban")),
    )
    op.create_table(
        "bank_imports",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bank_account_id", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("closing_date", sa.Date(), nullable=True),
        sa.Column("closing_number", sa.Numeric(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_bank_imports_bank_account_id_bank_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_imports")),
    )
    op.create_index(
        op.f("ix_bank_imports_bank_account_id"), "bank_imports", ["bank_account_id"], unique=False
    )
    op.create_table(
        "bank_rules",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bank_account_id", sa.BigInteger(), nullable=True),
        sa.Column("counterparty_iban", sa.String(length=34), nullable=False),
        sa.Column("counterparty_name", sa.Text(), nullable=False),
        sa.Column("description_contains", sa.Text(), nullable=False),
        sa.Column("amount_min", sa.Numeric(), nullable=True),
        sa.Column("amount_max", sa.Numeric(), nullable=True),
        sa.Column("contra_account_id", sa.BigInteger(), nullable=False),
        sa.Column("narration", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_bank_rules_bank_account_id_bank_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["contra_account_id"],
            ["accounts.id"],
            name=op.f("fk_bank_rules_contra_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_rules")),
    )
    op.create_index(
        op.f("ix_bank_rules_bank_account_id"), "bank_rules", ["bank_account_id"], unique=False
    )
    op.create_table(
        "bank_balances",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bank_account_id", sa.BigInteger(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("number", sa.Numeric(), nullable=False),
        sa.Column("currency", sa.String(length=24), nullable=False),
        sa.Column("import_id", sa.BigInteger(), nullable=False),
        sa.Column("assertion_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assertion_id"],
            ["balance_assertions.id"],
            name=op.f("fk_bank_balances_assertion_id_balance_assertions"),
        ),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_bank_balances_bank_account_id_bank_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["bank_imports.id"], name=op.f("fk_bank_balances_import_id_bank_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_balances")),
        sa.UniqueConstraint(
            "bank_account_id",
            "date",
            "currency",
            name=op.f("uq_bank_balances_bank_account_id_date_currency"),
        ),
    )
    op.create_index(
        op.f("ix_bank_balances_import_id"), "bank_balances", ["import_id"], unique=False
    )
    op.create_table(
        "bank_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bank_account_id", sa.BigInteger(), nullable=False),
        sa.Column("import_id", sa.BigInteger(), nullable=False),
        sa.Column("identity", sa.String(length=200), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(), nullable=False),
        sa.Column("currency", sa.String(length=24), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("counterparty_name", sa.Text(), nullable=False),
        sa.Column("counterparty_iban", sa.String(length=34), nullable=False),
        sa.Column("bank_reference", sa.Text(), nullable=False),
        sa.Column("end_to_end_id", sa.Text(), nullable=False),
        sa.Column("payment_reference", sa.Text(), nullable=False),
        sa.Column("return_reason", sa.String(length=8), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("booked_by", sa.BigInteger(), nullable=True),
        sa.Column("transaction_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_bank_lines_bank_account_id_bank_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["bank_imports.id"], name=op.f("fk_bank_lines_import_id_bank_imports")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_bank_lines_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_lines")),
        sa.UniqueConstraint(
            "bank_account_id", "identity", name=op.f("uq_bank_lines_bank_account_id_identity")
        ),
    )
    op.create_index(
        "ix_bank_lines_bank_account_id_booked_at_date",
        "bank_lines",
        ["bank_account_id", "booked_at", "date"],
        unique=False,
    )
    op.create_index(op.f("ix_bank_lines_import_id"), "bank_lines", ["import_id"], unique=False)
    op.create_index(
        op.f("ix_bank_lines_transaction_id"), "bank_lines", ["transaction_id"], unique=False
    )


def downgrade() -> None:
    for table in ("bank_lines", "bank_balances", "bank_rules", "bank_imports", "bank_accounts"):
        op.drop_table(table)
