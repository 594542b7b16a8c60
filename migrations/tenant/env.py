"""Alembic entry for the tenant stream when run by the ``alembic`` command (authoring only).

Autogenerate compares against a scratch schema named by ``SB_TENANT_SCHEMA``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from tenants.binding import route_connection
from tenants.migrations import configure_tenant_context, tenant_metadata

schema = os.environ["SB_TENANT_SCHEMA"]
engine = create_engine(os.environ["DATABASE_URL"])
with engine.begin() as connection:
    route_connection(connection, schema)
    configure_tenant_context(context, connection, schema, tenant_metadata())
    context.run_migrations()
