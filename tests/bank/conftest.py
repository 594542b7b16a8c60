"""Fixtures for bank tests: an organisation whose books open in 2020, and the statement files."""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tenants.binding import bind_session
from tenants.provisioning import NewOrganisation, provision_organisation
from tests.conftest import OrgHandle
from tests.job_queues import empty_queues
from workers.queues import redis_connection

FILES = Path(__file__).parent / "files"
_numbers = itertools.count(1)


def statement_file(name: str) -> bytes:
    return (FILES / name).read_bytes()


@pytest.fixture
def org(engine: Engine) -> OrgHandle:
    """A fresh organisation with the default chart, open since 2020 (the files are from 2024)."""
    slug = f"bank-{next(_numbers)}-{secrets.token_hex(3)}"
    with Session(engine) as session:
        tenant = provision_organisation(
            session,
            NewOrganisation(slug=slug, name="Wijkvereniging"),
            books_open_on=date(2020, 1, 1),
        )
    return OrgHandle(tenant.organisation_id, slug, "Wijkvereniging", tenant.schema_name)


@pytest.fixture
def books(engine: Engine, org: OrgHandle) -> Iterator[Session]:
    with Session(engine) as session:
        bind_session(session, org.tenant)
        yield session


@pytest.fixture
def job_redis_url(redis_url: str) -> str:
    """Redis database 14 or 15 (one per xdist process), apart from the one tests share."""
    worker_index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    if not redis_url.startswith("redis://"):
        return redis_url
    return f"{redis_url.rsplit('/', 1)[0]}/{14 + worker_index % 2}"


@pytest.fixture
def job_redis(job_redis_url: str) -> Iterator[Redis]:
    """A connection to that database, queues emptied, so no worker takes another's jobs."""
    connection = redis_connection(job_redis_url)
    empty_queues(connection)
    yield connection
    connection.close()
