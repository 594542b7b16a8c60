"""Declarative base for the shared data in the ``public`` schema."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from ledger.tables import NAMING_CONVENTION

PUBLIC_SCHEMA = "public"


class PublicBase(DeclarativeBase):
    """Base for shared tables; always schema-qualified so a bound tenant never shadows them."""

    metadata = MetaData(schema=PUBLIC_SCHEMA, naming_convention=NAMING_CONVENTION)
