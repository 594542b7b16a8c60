"""A transaction entered through a form is posted at most once per form shown (``form:...``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

Each entry form carries a token of its own; the posting keeps it in ``source`` as
``form:<token>``. A form sent twice (a double click, a browser retrying, a person sending it
again after the connection broke at the commit) then finds the first booking instead of
booking again. Expand only: an index over rows no older version wrote.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "uq_transactions_form_source",
        "transactions",
        ["source"],
        unique=True,
        postgresql_where=sa.text("source LIKE 'form:%'"),
    )


def downgrade() -> None:
    op.drop_index("uq_transactions_form_source", table_name="transactions")
