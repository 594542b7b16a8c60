"""One open invitation per organisation and address: ``invitations.closed_at`` and a unique index.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Until now every send of the invitation form stored a new invitation with a token of its own, so
a double click or a browser retry left two links for one address, each valid for seven days, and
accepting one left the other open: a member removed later could come back in with it. From this
revision an invitation is open until accepted or closed, and the index below lets an
organisation have one open invitation per address (case-insensitive, as the application
normalises addresses); sending again renews that one (``tenants.invitations.invite``).

Expand only: a new nullable column and a new index. Existing duplicates would stop the index
from being made, so the older open invitations of an address are closed first and the newest
is kept (its link is the one most recently mailed). The table is locked against writes for
that moment, so no invitation sent during the upgrade slips in between the two steps. An
application of the previous release still running during the upgrade works on, except that a
second send to an address with an open invitation is refused by the index (an error page):
the same send after the upgrade renews the invitation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

S = "public"
T = "invitations"
OPEN = "accepted_at IS NULL AND closed_at IS NULL"  # written out as it is at this revision
# Of the open invitations of one address to one organisation, all but the newest.
CLOSE_OLDER_DUPLICATES = """
UPDATE public.invitations AS older SET closed_at = now()
WHERE older.accepted_at IS NULL AND older.closed_at IS NULL
  AND EXISTS (
    SELECT 1 FROM public.invitations AS newer
    WHERE newer.organisation_id = older.organisation_id
      AND lower(newer.email) = lower(older.email)
      AND newer.accepted_at IS NULL AND newer.closed_at IS NULL
      AND (newer.created_at, newer.id) > (older.created_at, older.id)
  )
"""


def upgrade() -> None:
    op.add_column(T, sa.Column("closed_at", sa.DateTime(timezone=True)), schema=S)
    op.execute("LOCK TABLE public.invitations IN SHARE ROW EXCLUSIVE MODE")
    op.execute(CLOSE_OLDER_DUPLICATES)
    op.create_index(
        "uq_invitations_open_address",
        T,
        ["organisation_id", sa.text("lower(email)")],
        unique=True,
        postgresql_where=sa.text(OPEN),
        schema=S,
    )


def downgrade() -> None:
    op.drop_index("uq_invitations_open_address", T, schema=S)
    op.drop_column(T, "closed_at", schema=S)
