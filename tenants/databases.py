"""Throw-away databases on a PostgreSQL server, for the test suite and the benchmarks."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry

from tenants.cursors import DescribedWhenRead
from tenants.db_roles import drop_roles_after_database

# A connection that is not bound to an organisation sees only the system catalog, so SQL that
# names no schema fails loudly instead of reading a table in ``public``.
UNBOUND_SEARCH_PATH = "-c search_path=pg_catalog"
CONNECT_SECONDS = 5


def connect_args(*, behind_pgbouncer: bool = False) -> dict[str, Any]:
    """psycopg's connection arguments for the application's engines.

    Behind PgBouncer in transaction pooling mode each transaction may land on another server
    connection, so psycopg must not prepare statements server-side (``prepare_threshold``), and
    the start-up ``options`` never reach the server: PgBouncer sets the search path instead
    (``connect_query``, see docs/OPERATIONS.md).
    """
    # A database that is away is reported within seconds, not after the operating system's
    # minutes-long TCP timeout (``app/outages.py`` answers 503 meanwhile).
    common: dict[str, Any] = {
        "options": UNBOUND_SEARCH_PATH,
        "connect_timeout": CONNECT_SECONDS,
        "cursor_factory": DescribedWhenRead,
    }
    if behind_pgbouncer:
        return {**common, "prepare_threshold": None}
    return common


def keep_prepared_statements(engine: Engine, count: int) -> None:
    """Let every connection of ``engine`` keep ``count`` server-side prepared statements.

    psycopg prepares a statement it has run five times and keeps the 100 most recent. Each
    statement names its organisation's schema, so to PostgreSQL every organisation's statements
    are different ones: a connection that serves many organisations in turn plans most of them
    again on every run (about 0.7 ms of planning for the dashboard). Each kept statement holds
    its plan in the server process, about 80 KiB (docs/OPERATIONS.md). Behind PgBouncer nothing
    is prepared (``connect_args``), and this changes nothing.
    """

    @event.listens_for(engine, "connect")
    def _keep(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.prepared_max = count


# A connection back in the pool for longer than this is checked before it is handed out again.
IDLE_SECONDS_BEFORE_PING = 1.0
_CHECKED_IN_AT = "servicebureau.checked_in_at"


def ping_after_idle(engine: Engine, idle_seconds: float = IDLE_SECONDS_BEFORE_PING) -> None:
    """Check a pooled connection before use only if it sat idle, instead of before every use.

    ``pool_pre_ping`` costs a round trip on every checkout: one per request, and five per
    organisation in a premium run. A connection handed back a moment ago was alive a moment
    ago; one that sat idle (when a database restart or a dropped proxy is found) is pinged, and
    a dead one is replaced before anyone uses it (``DisconnectionError`` makes the pool retry
    with a new connection). A restart in the last second is met by the first statement, which
    fails, invalidates the pool and is answered as any outage is (``app.outages``).
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)  # gone with the DBAPI connection
        if checked_in_at is None or time.monotonic() - checked_in_at < idle_seconds:
            return  # just made, or handed back a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(str(error)) from error
        if not alive:
            raise DisconnectionError("the connection did not answer")


@contextmanager
def scratch_database(server_url: str, prefix: str = "sb_scratch") -> Iterator[str]:
    """Create ``<prefix>_<random>``, yield its SQLAlchemy URL, then drop it and its tenant roles.

    Tenant roles are cluster-wide, so they would outlive the database if not dropped here.
    """
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    scratch_url = url.set(database=name)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield scratch_url.render_as_string(hide_password=False)
    finally:
        schemas = _tenant_schemas(scratch_url.render_as_string(hide_password=False))
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            drop_roles_after_database(connection, schemas)
        admin.dispose()


def _tenant_schemas(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'org\\_%%'"
            )
            return [row[0] for row in rows]
    except Exception:
        return []
    finally:
        engine.dispose()
