"""A bureau form is saved at most once per form shown: ``form_submissions``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

The forms that add a policy, a policy document or a pool carry a token of their own; the first
send keeps it here with what it made, so the same form sent twice (a double click, a browser
retrying, a person sending it again after the connection broke at the commit) finds the first
policy, document or pool instead of adding a second. Expand only: a new table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_submissions",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("made_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_submissions")),
        schema="public",
    )


def downgrade() -> None:
    op.drop_table("form_submissions", schema="public")
