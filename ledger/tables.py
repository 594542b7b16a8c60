"""Declarative base for one organisation's books, in the placeholder schema ``tenant``.

The ledger does not know whose books these are: every table is declared in the schema
``tenant``, a name that does not exist in the database. Whoever opens a session maps it to a
real schema; a query that was never mapped fails loudly instead of reading someone else's rows.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

PLACEHOLDER_SCHEMA = "tenant"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class LedgerBase(DeclarativeBase):
    """Base for every table in an organisation's own schema."""

    metadata = MetaData(schema=PLACEHOLDER_SCHEMA, naming_convention=NAMING_CONVENTION)
