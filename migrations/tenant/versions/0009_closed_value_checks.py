"""Closed sets of values are checked by the database: booking methods and statement formats.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

``accounts.booking`` holds one of Beancount's booking methods (or nothing: the book's default)
and ``bank_imports.format`` the format a statement was read from. The code only ever wrote
these values (a method is checked on opening an account or comes from Beancount's own parser;
the format is set by the reader that understood the file), so existing rows satisfy the checks.
The lists are written out here, as they were at this revision, not imported from the models.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BOOKING_METHODS = ("STRICT", "STRICT_WITH_SIZE", "NONE", "AVERAGE", "FIFO", "LIFO", "HIFO")
STATEMENT_FORMATS = ("camt.053", "mt940", "csv")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    op.create_check_constraint(
        op.f("ck_accounts_booking"),
        "accounts",
        f"booking IS NULL OR {_one_of('booking', BOOKING_METHODS)}",
    )
    op.create_check_constraint(
        op.f("ck_bank_imports_format"), "bank_imports", _one_of("format", STATEMENT_FORMATS)
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_bank_imports_format"), "bank_imports", type_="check")
    op.drop_constraint(op.f("ck_accounts_booking"), "accounts", type_="check")
