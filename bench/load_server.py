"""gunicorn serving ``wsgi:app`` as in production, on a scratch database, for the load benchmark."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ServerKind:
    """``sync:4`` (4 sync workers) or ``gthread:4x2`` (4 workers of 2 threads each).

    ``sync:4@../other`` serves the code of another checkout (``git worktree add ../other REV``)
    on the same data: an earlier revision measured between runs of this one, so both meet the
    same minutes of a shared machine. Its migrations must be those of this checkout.
    ``sync:3+prepared=2000`` sets ``SB_PREPARED_STATEMENTS`` for that server.
    """

    worker_class: str
    workers: int
    threads: int = 1
    checkout: Path | None = None
    prepared: int | None = None

    @classmethod
    def parse(cls, spec: str) -> ServerKind:
        spec, _at, checkout = spec.partition("@")
        spec, _plus, setting = spec.partition("+prepared=")
        worker_class, _sep, size = spec.partition(":")
        workers, _x, threads = size.partition("x")
        where = Path(checkout).resolve() if checkout else None
        prepared = int(setting) if setting else None
        return cls(worker_class, int(workers or 4), int(threads or 1), where, prepared)

    @property
    def root(self) -> Path:
        return self.checkout or ROOT

    def __str__(self) -> str:
        if self.worker_class == "sync":
            name = f"{self.workers} sync workers"
        else:
            name = f"{self.workers} {self.worker_class} workers × {self.threads} threads"
        if self.prepared is not None:
            name += f", {self.prepared} prepared statements"
        return f"{name} ({revision(self.checkout)})" if self.checkout else name


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(
    kind: ServerKind, database_url: str, redis_url: str, secret_key: str, work: Path
) -> Iterator[Server]:
    """Start ``gunicorn wsgi:app`` with production settings from the environment; stop it after.

    CSRF protection, the login limit, secure cookies and strong session protection stay as
    in production; only the database, Redis, the secret key and the instance folder are set.
    """
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secret_key,
        "SB_INSTANCE_DIR": str(work / "instance"),
        "SB_PUBLIC_URL": f"http://127.0.0.1:{port}",  # wsgi.py refuses to start without it
        "PYTHONPATH": str(kind.root),
    }
    if kind.prepared is not None:
        environment["SB_PREPARED_STATEMENTS"] = str(kind.prepared)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "wsgi:app",
        f"--workers={kind.workers}",
        f"--worker-class={kind.worker_class}",
        f"--threads={kind.threads}",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
    ]
    log = work / f"gunicorn-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=kind.root, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_up(port, process, log)
        yield Server(port, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def revision(checkout: Path) -> str:
    """The commit a checkout is at, short, for the results' row names."""
    found = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or str(checkout)


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")
