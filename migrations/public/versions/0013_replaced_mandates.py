"""A payment mandate may be 'replaced': an organisation has one active mandate, its newest.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

A member who gives a new SEPA mandate online replaces the one before; that one stayed 'active'
next to it (only the newest was used). From this revision the confirmation of a mandate marks
the older active ones 'replaced' (``purchasing.payments.services.sync_mandate``), and this
revision does so for what is stored. Expand, then contract within the same revision: an
application of the previous release never writes 'replaced' and reads only 'active' rows as
usable, which the newest of each organisation still is.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

S = "public"
T = "payment_mandates"
NAME = "ck_payment_mandates_status"


def upgrade() -> None:
    op.drop_constraint(op.f(NAME), T, type_="check", schema=S)
    op.create_check_constraint(
        op.f(NAME), T, "status IN ('pending', 'active', 'failed', 'replaced')", schema=S
    )
    op.execute(
        f"""
        UPDATE {S}.{T} AS older SET status = 'replaced'
        WHERE older.status = 'active' AND EXISTS (
            SELECT 1 FROM {S}.{T} AS newer
            WHERE newer.organisation_id = older.organisation_id
              AND newer.status = 'active' AND newer.attempt > older.attempt
        )
        """
    )


def downgrade() -> None:
    op.execute(f"UPDATE {S}.{T} SET status = 'active' WHERE status = 'replaced'")
    op.drop_constraint(op.f(NAME), T, type_="check", schema=S)
    op.create_check_constraint(op.f(NAME), T, "status IN ('pending', 'active', 'failed')", schema=S)
