"""Pooled connections are checked before use only after sitting idle (``ping_after_idle``).

A real backend is terminated under a pooled connection, as a database restart does. Not in the
PgBouncer pass of CI (which runs tests/tenancy again): behind a pooler the client's connection
outlives its server's, so there is nothing for the ping to find.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.exc import OperationalError

from tenants.databases import ping_after_idle


@pytest.fixture
def admin(database_url: str) -> Iterator[Engine]:
    engine = create_engine(
        make_url(database_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    yield engine
    engine.dispose()


def pool_of_one(database_url: str, idle_seconds: float) -> Engine:
    engine = create_engine(
        make_url(database_url).set(drivername="postgresql+psycopg"),
        pool_size=1,
        max_overflow=0,
        pool_pre_ping=False,
    )
    ping_after_idle(engine, idle_seconds)
    return engine


def backend_of(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def terminate(admin: Engine, pid: int) -> None:
    with admin.connect() as connection:
        connection.exec_driver_sql("SELECT pg_terminate_backend(%(pid)s)", {"pid": pid})
    time.sleep(0.1)  # the backend is gone once the server has reaped it


def test_a_connection_that_sat_idle_and_died_is_replaced_before_anyone_uses_it(
    database_url: str, admin: Engine
):
    engine = pool_of_one(database_url, idle_seconds=0.05)
    try:
        first = backend_of(engine)
        terminate(admin, first)
        assert backend_of(engine) != first  # no error: the ping found it dead, a new one came
    finally:
        engine.dispose()


def test_a_connection_handed_back_a_moment_ago_is_used_without_a_ping(
    database_url: str, admin: Engine
):
    """The cost saved: no round trip first. A death in that moment meets the first statement,
    which fails once (as any outage does) and leaves the pool able to connect again."""
    engine = pool_of_one(database_url, idle_seconds=60)
    try:
        first = backend_of(engine)
        terminate(admin, first)
        with pytest.raises(OperationalError):
            backend_of(engine)
        assert backend_of(engine) != first
    finally:
        engine.dispose()
