"""Organisations, users, memberships and invitations.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "public"


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("slug", sa.String(48), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("schema_name", sa.String(63), nullable=False),
        sa.Column("placement", sa.String(63), nullable=False, server_default="default"),
        sa.Column("tenant_revision", sa.String(32)),
        sa.Column("is_bureau", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("legal_form", sa.String(32)),
        sa.Column("kvk_number", sa.String(8)),
        sa.Column("rsin", sa.String(9)),
        _created_at(),
        sa.CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,47}$'", name=op.f("ck_organisations_slug_format")),
        sa.CheckConstraint(
            "schema_name ~ '^org_[a-z0-9]{6,20}$'", name=op.f("ck_organisations_schema_format")
        ),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
        sa.UniqueConstraint("slug", name="uq_organisations_slug"),
        sa.UniqueConstraint("schema_name", name="uq_organisations_schema_name"),
        schema=S,
    )
    op.create_index(
        "ix_organisations_tenant_revision", "organisations", ["tenant_revision"], schema=S
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("is_bureau_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("locale", sa.String(8)),
        _created_at(),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        schema=S,
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        _created_at(),
        sa.CheckConstraint("role IN ('owner', 'bookkeeper', 'viewer')", name=op.f("ck_memberships_role")),
        sa.ForeignKeyConstraint(
            ["user_id"], [f"{S}.users.id"], ondelete="CASCADE",
            name="fk_memberships_user_id_users",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], [f"{S}.organisations.id"], ondelete="CASCADE",
            name="fk_memberships_organisation_id_organisations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_memberships"),
        sa.UniqueConstraint("user_id", "organisation_id", name="uq_memberships_user_id_organisation_id"),
        schema=S,
    )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"], schema=S)
    op.create_index("ix_memberships_organisation_id", "memberships", ["organisation_id"], schema=S)
    op.create_table(
        "invitations",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("organisation_id", sa.BigInteger, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("invited_by_id", sa.BigInteger),
        _created_at(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True)),
        sa.Column("accepted_by_id", sa.BigInteger),
        sa.CheckConstraint("role IN ('owner', 'bookkeeper', 'viewer')", name=op.f("ck_invitations_role")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], [f"{S}.organisations.id"], ondelete="CASCADE",
            name="fk_invitations_organisation_id_organisations",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], [f"{S}.users.id"], ondelete="SET NULL",
            name="fk_invitations_invited_by_id_users",
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"], [f"{S}.users.id"], ondelete="SET NULL",
            name="fk_invitations_accepted_by_id_users",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
        sa.UniqueConstraint("token_hash", name="uq_invitations_token_hash"),
        schema=S,
    )
    op.create_index("ix_invitations_organisation_id", "invitations", ["organisation_id"], schema=S)


def downgrade() -> None:
    for table in ("invitations", "memberships", "users", "organisations"):
        op.drop_table(table, schema=S)
