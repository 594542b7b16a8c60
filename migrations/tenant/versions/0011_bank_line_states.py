"""Bank lines can be ignored with a reason, and pending lines are kept apart.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

``ignored_at``/``ignored_by``/``ignored_reason``: a line a person chose not to book (dated
before the books open, private, a duplicate from another source), reversible. ``is_pending``:
an entry the bank has not booked yet, shown but not bookable until its booked version replaces
it. Expand only: new columns with defaults, nothing rewritten.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "bank_lines",
        sa.Column("is_pending", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("bank_lines", sa.Column("ignored_at", sa.DateTime(timezone=True)))
    op.add_column("bank_lines", sa.Column("ignored_by", sa.BigInteger()))
    op.add_column(
        "bank_lines",
        sa.Column("ignored_reason", sa.Text(), nullable=False, server_default=""),
    )
    op.create_check_constraint(
        op.f("ck_bank_lines_ignored_with_reason"),
        "bank_lines",
        "ignored_at IS NULL OR ignored_reason <> ''",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_bank_lines_ignored_with_reason"), "bank_lines", type_="check")
    for column in ("ignored_reason", "ignored_by", "ignored_at", "is_pending"):
        op.drop_column("bank_lines", column)
