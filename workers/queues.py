"""The rq queues by name, and how to reach them from a Redis URL."""

from __future__ import annotations

from redis import Redis
from rq import Queue

DEFAULT = "default"
LEDGER = "ledger"
RUNS = "runs"

# In priority order: a worker takes from the first non-empty queue, so quick interactive jobs
# are not stuck behind a long premium or invoice run.
QUEUE_NAMES: tuple[str, ...] = (DEFAULT, LEDGER, RUNS)


def redis_connection(url: str) -> Redis[bytes]:
    """A Redis client for rq; rq stores pickled bytes, so responses are not decoded."""
    return Redis.from_url(url)


def queue(name: str, connection: Redis[bytes]) -> Queue:
    """One of our queues; refuses names that no worker listens to."""
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}; known: {', '.join(QUEUE_NAMES)}")
    return Queue(name, connection=connection)


def all_queues(connection: Redis[bytes]) -> list[Queue]:
    return [Queue(name, connection=connection) for name in QUEUE_NAMES]
