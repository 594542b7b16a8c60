"""When a person's sessions were last all ended: ``users.sessions_ended_at``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

"Log out everywhere", a new password and removal from an organisation end every session of a
person with one UPDATE, which cannot see a session a rotation is adding at that very moment
(not yet committed): that successor outlived the logout. From this revision such an ending also
stamps the person, and a session that began (its login time, which a rotation keeps) before the
stamp is refused (``tenants.sessions.check_session``). Expand only: a new nullable column; an
application of the previous release ignores it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("sessions_ended_at", sa.DateTime(timezone=True), nullable=True),
        schema="public",
    )


def downgrade() -> None:
    op.drop_column("users", "sessions_ended_at", schema="public")
