"""An organisation's legal form is one of the four the application knows, or none.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Roles and security event kinds were checked from the start; the legal form was checked only by
the details form. Every writer went through that check or left the form empty, so existing rows
satisfy the constraint. The list is written out here as it was at this revision.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

S = "public"
LEGAL_FORMS = ("stichting", "vereniging", "cooperatie", "informeel")


def upgrade() -> None:
    forms = ", ".join(repr(form) for form in LEGAL_FORMS)
    op.create_check_constraint(
        op.f("ck_organisations_legal_form"),
        "organisations",
        f"legal_form IS NULL OR legal_form IN ({forms})",
        schema=S,
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_organisations_legal_form"), "organisations", type_="check", schema=S)
