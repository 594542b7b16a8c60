"""A real PgBouncer in transaction pooling mode in front of the test database.

With ``SB_TEST_PGBOUNCER=1`` the suite reaches PostgreSQL only through it (CI runs the isolation
suites so), which proves that binding a tenant per transaction holds when every transaction
may land on another server connection.

The server behind it may be reached over TCP (the machine's PostgreSQL) or over a Unix socket
(the embedded pgserver, whose socket folder only its own system user may enter); PgBouncer
itself listens on TCP, as in production, or on a Unix socket in its own folder.
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
from typing import Any, Literal

from sqlalchemy import make_url
from sqlalchemy.engine import URL

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
START_SECONDS = 10.0

Listen = Literal["tcp", "unix"]


def wanted() -> bool:
    return os.environ.get("SB_TEST_PGBOUNCER", "0") not in {"0", ""}


@contextmanager
def pgbouncer_in_front(database_url: str, *, listen: Listen = "tcp") -> Iterator[str]:
    """Start PgBouncer for the server of ``database_url``; yield the same URL through it."""
    with PgBouncer(database_url, listen=listen) as bouncer:
        yield bouncer.url


class PgBouncer:
    """A PgBouncer process of its own (port or socket), which a test may stop and start again."""

    def __init__(self, database_url: str, *, listen: Listen = "tcp") -> None:
        self.server = make_url(database_url)
        self.listen = listen
        self.port = _free_port()
        self._folder = tempfile.TemporaryDirectory(prefix="sb-pgbouncer-")
        self.folder = Path(self._folder.name)
        self.url = _through(self.server, self.listen, self.folder, self.port).render_as_string(
            hide_password=False
        )
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PgBouncer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        self._folder.cleanup()

    @property
    def log(self) -> str:
        """PgBouncer's own log, for a failure's message."""
        path = self.folder / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        """Start (again) on the same port or socket; returns once it accepts connections."""
        command = [PGBOUNCER, str(self._write_config())]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            user = _run_as(backend_socket_dir(self.server))
            shutil.chown(self.folder, user)
            for path in self.folder.iterdir():
                shutil.chown(path, user)
            command[1:1] = ["-u", user]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_until_listening(self._process)

    def stop(self, *, kill: bool = False) -> None:
        """Stop it: politely, or with SIGKILL, as a crashed proxy or database would go."""
        if self._process is None:
            return
        if kill:
            self._process.kill()
        else:
            self._process.terminate()
        self._process.wait(timeout=START_SECONDS)
        self._process = None

    def _write_config(self) -> Path:
        directory = self.folder
        url = self.server
        (directory / "users.txt").write_text(f'"{url.username}" ""\n')
        server = f"host={backend_socket_dir(url) or url.host or '127.0.0.1'} port={_port_of(url)}"
        if self.listen == "unix":
            listen = f"listen_addr =\nlisten_port = {self.port}\nunix_socket_dir = {directory}\n"
        else:
            listen = f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
        config = directory / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"* = {server} connect_query='SET search_path TO pg_catalog'\n"
            "[pgbouncer]\n"
            f"{listen}"
            f"auth_type = trust\nauth_file = {directory / 'users.txt'}\n"
            # Logins a test makes (the runtime and owner logins) are looked up on the server.
            f"auth_user = {url.username}\n"
            "pool_mode = transaction\nmax_client_conn = 400\ndefault_pool_size = 20\n"
            # A server that is away fails a test within half a minute, not after two.
            "server_connect_timeout = 5\nquery_wait_timeout = 30\n"
            f"admin_users = {url.username}\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {directory / 'pgbouncer.log'}\npidfile = {directory / 'pgbouncer.pid'}\n"
        )
        return config

    def _wait_until_listening(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"PgBouncer stopped: {stderr[-500:]}{self.log[-1000:]}")
            try:
                _connect(self.listen, self.folder, self.port)
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"PgBouncer did not listen within {START_SECONDS:.0f} s: {self.log}")


def backend_socket_dir(url: URL) -> str | None:
    """The folder of the server's Unix socket (``?host=/path``, as libpq takes it), if any."""
    host = url.query.get("host")
    if isinstance(host, str) and host.startswith("/"):
        return host
    return None


def pool_modes(pooled_url: str) -> dict[str, str]:
    """Each database's pool mode, as PgBouncer's admin console reports it."""
    import psycopg

    url = make_url(pooled_url)
    with psycopg.connect(
        **_host_and_port(url),
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


def _through(server: URL, listen: Listen, folder: Path, port: int) -> URL:
    """``server``'s URL (user, database) as reached through PgBouncer."""
    url = server.difference_update_query(["host", "port"])
    if listen == "unix":
        return url._replace(host=None, port=port).update_query_dict({"host": str(folder)})
    return url.set(host="127.0.0.1", port=port)


def _host_and_port(url: URL) -> dict[str, Any]:
    return {"host": backend_socket_dir(url) or url.host, "port": _port_of(url)}


def _port_of(url: URL) -> int:
    """The port as libpq would take it: in the URL, its query, ``PGPORT``, else 5432.

    Over a Unix socket the port names the socket file (``.s.PGSQL.<port>``).
    """
    query_port = url.query.get("port")
    if url.port:
        return url.port
    if isinstance(query_port, str) and query_port.isdigit():
        return int(query_port)
    return int(os.environ.get("PGPORT") or 5432)


def _run_as(socket_dir: str | None) -> str:
    """The user PgBouncer drops to: one that may enter the server's socket folder.

    pgserver keeps its socket in its data folder (0700, its own system user); the machine's
    server in /var/run/postgresql, which anyone may enter.
    """
    if socket_dir is not None:
        owner = os.stat(socket_dir).st_uid
        if owner != 0:
            return pwd.getpwuid(owner).pw_name
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


def _connect(listen: Listen, folder: Path, port: int) -> None:
    if listen == "unix":
        with socket.socket(socket.AF_UNIX) as probe:
            probe.settimeout(0.2)
            probe.connect(str(folder / f".s.PGSQL.{port}"))
        return
    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
