"""A replaced mandate records when its payment method was detached at the provider.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

A member's new SEPA mandate replaces the one before (0013), but the older payment method stayed
attached to the member's customer at Stripe, where it could still be debited. The scheduled
``detach-replaced-mandates`` job detaches it and writes ``detached_at``; mandates replaced
before this revision have none and are detached on the job's first run. Expand only: the
previous release neither reads nor writes the column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "payment_mandates",
        sa.Column("detached_at", sa.DateTime(timezone=True), nullable=True),
        schema="public",
    )


def downgrade() -> None:
    op.drop_column("payment_mandates", "detached_at", schema="public")
