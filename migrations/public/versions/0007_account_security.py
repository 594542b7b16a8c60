"""Account security: server-side sessions, password resets, second factors, the security log.

- ``user_sessions``: one row per login; the signed cookie carries a random token, the table
  only its SHA-256, so a read of the table cannot be replayed as a cookie. Ending a row ends
  that login at once.
- ``password_resets``: mailed single-use links, hashed like invitations.
- ``second_factors`` and ``recovery_codes``: TOTP secrets and hashed single-use codes.
- ``security_events``: what the person and their organisation's owners can read.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

S = "public"
MOMENT = sa.DateTime(timezone=True)
EVENT_KINDS = (
    "login",
    "login_failed",
    "logout",
    "sessions_ended",
    "password_changed",
    "password_reset",
    "second_factor_enabled",
    "second_factor_disabled",
    "recovery_code_used",
    "role_changed",
    "member_removed",
    "user_deactivated",
    "books_opened_by_bureau",
)


def _user_id(table: str, *, primary_key: bool = False) -> list[sa.SchemaItem]:
    return [
        sa.Column("user_id", sa.BigInteger, nullable=False, primary_key=primary_key),
        sa.ForeignKeyConstraint(
            ["user_id"], [f"{S}.users.id"], ondelete="CASCADE", name=f"fk_{table}_user_id_users"
        ),
    ]


def upgrade() -> None:
    _sessions()
    _password_resets()
    _second_factors()
    _security_events()


def _sessions() -> None:
    t = "user_sessions"
    op.create_table(
        t,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        *_user_id(t),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("last_seen_at", MOMENT, nullable=False),
        sa.Column("ended_at", MOMENT),
        sa.Column("must_rotate", sa.Boolean, nullable=False),
        sa.Column("ip_address", sa.String(45)),
        sa.Column("user_agent", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("token_hash", name=f"uq_{t}_token_hash"),
        schema=S,
    )
    op.create_index(f"ix_{t}_user_id", t, ["user_id"], schema=S)


def _password_resets() -> None:
    t = "password_resets"
    op.create_table(
        t,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        *_user_id(t),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("used_at", MOMENT),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("token_hash", name=f"uq_{t}_token_hash"),
        schema=S,
    )
    op.create_index(f"ix_{t}_user_id", t, ["user_id"], schema=S)


def _second_factors() -> None:
    t = "second_factors"
    op.create_table(
        t,
        *_user_id(t, primary_key=True),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("confirmed_at", MOMENT),
        sa.Column("last_used_step", sa.BigInteger),
        sa.PrimaryKeyConstraint("user_id", name=f"pk_{t}"),
        schema=S,
    )
    t = "recovery_codes"
    op.create_table(
        t,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        *_user_id(t),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", MOMENT),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("user_id", "code_hash", name=f"uq_{t}_user_id_code_hash"),
        schema=S,
    )
    op.create_index(f"ix_{t}_user_id", t, ["user_id"], schema=S)


def _security_events() -> None:
    t = "security_events"
    kinds = ", ".join(f"'{kind}'" for kind in EVENT_KINDS)
    op.create_table(
        t,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("user_id", sa.BigInteger),
        sa.Column("actor_id", sa.BigInteger),
        sa.Column("organisation_id", sa.BigInteger),
        sa.Column("ip_address", sa.String(45)),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("created_at", MOMENT, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(f"kind IN ({kinds})", name=op.f(f"ck_{t}_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"], [f"{S}.users.id"], ondelete="CASCADE", name=f"fk_{t}_user_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], [f"{S}.users.id"], ondelete="SET NULL", name=f"fk_{t}_actor_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            [f"{S}.organisations.id"],
            ondelete="CASCADE",
            name=f"fk_{t}_organisation_id_organisations",
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        schema=S,
    )
    op.create_index(f"ix_{t}_user_id_created_at", t, ["user_id", "created_at"], schema=S)
    op.create_index(
        f"ix_{t}_organisation_id_created_at", t, ["organisation_id", "created_at"], schema=S
    )


def downgrade() -> None:
    for table in (
        "security_events",
        "recovery_codes",
        "second_factors",
        "password_resets",
        "user_sessions",
    ):
        op.drop_table(table, schema=S)
