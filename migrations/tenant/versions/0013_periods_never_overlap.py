"""Accounting periods never overlap, in the database too.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Two owners closing the books at the same moment could each find the same stretch uncovered
and both insert a closed period for it; reopening one of the twins then left the other
closing the same days. ``ledger.periods`` now takes its changes in turns (a table lock), and
this exclusion constraint makes any overlap impossible. Twins that the race may have left
(the same first and last day) are removed first, keeping the oldest; the audit trail keeps
the record of both closings. Any other overlap (not made by this application) stops the
upgrade of that organisation with PostgreSQL's message, for a person to look at.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM accounting_periods AS twin USING accounting_periods AS first"
        " WHERE twin.starts_on = first.starts_on AND twin.ends_on = first.ends_on"
        " AND twin.id > first.id"
    )
    op.execute(
        "ALTER TABLE accounting_periods ADD CONSTRAINT ex_accounting_periods_overlap"
        " EXCLUDE USING gist (daterange(starts_on, ends_on, '[]') WITH &&)"
    )


def downgrade() -> None:
    op.drop_constraint("ex_accounting_periods_overlap", "accounting_periods")
