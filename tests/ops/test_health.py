"""``/healthz`` answers without the database; ``/readyz`` checks the database, Redis, the
migrations and a worker, and answers 503 naming what is wrong."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from rq import Worker
from sqlalchemy import event, text

from app import create_app
from tests.purchasing.books import redis_url_of

pytestmark = pytest.mark.servers  # CI runs these on the embedded servers too


def test_healthz_answers_while_the_process_lives_without_asking_the_database(client, engine):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert (response.status_code, response.json) == (200, {"status": "ok"})
    assert seen == []


def test_readyz_is_ready_only_while_a_worker_is_seen(app, client, app_redis):
    for stale in Worker.all(connection=app_redis):  # left by tests that killed their workers
        stale.register_death()
    waiting = client.get("/readyz")
    assert waiting.status_code == 503
    checks = waiting.json["checks"]
    assert [name for name, check in checks.items() if not check["ok"]] == ["worker"]
    assert checks["migrations"]["tenants_behind"] == 0

    with _worker_process(app, app_redis):
        ready = _poll(client, 200)
        assert ready.json["status"] == "ok"
        assert ready.json["checks"]["worker"]["last_seen_at"]
    assert _poll(client, 503).json["checks"]["worker"]["ok"] is False


def test_readyz_answers_503_when_an_organisation_is_behind_the_migrations(client, engine, make_org):
    org = make_org()
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE public.organisations SET tenant_revision = 'old' WHERE id = :id"),
            {"id": org.id},
        )
    try:
        response = client.get("/readyz")
    finally:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE public.organisations SET tenant_revision = "
                    "(SELECT tenant_revision FROM public.organisations WHERE id <> :id "
                    " AND tenant_revision IS NOT NULL LIMIT 1) WHERE id = :id"
                ),
                {"id": org.id},
            )
    assert response.status_code == 503
    migrations = response.json["checks"]["migrations"]
    assert migrations["ok"] is False and migrations["tenants_behind"] == 1
    assert migrations["public_revision"] == migrations["public_head"]


def test_readyz_answers_503_when_redis_or_the_database_cannot_be_reached(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    no_redis = app.test_client().get("/readyz")
    assert no_redis.status_code == 503
    checks = no_redis.json["checks"]
    assert checks["redis"]["ok"] is False and "ConnectionError" in checks["redis"]["error"]
    assert checks["worker"]["ok"] is False
    assert checks["database"]["ok"] is True

    unreachable = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/nothing",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    response = unreachable.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False
    assert "OperationalError" in response.json["checks"]["database"]["error"]
    assert response.json["checks"]["migrations"]["ok"] is False


@contextmanager
def _worker_process(app, connection) -> Iterator[subprocess.Popen[bytes]]:
    environment = {
        **os.environ,
        "DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]),
        "REDIS_URL": redis_url_of(connection),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)  # rq's warm shutdown: it leaves the registry
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise


def _poll(client, status: int, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/readyz")
        if response.status_code == status or time.monotonic() > deadline:
            assert response.status_code == status, response.json
            return response
        time.sleep(0.3)
