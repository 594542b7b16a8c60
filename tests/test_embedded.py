"""`servicebureau serve --demo` embedded: serves, works jobs, stops clean, keeps its data."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode

import pyotp
import pytest
from redis import Redis
from rq import Queue
from rq.job import JobStatus
from sqlalchemy import create_engine, text

from tenants.demo import DEMO_PASSWORD
from workers.jobs import count_accounts
from workers.queues import DEFAULT

pytestmark = pytest.mark.embedded

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120
STOP_TIMEOUT = 60
JOB_TIMEOUT = 60


@dataclass
class Served:
    """A running ``serve`` process and what it printed."""

    process: subprocess.Popen[bytes]
    log: Path
    port: int

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    @property
    def database_url(self) -> str:
        found = re.search(r"^database: (\S+)$", self.output, re.MULTILINE)
        assert found, self.output
        return found.group(1)

    @property
    def redis_socket(self) -> str:
        found = re.search(r"^redis: unix://(\S+)$", self.output, re.MULTILINE)
        assert found, self.output
        return found.group(1)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def scratch_dir() -> Iterator[Path]:
    """A folder of our own: pytest prunes old numbered temp folders, even of a running session."""
    with tempfile.TemporaryDirectory(prefix="sb-embedded-", ignore_cleanup_errors=True) as path:
        yield Path(path)


def test_serve_with_demo_keeps_its_data_and_leaves_no_server_behind(scratch_dir):
    instance = scratch_dir / "instance"
    port = _free_port()

    with _serving(instance, port, scratch_dir / "first.log") as first:
        login_page = urllib.request.build_opener().open(first.url("/login"), timeout=10)
        assert login_page.status == 200
        assert "Wachtwoord" in login_page.read().decode()
        home = _logged_in_home(first, "vrijwilliger@example.org")
        assert "Stichting De Groene Schakel" in home
        assert "Speeltuinvereniging De Klimboom" in home
        with Redis(unix_socket_path=first.redis_socket) as redis:
            redis.set("embedded-test", "kept")
        secret = re.search(r"add this key to the app .*: ([A-Z2-7]+)$", first.output, re.M)
        assert secret, first.output
        bureau_home = _logged_in_home(first, "bureau@example.org", totp_secret=secret.group(1))
        assert "Servicebureau Buurtkracht" in bureau_home
        counted, in_the_books = _accounts_counted_by_the_worker(first, "groene-schakel")
        assert counted == in_the_books > 0
    assert "demo: filled this new instance" in first.output
    assert _processes_mentioning(str(instance)) == []

    with _serving(instance, port, scratch_dir / "second.log") as second:
        home = _logged_in_home(second, "penningmeester@example.org")
        assert "Stichting De Groene Schakel" in home
        with Redis(unix_socket_path=second.redis_socket) as redis:
            assert redis.get("embedded-test") == b"kept"
    assert "already holds the demo data" in second.output
    assert "demo: filled" not in second.output
    assert _processes_mentioning(str(instance)) == []


@contextmanager
def _serving(instance: Path, port: int, log: Path) -> Iterator[Served]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    environment["SB_INSTANCE_DIR"] = str(instance)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--demo"],
            cwd=ROOT,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = Served(process, log, port)
    try:
        _wait_until_answering(served)
        yield served
    finally:
        _stop(process)
    assert process.returncode == 0, served.output[-3000:]


def _wait_until_answering(served: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert served.process.poll() is None, served.output[-3000:]
        try:
            urllib.request.build_opener().open(served.url("/login"), timeout=2).close()
            return
        except (URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise AssertionError(f"serve did not answer in {START_TIMEOUT}s:\n{served.output[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def _logged_in_home(served: Served, email: str, totp_secret: str | None = None) -> str:
    """Log in through the real form (CSRF token and all) and return the page it lands on."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    fields = {"email": email, "password": DEMO_PASSWORD}
    response = _post_form(opener, served.url("/login"), fields)
    assert not response.url.endswith("/login"), "login failed"
    if totp_secret is not None:
        assert response.url.endswith("/login/code")
        code = pyotp.TOTP(totp_secret).now()
        response = _post_form(opener, served.url("/login/code"), {"code": code})
        assert not response.url.endswith("/login/code"), "the code was refused"
    return response.read().decode()


def _post_form(opener: urllib.request.OpenerDirector, url: str, fields: dict[str, str]) -> Any:
    form = opener.open(url, timeout=10).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token, form
    data = urlencode({"csrf_token": token.group(1), **fields})
    return opener.open(url, data=data.encode(), timeout=10)


def _accounts_counted_by_the_worker(served: Served, slug: str) -> tuple[int, int]:
    """Queue a job on the embedded Redis, wait for the worker that ``serve`` started to do it,
    and return its answer next to what the organisation's books hold."""
    engine = create_engine(served.database_url)
    try:
        with engine.connect() as connection:
            organisation_id, schema = connection.execute(
                text("SELECT id, schema_name FROM public.organisations WHERE slug = :slug"),
                {"slug": slug},
            ).one()
            in_the_books = connection.scalar(text(f'SELECT count(*) FROM "{schema}".accounts'))
    finally:
        engine.dispose()
    with Redis(unix_socket_path=served.redis_socket) as redis:
        job = Queue(DEFAULT, connection=redis).enqueue(count_accounts, organisation_id)
        deadline = time.monotonic() + JOB_TIMEOUT
        while job.get_status() not in (JobStatus.FINISHED, JobStatus.FAILED):
            assert time.monotonic() < deadline, f"no worker did the job:\n{served.output[-3000:]}"
            time.sleep(0.2)
        result = job.latest_result()
        assert job.get_status() == JobStatus.FINISHED, result and result.exc_string
        return int(job.return_value()), int(in_the_books)


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes whose arguments or environment name ``text``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
            state = (proc / "stat").read_text().split(") ", 1)[1][0]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if state != "Z" and (text in cmdline or text in environ):
            found.append(f"{proc.name}: {cmdline}")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
