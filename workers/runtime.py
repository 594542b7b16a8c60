"""What a job needs from the application: one Flask app per worker process, and sessions.

Jobs take ids, never ORM objects. A job opens its own session with ``public_session()`` or,
for one organisation's books, ``tenant_session(organisation_id)``, which binds it through
``tenants.binding`` exactly as a web request is bound. The app (and its connection pool) is
made once per process; rq's forking worker runs each job in a child process, so the child
drops the pool it inherited instead of sharing its parent's sockets.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ledger.errors import message
from tenants.binding import bind_session, tenant_ref
from tenants.errors import OrganisationNotFound
from tenants.models import Organisation

_state: dict[str, Flask] = {}


def use_app(app: Flask) -> None:
    """Make ``app`` the one jobs in this process use (the worker command and tests call this)."""
    if not _state:
        os.register_at_fork(after_in_child=_forget_inherited_pool)
    _state["app"] = app


def current_app() -> Flask:
    """The process's application, created on first use from the environment."""
    if "app" not in _state:
        from app import create_app

        use_app(create_app())
    return _state["app"]


def engine() -> Engine:
    """The application's SQLAlchemy engine (one pool per process)."""
    from app.extensions import db

    with current_app().app_context():
        return db.engine


@contextmanager
def public_session() -> Iterator[Session]:
    """A session on the shared schema only; tenant tables are unreachable from it."""
    with Session(engine(), expire_on_commit=False) as session:
        yield session


@contextmanager
def tenant_session(organisation_id: int) -> Iterator[Session]:
    """A session bound to one organisation's schema, checked against its marker."""
    with Session(engine(), expire_on_commit=False) as session:
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            raise OrganisationNotFound(
                message("Organisatie %(organisation)s bestaat niet."), organisation=organisation_id
            )
        tenant = tenant_ref(organisation)
        session.rollback()  # bind between transactions: the next one starts bound
        bind_session(session, tenant)
        yield session


def _forget_inherited_pool() -> None:
    """In a forked child, drop the parent's pooled connections without closing them.

    Closing would send a terminate message on sockets the parent still uses.
    """
    if "app" in _state:
        engine().dispose(close=False)
