"""A bank rule names the project its lines are booked on (``ledger.projects``).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

A subsidy or fund pays from one account, and its costs are often paid to the same suppliers:
a rule that proposes the contra account can also give the booking its project, so the report
per project holds what the bank inbox booked. Expand only: a column with a default that older
code neither reads nor writes (an empty text is no project).
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
        "bank_rules", sa.Column("project", sa.Text(), nullable=False, server_default="")
    )


def downgrade() -> None:
    op.drop_column("bank_rules", "project")
