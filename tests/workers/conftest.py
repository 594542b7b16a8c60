"""A Redis database of its own for each test process, so workers never take each other's jobs."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from redis import Redis

from tests.job_queues import empty_queues
from workers.queues import redis_connection


@pytest.fixture
def job_redis(redis_url: str) -> Iterator[Redis]:
    """Redis database 14 or 15 (one per xdist process) on the test server, queues emptied."""
    worker_index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    base = redis_url.rsplit("/", 1)[0] if redis_url.startswith("redis://") else redis_url
    url = f"{base}/{14 + worker_index % 2}" if redis_url.startswith("redis://") else redis_url
    connection = redis_connection(url)
    empty_queues(connection)
    yield connection
    connection.close()
