"""Insurance: premium runs never overlap, correction and true-up runs, insurer invoices.

- Premium runs (and true-up runs) of one pool may not overlap: an exclusion constraint on the
  pool and the period as a date range, for each kind. The pool is compared as a one-point
  ``int8range`` so the built-in GiST range operator class suffices (no ``btree_gist``, which
  the embedded PostgreSQL server does not ship).
- Run kinds ``correction`` (a mid-term change after invoicing) and ``true_up``
  (naverrekening); at most one unfinished correction run per pool and period.
- Each run item keeps the breakdown the member was invoiced on ("why do I pay this").
- The insurer's own invoice per pool and period (advance or final), entered by bureau staff.
- A premium invoice may carry several partial credit notes (corrections).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

S = "public"
MONEY = sa.Numeric(12, 2)
RUNS = "invoice_runs"
OLD_SUBJECT = (
    "(kind = 'membership') = (plan_id IS NOT NULL) AND (kind = 'premium') = (pool_id IS NOT NULL)"
)
NEW_SUBJECT = (
    "(kind = 'membership') = (plan_id IS NOT NULL)"
    " AND (kind <> 'membership') = (pool_id IS NOT NULL)"
)


def _exclude(kind: str) -> None:
    op.execute(
        f"ALTER TABLE {S}.{RUNS} ADD CONSTRAINT ex_{RUNS}_{kind}_period EXCLUDE USING gist"
        " (int8range(pool_id, pool_id, '[]') WITH =,"
        " daterange(starts_on, ends_on, '[]') WITH &&)"
        f" WHERE (kind = '{kind}')"
    )


def upgrade() -> None:
    op.drop_constraint(f"ck_{RUNS}_kind", RUNS, schema=S)
    op.create_check_constraint(
        op.f(f"ck_{RUNS}_kind"),
        RUNS,
        "kind IN ('membership', 'premium', 'correction', 'true_up')",
        schema=S,
    )
    op.drop_constraint(f"ck_{RUNS}_subject_matches_kind", RUNS, schema=S)
    op.create_check_constraint(op.f(f"ck_{RUNS}_subject_matches_kind"), RUNS, NEW_SUBJECT, schema=S)
    op.drop_index("uq_invoice_runs_pool_period", RUNS, schema=S)
    _exclude("premium")
    _exclude("true_up")
    op.create_index(
        "uq_invoice_runs_open_correction",
        RUNS,
        ["pool_id", "starts_on", "ends_on"],
        unique=True,
        postgresql_where=sa.text("kind = 'correction' AND status <> 'done'"),
        schema=S,
    )
    op.add_column(
        "invoice_run_items",
        sa.Column("breakdown", postgresql.JSONB(astext_type=sa.Text())),
        schema=S,
    )
    op.drop_constraint("uq_invoices_credits_invoice_id", "invoices", schema=S)
    op.create_index("ix_invoices_credits_invoice_id", "invoices", ["credits_invoice_id"], schema=S)
    _insurer_invoices()


def _insurer_invoices() -> None:
    t = "insurer_invoices"
    op.create_table(
        t,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("pool_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("net", MONEY, nullable=False),
        sa.Column("costs", MONEY, nullable=False),
        sa.Column("tax", MONEY, nullable=False),
        sa.Column("entered_by_id", sa.BigInteger),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("kind IN ('advance', 'final')", name=op.f(f"ck_{t}_kind")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f(f"ck_{t}_period_order")),
        sa.ForeignKeyConstraint(
            ["pool_id"], [f"{S}.insurance_pools.id"], name=f"fk_{t}_pool_id_insurance_pools"
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            [f"{S}.users.id"],
            ondelete="SET NULL",
            name=f"fk_{t}_entered_by_id_users",
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint(
            "pool_id", "kind", "starts_on", "ends_on", name=f"uq_{t}_pool_id_kind_starts_on_ends_on"
        ),
        schema=S,
    )
    op.create_index(f"ix_{t}_pool_id", t, ["pool_id"], schema=S)


def downgrade() -> None:
    op.drop_table("insurer_invoices", schema=S)
    op.drop_index("ix_invoices_credits_invoice_id", "invoices", schema=S)
    op.create_unique_constraint(
        "uq_invoices_credits_invoice_id", "invoices", ["credits_invoice_id"], schema=S
    )
    op.drop_column("invoice_run_items", "breakdown", schema=S)
    op.drop_index("uq_invoice_runs_open_correction", RUNS, schema=S)
    op.execute(
        "DELETE FROM public.invoice_run_items WHERE run_id IN"
        " (SELECT id FROM public.invoice_runs WHERE kind IN ('correction', 'true_up'))"
    )
    op.execute("DELETE FROM public.invoice_runs WHERE kind IN ('correction', 'true_up')")
    for kind in ("premium", "true_up"):
        op.drop_constraint(f"ex_{RUNS}_{kind}_period", RUNS, schema=S)
    op.create_index(
        "uq_invoice_runs_pool_period",
        RUNS,
        ["pool_id", "starts_on", "ends_on"],
        unique=True,
        postgresql_where=sa.text("pool_id IS NOT NULL"),
        schema=S,
    )
    op.drop_constraint(f"ck_{RUNS}_subject_matches_kind", RUNS, schema=S)
    op.create_check_constraint(op.f(f"ck_{RUNS}_subject_matches_kind"), RUNS, OLD_SUBJECT, schema=S)
    op.drop_constraint(f"ck_{RUNS}_kind", RUNS, schema=S)
    op.create_check_constraint(
        op.f(f"ck_{RUNS}_kind"), RUNS, "kind IN ('membership', 'premium')", schema=S
    )
