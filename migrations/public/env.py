"""Alembic entry for the public stream when run by the ``alembic`` command (authoring only)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

import purchasing.models  # noqa: F401  (the bureau's shared tables)
from tenants.migrations import configure_public_context
from tenants.models import PublicBase

engine = create_engine(os.environ["DATABASE_URL"])
with engine.begin() as connection:
    configure_public_context(context, connection, PublicBase.metadata)
    context.run_migrations()
