"""Fixtures of the operations tests: the app's own Redis, emptied, and captured JSON logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq.registry import FailedJobRegistry

from app.logs import log_formatter
from workers.queues import all_queues, redis_connection


@pytest.fixture
def app_redis(app: Flask) -> Iterator[Redis]:
    """The Redis the application itself reads (its REDIS_URL), queues and failures emptied."""
    connection = redis_connection(app.config["REDIS_URL"])
    for queue in all_queues(connection):
        queue.empty()
        registry = FailedJobRegistry(queue=queue)
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    yield connection
    connection.close()


class LogLines:
    """Every log line written while it was installed, parsed as JSON."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def all(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]

    def events(self, event: str) -> list[dict[str, Any]]:
        return [line for line in self.all() if line.get("event") == event]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    """The application's log lines, through the formatter it uses on standard error."""
    lines = LogLines()
    handler = logging.StreamHandler(lines.stream)
    handler.setFormatter(log_formatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
