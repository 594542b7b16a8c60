"""Through PgBouncer in transaction pooling mode, each organisation still sees only its books.

Every transaction may be served by another server connection, so anything a binding left on a
connection would reach the next organisation; ``SET LOCAL`` and the translate map must not.

PgBouncer reaches the test database as the suite does: over TCP, or over the embedded server's
Unix socket, so CI runs this on the embedded path too (``servers``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, make_url, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.models import Account
from tenants.binding import TenantRef, bind_session
from tenants.databases import connect_args
from tests import pgbouncer
from tests.conftest import OrgHandle

pytestmark = pytest.mark.servers

JOIN_SECONDS = 60


@pytest.fixture(scope="module")
def pooled_url(database_url: str) -> Iterator[str]:
    with pgbouncer.pgbouncer_in_front(database_url) as url:
        yield url


@pytest.fixture
def pooled_engine(pooled_url: str) -> Iterator[Engine]:
    engine = create_engine(
        pooled_url, pool_size=4, connect_args=connect_args(behind_pgbouncer=True)
    )
    yield engine
    engine.dispose()


def test_the_pooler_serves_our_database_in_transaction_mode(
    pooled_url: str, pooled_engine: Engine
) -> None:
    with pooled_engine.connect() as connection:
        database = connection.exec_driver_sql("SELECT current_database()").scalar_one()

    assert pgbouncer.pool_modes(pooled_url)[database] == "transaction"


def test_a_pooler_listening_on_a_unix_socket_serves_our_database_in_transaction_mode(
    database_url: str,
) -> None:
    with pgbouncer.pgbouncer_in_front(database_url, listen="unix") as url:
        socket_dir = make_url(url).query["host"]
        engine = create_engine(url, connect_args=connect_args(behind_pgbouncer=True))
        try:
            with engine.connect() as connection:
                database = connection.exec_driver_sql("SELECT current_database()").scalar_one()
                search_path = connection.exec_driver_sql("SHOW search_path").scalar_one()
        finally:
            engine.dispose()

        assert isinstance(socket_dir, str)
        assert socket_dir.startswith("/")
        assert search_path == "pg_catalog"
        assert pgbouncer.pool_modes(url)[database] == "transaction"


def test_an_unbound_transaction_through_the_pooler_sees_only_the_catalog(
    pooled_engine: Engine,
) -> None:
    with pooled_engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW search_path").scalar_one() == "pg_catalog"


def test_threads_taking_turns_on_pooled_connections_each_read_only_their_own_accounts(
    pooled_engine: Engine,
    make_org: Callable[..., OrgHandle],
    add_accounts: Callable[[TenantRef, list[str]], None],
) -> None:
    tenants = [make_org() for _ in range(3)]
    for n, org in enumerate(tenants):
        add_accounts(org.tenant, [f"Assets:Tenant:Pooled{n}"])
    seen: list[tuple[int, set[str]]] = []
    failures: list[BaseException] = []

    def read(n: int) -> None:
        try:
            for _ in range(15):
                with Session(pooled_engine) as session:
                    bind_session(session, tenants[n].tenant)
                    names = set(session.scalars(select(Account.name)))
                    seen.append((n, {name for name in names if "Pooled" in name}))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=read, args=(n % 3,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)

    assert not any(thread.is_alive() for thread in threads)
    assert not failures
    assert len(seen) == 90
    assert all(names == {f"Assets:Tenant:Pooled{n}"} for n, names in seen)
