"""A transaction posted for a booking key (``booking:...``) is posted at most once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

Purchasing books invoices and payments into an organisation's books from an outbox; the key in
``source`` makes a second attempt find the first instead of posting twice. Other sources (a
bank account, an imported file) repeat on purpose, so the index covers only booking keys.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "uq_transactions_booking_source",
        "transactions",
        ["source"],
        unique=True,
        postgresql_where=sa.text("source LIKE 'booking:%'"),
    )


def downgrade() -> None:
    op.drop_index("uq_transactions_booking_source", table_name="transactions")
