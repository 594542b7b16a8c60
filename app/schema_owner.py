"""The database login that owns the schemas: migrations, and making or deleting organisations.

In production the application's runtime login (``DATABASE_URL``) is no superuser and owns no
schema; it is given ``sb_app`` (``tenants/db_roles.py``). The login that runs the migrations
and owns every table and tenant schema is named by ``SB_MIGRATIONS_DATABASE_URL``. Making an
organisation creates a schema, so provisioning (from the bureau's page or the CLI) and deleting
an organisation run on that login, in a session and transaction of their own, which they
commit themselves anyway (``tenants/provisioning.py``). Without the setting one login does both,
as on a developer's machine, the embedded default and the test suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.extensions import db
from tenants.databases import connect_args

_EXTENSION = "schema_owner_engine"


def init_app(app: Flask) -> None:
    """Make the owner's engine when ``SB_MIGRATIONS_DATABASE_URL`` names one (no connection yet)."""
    url = app.config.get("SB_MIGRATIONS_DATABASE_URL")
    if not url:
        return
    settings = app.config.get("SB_SETTINGS")
    behind_pgbouncer = bool(getattr(settings, "behind_pgbouncer", False))
    # Schemas are made and migrated now and then: no pool of idle owner connections.
    app.extensions[_EXTENSION] = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"),
        poolclass=NullPool,
        connect_args=connect_args(behind_pgbouncer=behind_pgbouncer),
    )


def owner_engine() -> Engine:
    """The engine of the owning login, or the application's own when there is no split."""
    engine = current_app.extensions.get(_EXTENSION)
    return engine if isinstance(engine, Engine) else db.engine


@contextmanager
def owner_session() -> Iterator[Session]:
    """A session to provision or delete an organisation in; the request's own without a split."""
    engine = current_app.extensions.get(_EXTENSION)
    if not isinstance(engine, Engine):
        yield db.session()
        return
    with Session(engine) as session:
        yield session
