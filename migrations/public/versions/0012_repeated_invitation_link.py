"""The link of an invitation's send just before, when a send repeated it within moments.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

A double click on the invitation form mails twice: the second send renewed the invitation with
a new link, and the first mail's link led to "Deze uitnodiging is onbekend of al gebruikt." From
this revision a send that repeats the last one within two minutes (same role, not expired) keeps
that send's link working next to its own (``tenants.invitations.invite``); a later send still
ends the old link. Expand only: a new nullable, unique column; an application of the previous
release ignores it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "invitations", sa.Column("repeated_token_hash", sa.String(64)), schema="public"
    )
    op.create_unique_constraint(
        "uq_invitations_repeated_token_hash",
        "invitations",
        ["repeated_token_hash"],
        schema="public",
    )


def downgrade() -> None:
    op.drop_constraint(
        "uq_invitations_repeated_token_hash", "invitations", schema="public", type_="unique"
    )
    op.drop_column("invitations", "repeated_token_hash", schema="public")
