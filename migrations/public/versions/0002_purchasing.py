"""Collective insurance: insurers, policies, tiers, documents, co-insured, tax settings, pools.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "public"
LINES = "'health', 'verzuim', 'avb', 'volunteers', 'directors'"
BASES = "'per_employee', 'per_fte', 'payroll_percent', 'per_volunteer', 'flat', 'turnover_percent'"


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True)


def _now(name: str = "created_at") -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{S}.{target}.id"], ondelete=ondelete, name=f"fk_{table}_{column}_{target}"
    )


def upgrade() -> None:
    _policies()
    _tax_settings()
    _pools()


def _policies() -> None:
    op.create_table(
        "insurers",
        _id(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kvk_number", sa.String(8)),
        sa.Column("afm_number", sa.String(12)),
        _now(),
        sa.PrimaryKeyConstraint("id", name="pk_insurers"),
        sa.UniqueConstraint("name", name="uq_insurers_name"),
        schema=S,
    )
    t = "collective_policies"
    op.create_table(
        t,
        _id(),
        sa.Column("insurer_id", sa.BigInteger, nullable=False),
        sa.Column("policyholder_id", sa.BigInteger, nullable=False),
        sa.Column("line", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("policy_number", sa.String(40)),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("basis", sa.String(20), nullable=False),
        sa.Column("tier_measure", sa.String(12), nullable=False, server_default="members"),
        sa.Column("minimum_premium", sa.Numeric(12, 2), nullable=False, server_default=sa.text("0")),
        sa.Column("annual_costs", sa.Numeric(12, 2), nullable=False, server_default=sa.text("0")),
        sa.Column("taxable_share", sa.Numeric(5, 4)),
        sa.Column("notice_days", sa.Integer, nullable=False, server_default=sa.text("30")),
        sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
        _now(),
        sa.CheckConstraint(f"line IN ({LINES})", name=op.f(f"ck_{t}_line")),
        sa.CheckConstraint(f"basis IN ({BASES})", name=op.f(f"ck_{t}_basis")),
        sa.CheckConstraint("tier_measure IN ('members', 'exposure')", name=op.f(f"ck_{t}_tier_measure")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f(f"ck_{t}_term_order")),
        sa.CheckConstraint("minimum_premium >= 0", name=op.f(f"ck_{t}_minimum_premium_not_negative")),
        sa.CheckConstraint("annual_costs >= 0", name=op.f(f"ck_{t}_annual_costs_not_negative")),
        sa.CheckConstraint("taxable_share BETWEEN 0 AND 1", name=op.f(f"ck_{t}_taxable_share_range")),
        sa.CheckConstraint("notice_days >= 0", name=op.f(f"ck_{t}_notice_days_not_negative")),
        _fk(t, "insurer_id", "insurers"),
        _fk(t, "policyholder_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        schema=S,
    )
    op.create_index(f"ix_{t}_insurer_id", t, ["insurer_id"], schema=S)
    op.create_index(f"ix_{t}_policyholder_id", t, ["policyholder_id"], schema=S)
    t = "policy_rate_tiers"
    op.create_table(
        t,
        _id(),
        sa.Column("policy_id", sa.BigInteger, nullable=False),
        sa.Column("threshold", sa.Numeric(18, 4), nullable=False),
        sa.Column("rate", sa.Numeric(12, 6), nullable=False),
        sa.CheckConstraint("threshold >= 0", name=op.f(f"ck_{t}_threshold_not_negative")),
        sa.CheckConstraint("rate >= 0", name=op.f(f"ck_{t}_rate_not_negative")),
        _fk(t, "policy_id", "collective_policies", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("policy_id", "threshold", name=f"uq_{t}_policy_id_threshold"),
        schema=S,
    )
    t = "policy_documents"
    op.create_table(
        t,
        _id(),
        sa.Column("policy_id", sa.BigInteger, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("file_ref", sa.Text, nullable=False),
        sa.Column("content_type", sa.String(100)),
        sa.Column("sha256", sa.String(64)),
        sa.Column("uploaded_by_id", sa.BigInteger),
        _now("uploaded_at"),
        _fk(t, "policy_id", "collective_policies", "CASCADE"),
        _fk(t, "uploaded_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        schema=S,
    )
    op.create_index(f"ix_{t}_policy_id", t, ["policy_id"], schema=S)
    t = "policy_co_insured"
    op.create_table(
        t,
        _id(),
        sa.Column("policy_id", sa.BigInteger, nullable=False),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("named_from", sa.Date, nullable=False),
        sa.Column("named_until", sa.Date),
        sa.CheckConstraint(
            "named_until IS NULL OR named_until >= named_from", name=op.f(f"ck_{t}_period_order")
        ),
        _fk(t, "policy_id", "collective_policies"),
        _fk(t, "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        schema=S,
    )
    op.create_index(f"ix_{t}_policy_id", t, ["policy_id"], schema=S)
    op.create_index(f"ix_{t}_organisation_id", t, ["organisation_id"], schema=S)
    t = "municipal_volunteer_covers"
    op.create_table(
        t,
        _id(),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("scheme", sa.String(12), nullable=False),
        sa.Column("municipality", sa.Text),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        _now("recorded_at"),
        sa.CheckConstraint(
            "scheme IN ('none', 'vng_basis', 'vng_plus', 'other')", name=op.f(f"ck_{t}_scheme")
        ),
        _fk(t, "organisation_id", "organisations", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("organisation_id", name=f"uq_{t}_organisation_id"),
        schema=S,
    )


def _tax_settings() -> None:
    t = "premium_tax_rates"
    rates = op.create_table(
        t,
        _id(),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("percent", sa.Numeric(5, 2), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name=op.f(f"ck_{t}_percent_range")),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("valid_from", name=f"uq_{t}_valid_from"),
        schema=S,
    )
    t = "premium_tax_treatments"
    treatments = op.create_table(
        t,
        _id(),
        sa.Column("line", sa.String(16), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("treatment", sa.String(8), nullable=False),
        sa.CheckConstraint(f"line IN ({LINES})", name=op.f(f"ck_{t}_line")),
        sa.CheckConstraint("treatment IN ('taxed', 'exempt', 'split')", name=op.f(f"ck_{t}_treatment")),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("line", "valid_from", name=f"uq_{t}_line_valid_from"),
        schema=S,
    )
    since = date(2013, 1, 1)
    op.bulk_insert(rates, [{"valid_from": since, "percent": 21, "note": "Wet op belastingen van rechtsverkeer"}])
    # Verzuim as exempt (sickness/incapacity) is still to be confirmed: a later row can change it.
    treatment = {"health": "exempt", "verzuim": "exempt", "avb": "taxed", "volunteers": "split", "directors": "taxed"}
    op.bulk_insert(
        treatments,
        [{"line": line, "valid_from": since, "treatment": how} for line, how in treatment.items()],
    )


def _pools() -> None:
    t = "insurance_pools"
    op.create_table(
        t,
        _id(),
        sa.Column("policy_id", sa.BigInteger, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("minimum_members", sa.Integer, nullable=False),
        sa.Column("enrolment_opens_on", sa.Date, nullable=False),
        sa.Column("enrolment_closes_on", sa.Date),
        sa.Column("status", sa.String(8), nullable=False, server_default="waiting"),
        sa.Column("started_on", sa.Date),
        sa.Column("closed_on", sa.Date),
        _now(),
        sa.CheckConstraint("status IN ('waiting', 'active', 'closed')", name=op.f(f"ck_{t}_status")),
        sa.CheckConstraint("minimum_members >= 1", name=op.f(f"ck_{t}_minimum_members_positive")),
        sa.CheckConstraint(
            "enrolment_closes_on IS NULL OR enrolment_closes_on >= enrolment_opens_on",
            name=op.f(f"ck_{t}_window_order"),
        ),
        sa.CheckConstraint(
            "status = 'waiting' OR started_on IS NOT NULL", name=op.f(f"ck_{t}_started_when_on")
        ),
        _fk(t, "policy_id", "collective_policies"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        schema=S,
    )
    op.create_index(f"ix_{t}_policy_id", t, ["policy_id"], schema=S)
    t = "pool_enrolments"
    op.create_table(
        t,
        _id(),
        sa.Column("pool_id", sa.BigInteger, nullable=False),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("joined_on", sa.Date, nullable=False),
        sa.Column("left_on", sa.Date),
        sa.Column("notice_given_on", sa.Date),
        _now(),
        sa.CheckConstraint("left_on IS NULL OR left_on >= joined_on", name=op.f(f"ck_{t}_period_order")),
        sa.CheckConstraint(
            "notice_given_on IS NULL OR left_on IS NOT NULL", name=op.f(f"ck_{t}_notice_sets_leaving_date")
        ),
        _fk(t, "pool_id", "insurance_pools"),
        _fk(t, "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        schema=S,
    )
    op.create_index(f"ix_{t}_pool_id", t, ["pool_id"], schema=S)
    op.create_index(f"ix_{t}_organisation_id", t, ["organisation_id"], schema=S)
    op.create_index(
        "uq_pool_enrolments_current", t, ["pool_id", "organisation_id"], unique=True,
        postgresql_where=sa.text("left_on IS NULL"), schema=S,
    )
    t = "exposure_declarations"
    op.create_table(
        t,
        _id(),
        sa.Column("enrolment_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("employees", sa.Numeric(10, 2), nullable=False),
        sa.Column("fte", sa.Numeric(10, 2), nullable=False),
        sa.Column("payroll", sa.Numeric(14, 2), nullable=False),
        sa.Column("volunteers", sa.Numeric(10, 0), nullable=False),
        sa.Column("turnover", sa.Numeric(14, 2), nullable=False),
        sa.Column("declared_by_id", sa.BigInteger),
        _now("declared_at"),
        sa.CheckConstraint("kind IN ('estimate', 'actual')", name=op.f(f"ck_{t}_kind")),
        sa.CheckConstraint(
            "employees >= 0 AND fte >= 0 AND payroll >= 0 AND volunteers >= 0 AND turnover >= 0",
            name=op.f(f"ck_{t}_figures_not_negative"),
        ),
        _fk(t, "enrolment_id", "pool_enrolments", "CASCADE"),
        _fk(t, "declared_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        schema=S,
    )
    op.create_index(f"ix_{t}_enrolment_id", t, ["enrolment_id"], schema=S)


def downgrade() -> None:
    for table in (
        "exposure_declarations",
        "pool_enrolments",
        "insurance_pools",
        "premium_tax_treatments",
        "premium_tax_rates",
        "municipal_volunteer_covers",
        "policy_co_insured",
        "policy_documents",
        "policy_rate_tiers",
        "collective_policies",
        "insurers",
    ):
        op.drop_table(table, schema=S)
