"""Fixtures of the operations tests: the app's own Redis, emptied, and captured JSON logs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from redis import Redis

from tests.job_queues import empty_queues
from workers.queues import redis_connection


@pytest.fixture
def app_redis(app: Flask) -> Iterator[Redis]:
    """The Redis the application itself reads (its REDIS_URL), queues and failures emptied."""
    connection = redis_connection(app.config["REDIS_URL"])
    empty_queues(connection)
    yield connection
    connection.close()


class LogLines:
    """Every JSON line written to standard error during the test, parsed."""

    def __init__(self, capture: pytest.CaptureFixture[str]) -> None:
        self.capture = capture
        self.written = ""

    def all(self) -> list[dict[str, Any]]:
        self.written += self.capture.readouterr().err
        return [json.loads(line) for line in self.written.splitlines() if line.startswith("{")]

    def events(self, event: str) -> list[dict[str, Any]]:
        return [line for line in self.all() if line.get("event") == event]


@pytest.fixture
def log_lines(capsys: pytest.CaptureFixture[str]) -> LogLines:
    """The application's log lines, ours and the libraries', as it writes them to standard
    error (both its log paths write to whatever ``sys.stderr`` is at the time)."""
    return LogLines(capsys)
