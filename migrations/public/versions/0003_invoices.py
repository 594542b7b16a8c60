"""Invoices: billing details, numbering counters, invoices and lines, payments, the booking
outbox, membership plans with tiers and subscriptions, invoice runs and their items.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "public"
MONEY = sa.Numeric(12, 2)


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True)


def _now(name: str = "created_at") -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{S}.{target}.id"], ondelete=ondelete, name=f"fk_{table}_{column}_{target}"
    )


def _ck(table: str, sql: str, name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns), schema=S)


def upgrade() -> None:
    _billing()
    _invoices()
    _payments_and_bookings()
    _plans()
    _runs()


def _billing() -> None:
    t = "billing_details"
    op.create_table(
        t,
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("legal_name", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False, server_default=""),
        sa.Column("postcode", sa.String(16), nullable=False, server_default=""),
        sa.Column("city", sa.Text, nullable=False, server_default=""),
        sa.Column("country", sa.String(2), nullable=False, server_default="NL"),
        sa.Column("kvk_number", sa.String(8)),
        sa.Column("vat_number", sa.String(14)),
        sa.Column("iban", sa.String(34)),
        sa.Column("email", sa.String(254)),
        sa.Column("payment_days", sa.Integer, nullable=False, server_default=sa.text("14")),
        _now("updated_at"),
        _fk(t, "organisation_id", "organisations", "CASCADE"),
        sa.PrimaryKeyConstraint("organisation_id", name=f"pk_{t}"),
        schema=S,
    )
    t = "invoice_counters"
    op.create_table(
        t,
        sa.Column("series", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("last_number", sa.Integer, nullable=False),
        _ck(t, "last_number >= 0", "last_number_not_negative"),
        sa.PrimaryKeyConstraint("series", "year", name=f"pk_{t}"),
        schema=S,
    )


def _invoices() -> None:
    t = "invoices"
    op.create_table(
        t,
        _id(),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("series", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("credits_invoice_id", sa.BigInteger),
        sa.Column("supplier_id", sa.BigInteger, nullable=False),
        sa.Column("customer_id", sa.BigInteger, nullable=False),
        sa.Column("supplier", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("customer", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("supply_from", sa.Date, nullable=False),
        sa.Column("supply_until", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("payment_reference", sa.String(25), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
        sa.Column("net_total", MONEY, nullable=False),
        sa.Column("vat_total", MONEY, nullable=False),
        sa.Column("premium_tax_total", MONEY, nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        _now(),
        _ck(t, "kind IN ('invoice', 'credit_note')", "kind"),
        _ck(t, "purpose IN ('membership_fee', 'premium')", "purpose"),
        _ck(t, "(kind = 'credit_note') = (credits_invoice_id IS NOT NULL)", "credit_refers"),
        _ck(t, "supply_until >= supply_from", "supply_order"),
        _ck(t, "due_on >= issued_on", "due_after_issue"),
        _ck(t, "total = net_total + vat_total + premium_tax_total", "total_adds_up"),
        _fk(t, "credits_invoice_id", "invoices"),
        _fk(t, "supplier_id", "organisations"),
        _fk(t, "customer_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("number", name=f"uq_{t}_number"),
        sa.UniqueConstraint("series", "year", "sequence", name=f"uq_{t}_series_year_sequence"),
        sa.UniqueConstraint("credits_invoice_id", name=f"uq_{t}_credits_invoice_id"),
        sa.UniqueConstraint("payment_reference", name=f"uq_{t}_payment_reference"),
        schema=S,
    )
    _index(t, "supplier_id")
    _index(t, "customer_id")
    t = "invoice_lines"
    op.create_table(
        t,
        _id(),
        sa.Column("invoice_id", sa.BigInteger, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("quantity", sa.Numeric(12, 4), nullable=False),
        sa.Column("unit_amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("vat_percent", sa.Numeric(5, 2)),
        sa.Column("vat_exemption", sa.Text),
        sa.Column("vat_amount", MONEY, nullable=False, server_default=sa.text("0")),
        _ck(t, "kind IN ('fee', 'premium', 'costs', 'premium_tax')", "kind"),
        _ck(t, "(vat_percent IS NULL) <> (vat_exemption IS NULL)", "vat_rate_or_exemption"),
        _fk(t, "invoice_id", "invoices"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("invoice_id", "position", name=f"uq_{t}_invoice_id_position"),
        schema=S,
    )
    _index(t, "invoice_id")


def _payments_and_bookings() -> None:
    t = "invoice_payments"
    op.create_table(
        t,
        _id(),
        sa.Column("invoice_id", sa.BigInteger, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("reference", sa.Text),
        sa.Column("reverses_id", sa.BigInteger),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        _now(),
        _ck(
            t,
            "method IN ('bank_transfer', 'sepa_direct_debit', 'stripe', 'cash')",
            "method",
        ),
        _ck(t, "(reverses_id IS NULL) = (amount > 0)", "sign_matches_kind"),
        _fk(t, "invoice_id", "invoices"),
        _fk(t, "reverses_id", "invoice_payments"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("reverses_id", name=f"uq_{t}_reverses_id"),
        schema=S,
    )
    _index(t, "invoice_id")
    op.create_index(
        "uq_invoice_payments_method_reference", t, ["method", "reference"], unique=True,
        postgresql_where=sa.text("reference IS NOT NULL AND reverses_id IS NULL"), schema=S,
    )
    t = "ledger_bookings"
    op.create_table(
        t,
        _id(),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("invoice_id", sa.BigInteger),
        sa.Column("payment_id", sa.BigInteger),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("entries", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(8), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text),
        sa.Column(
            "transaction_ids", postgresql.ARRAY(sa.BigInteger), nullable=False, server_default="{}"
        ),
        sa.Column("booked_at", sa.DateTime(timezone=True)),
        _now(),
        _ck(t, "side IN ('bureau', 'member')", "side"),
        _ck(t, "status IN ('pending', 'booked', 'failed')", "status"),
        _ck(t, "(invoice_id IS NULL) <> (payment_id IS NULL)", "one_document"),
        _fk(t, "invoice_id", "invoices"),
        _fk(t, "payment_id", "invoice_payments"),
        _fk(t, "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("key", name=f"uq_{t}_key"),
        schema=S,
    )
    _index(t, "invoice_id")
    _index(t, "payment_id")
    _index(t, "organisation_id")
    op.create_index(
        "ix_ledger_bookings_pending", t, ["id"],
        postgresql_where=sa.text("status <> 'booked'"), schema=S,
    )


def _plans() -> None:
    t = "membership_plans"
    op.create_table(
        t,
        _id(),
        sa.Column("bureau_id", sa.BigInteger, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("cadence", sa.String(10), nullable=False),
        sa.Column("size_label", sa.Text, nullable=False, server_default=""),
        sa.Column("vat_percent", sa.Numeric(5, 2)),
        sa.Column("vat_exemption", sa.Text),
        _now(),
        _ck(t, "cadence IN ('yearly', 'quarterly')", "cadence"),
        _ck(t, "(vat_percent IS NULL) <> (vat_exemption IS NULL)", "vat_rate_or_exemption"),
        _fk(t, "bureau_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("name", name=f"uq_{t}_name"),
        schema=S,
    )
    _index(t, "bureau_id")
    t = "membership_plan_tiers"
    op.create_table(
        t,
        _id(),
        sa.Column("plan_id", sa.BigInteger, nullable=False),
        sa.Column("threshold", sa.Numeric(14, 2), nullable=False),
        sa.Column("annual_fee", MONEY, nullable=False),
        _ck(t, "threshold >= 0", "threshold_not_negative"),
        _ck(t, "annual_fee >= 0", "annual_fee_not_negative"),
        _fk(t, "plan_id", "membership_plans"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("plan_id", "threshold", name=f"uq_{t}_plan_id_threshold"),
        schema=S,
    )
    _index(t, "plan_id")
    t = "membership_subscriptions"
    op.create_table(
        t,
        _id(),
        sa.Column("plan_id", sa.BigInteger, nullable=False),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("size", sa.Numeric(14, 2), nullable=False),
        sa.Column("joined_on", sa.Date, nullable=False),
        sa.Column("left_on", sa.Date),
        _now(),
        _ck(t, "left_on IS NULL OR left_on >= joined_on", "period_order"),
        _ck(t, "size >= 0", "size_not_negative"),
        _fk(t, "plan_id", "membership_plans"),
        _fk(t, "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        schema=S,
    )
    _index(t, "plan_id")
    _index(t, "organisation_id")
    op.create_index(
        "uq_membership_subscriptions_current", t, ["plan_id", "organisation_id"], unique=True,
        postgresql_where=sa.text("left_on IS NULL"), schema=S,
    )


def _runs() -> None:
    t = "invoice_runs"
    op.create_table(
        t,
        _id(),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("plan_id", sa.BigInteger),
        sa.Column("pool_id", sa.BigInteger),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(8), nullable=False, server_default="pending"),
        sa.Column("total", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("done", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("error", sa.Text),
        sa.Column("job_id", sa.String(64)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        _now(),
        _ck(t, "kind IN ('membership', 'premium')", "kind"),
        _ck(t, "status IN ('pending', 'running', 'done', 'failed')", "status"),
        _ck(
            t,
            "(kind = 'membership') = (plan_id IS NOT NULL)"
            " AND (kind = 'premium') = (pool_id IS NOT NULL)",
            "subject_matches_kind",
        ),
        _ck(t, "ends_on >= starts_on", "period_order"),
        _fk(t, "plan_id", "membership_plans"),
        _fk(t, "pool_id", "insurance_pools"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        schema=S,
    )
    op.create_index(
        "uq_invoice_runs_plan_period", t, ["plan_id", "starts_on", "ends_on"], unique=True,
        postgresql_where=sa.text("plan_id IS NOT NULL"), schema=S,
    )
    op.create_index(
        "uq_invoice_runs_pool_period", t, ["pool_id", "starts_on", "ends_on"], unique=True,
        postgresql_where=sa.text("pool_id IS NOT NULL"), schema=S,
    )
    t = "invoice_run_items"
    op.create_table(
        t,
        _id(),
        sa.Column("run_id", sa.BigInteger, nullable=False),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("invoice_id", sa.BigInteger, nullable=False),
        _now(),
        _fk(t, "run_id", "invoice_runs"),
        _fk(t, "organisation_id", "organisations"),
        _fk(t, "invoice_id", "invoices"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("run_id", "organisation_id", name=f"uq_{t}_run_id_organisation_id"),
        sa.UniqueConstraint("invoice_id", name=f"uq_{t}_invoice_id"),
        schema=S,
    )
    _index(t, "run_id")
    _index(t, "organisation_id")


def downgrade() -> None:
    for table in (
        "invoice_run_items",
        "invoice_runs",
        "membership_subscriptions",
        "membership_plan_tiers",
        "membership_plans",
        "ledger_bookings",
        "invoice_payments",
        "invoice_lines",
        "invoices",
        "invoice_counters",
        "billing_details",
    ):
        op.drop_table(table, schema=S)
