"""``/healthz`` (the process lives) and ``/readyz`` (it can do its work), as JSON for probes.

``/healthz`` touches nothing outside the process: a load balancer may restart a process that
fails it. ``/readyz`` checks what a request or job needs: the database answers, Redis answers,
the public and tenant schemas are at this release's head, and a worker was seen lately in rq's
worker registry. Any failed check answers 503, so traffic goes elsewhere until it passes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from redis import Redis

from app.extensions import db
from tenants.readiness import migration_state
from workers.registries import WORKER_SEEN_WITHIN, last_worker_seen_at

blueprint = Blueprint("health", __name__)

Check = dict[str, Any]
PROBE_TIMEOUT = 3  # seconds: a probe that waits longer than its caller is no answer


def register(app: Flask) -> None:
    app.register_blueprint(blueprint)


@blueprint.route("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


@blueprint.route("/readyz")
def readyz() -> ResponseReturnValue:
    checks = _database_checks()
    checks["redis"] = _run(_redis)
    checks["worker"] = _run(_worker) if checks["redis"]["ok"] else _skipped("Redis")
    is_ready = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if is_ready else "unavailable", "checks": checks}
    return jsonify(body), 200 if is_ready else 503


def _database_checks() -> dict[str, Check]:
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = '{PROBE_TIMEOUT}s'")
            state = migration_state(connection)
    except Exception as error:  # any failure to reach a service is an answer, not a crash
        return {"database": _failure(error), "migrations": _skipped("the database")}
    migrations = {
        "ok": state.is_at_head,
        "public_revision": state.public_revision,
        "public_head": state.public_head,
        "tenants_behind": state.tenants_behind,
    }
    return {"database": {"ok": True}, "migrations": migrations}


def _redis() -> Check:
    with _redis_client() as connection:
        return {"ok": bool(connection.ping())}


def _worker() -> Check:
    with _redis_client() as connection:
        seen_at = last_worker_seen_at(connection)
    if seen_at is None:
        return {"ok": False, "last_seen_at": None, "error": "no worker in rq's worker registry"}
    is_recent = datetime.now(UTC) - seen_at <= WORKER_SEEN_WITHIN
    return {"ok": is_recent, "last_seen_at": seen_at.isoformat()}


def _run(check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as error:  # any failure to reach a service is an answer, not a crash
        return _failure(error)


def _failure(error: Exception) -> Check:
    return {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}


def _skipped(needs: str) -> Check:
    return {"ok": False, "error": f"not checked: {needs} is unreachable"}


def _redis_client() -> Redis[bytes]:
    return Redis.from_url(
        current_app.config["REDIS_URL"],
        socket_timeout=PROBE_TIMEOUT,
        socket_connect_timeout=PROBE_TIMEOUT,
    )
