"""A real PgBouncer in transaction pooling mode in front of the test database.

With ``SB_TEST_PGBOUNCER=1`` the suite reaches PostgreSQL only through it (CI runs the isolation
suites so), which proves that binding a tenant per transaction holds when every transaction
may land on another server connection.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def wanted() -> bool:
    return os.environ.get("SB_TEST_PGBOUNCER", "0") not in {"0", ""}


@contextmanager
def pgbouncer_in_front(database_url: str) -> Iterator[str]:
    """Start PgBouncer for the server of ``database_url``; yield the same URL through it."""
    with PgBouncer(database_url) as bouncer:
        yield bouncer.url


class PgBouncer:
    """A PgBouncer process on a port of its own, which a test may stop and start again."""

    def __init__(self, database_url: str) -> None:
        self.server = make_url(database_url)
        self.port = _free_port()
        self.url = (
            self.server.set(port=self.port, host="127.0.0.1")
            .difference_update_query(["host"])
            .render_as_string(hide_password=False)
        )
        self._folder = tempfile.TemporaryDirectory(prefix="sb-pgbouncer-")
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PgBouncer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        self._folder.cleanup()

    def start(self) -> None:
        """Start (again) on the same port; returns once it accepts connections."""
        command = [PGBOUNCER, str(self._write_config())]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            user = _unprivileged_user()
            directory = Path(self._folder.name)
            shutil.chown(directory, user)
            for path in directory.iterdir():
                shutil.chown(path, user)
            command[1:1] = ["-u", user]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for(self.port, self._process)

    def stop(self, *, kill: bool = False) -> None:
        """Stop it: politely, or with SIGKILL, as a crashed proxy or database would go."""
        if self._process is None:
            return
        if kill:
            self._process.kill()
        else:
            self._process.terminate()
        self._process.wait(timeout=10)
        self._process = None

    def _write_config(self) -> Path:
        directory = Path(self._folder.name)
        url = self.server
        (directory / "users.txt").write_text(f'"{url.username}" ""\n')
        socket_dir = url.query.get("host")
        host = socket_dir if isinstance(socket_dir, str) else url.host or "127.0.0.1"
        server = f"host={host} port={url.port or 5432}"
        config = directory / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"* = {server} connect_query='SET search_path TO pg_catalog'\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {directory / 'users.txt'}\n"
            "pool_mode = transaction\nmax_client_conn = 400\ndefault_pool_size = 20\n"
            f"admin_users = {url.username}\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {directory / 'pgbouncer.log'}\npidfile = {directory / 'pgbouncer.pid'}\n"
        )
        return config


def pool_modes(pooled_url: str) -> dict[str, str]:
    """Each database's pool mode, as PgBouncer's admin console reports it."""
    import psycopg

    url = make_url(pooled_url)
    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        dbname="pgbouncer",
        autocommit=True,
        prepare_threshold=None,
    ) as console:
        cursor = console.execute("SHOW POOLS")
        names = [column.name for column in cursor.description or []]
        return {
            row[names.index("database")]: row[names.index("pool_mode")] for row in cursor.fetchall()
        }


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("no unprivileged user to run PgBouncer as")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"PgBouncer stopped: {process.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("PgBouncer did not start listening within 10 s")
