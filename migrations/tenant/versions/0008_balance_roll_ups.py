"""Closing balances in the monthly roll-ups, and postings indexed by date.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

Each ``balance_buckets`` row gains the running total up to the end of its month, so a balance
as of a date reads one row per account and currency instead of every month before it. The rows
are recomputed from the postings here (exact, whatever the old rows held). The index on
``postings(date)`` serves the postings of the partial month of every account at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REBUILD = """
DELETE FROM balance_buckets;
INSERT INTO balance_buckets (account_id, currency, month, units, closing_units)
SELECT account_id, currency, month, units,
       sum(units) OVER (PARTITION BY account_id, currency ORDER BY month)
FROM (
    SELECT account_id, currency, date_trunc('month', date)::date AS month, sum(number) AS units
    FROM postings
    GROUP BY account_id, currency, date_trunc('month', date)::date
) AS monthly
"""


def upgrade() -> None:
    op.add_column("balance_buckets", sa.Column("closing_units", sa.Numeric(), nullable=True))
    for statement in REBUILD.split(";"):
        op.execute(statement)
    op.alter_column("balance_buckets", "closing_units", nullable=False)
    op.create_index("ix_postings_date", "postings", ["date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_postings_date", table_name="postings")
    op.drop_column("balance_buckets", "closing_units")
