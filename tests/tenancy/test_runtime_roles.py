"""Production's two logins: the runtime login owns nothing and is no superuser; an owner migrates.

A database of its own gets the setup docs/OPERATIONS.md prescribes: an owner login (owner of
the database, CREATEROLE) that runs the migrations and makes organisations, and a runtime
login that is only given ``sb_app``. The whole application then runs on the runtime login,
with ``SB_MIGRATIONS_DATABASE_URL`` naming the owner.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from app import create_app
from ledger.models import Account
from tenants.binding import bind_session, tenant_ref
from tenants.databases import UNBOUND_SEARCH_PATH, scratch_database
from tenants.db_roles import APP_ROLE, GROUP_ROLE
from tenants.errors import RoleGrantMissing
from tenants.migrations import upgrade_public
from tenants.people import add_member, create_user
from tenants.queries import organisation_by_slug
from tenants.roles import Role
from tests.conftest import PASSWORD, SECOND_FACTORS, login, set_up_second_factor

# Both logins on the server CI runs (PostgreSQL 15) and on the embedded one (16).
pytestmark = pytest.mark.servers


@dataclass(frozen=True)
class Logins:
    """The URLs of the two logins on one database, and the runtime login's name."""

    owner_url: str
    runtime_url: str
    runtime: str


@pytest.fixture(scope="module")
def logins(database_url: str) -> Iterator[Logins]:
    suffix = secrets.token_hex(3)
    owner, runtime = f"sb_test_owner_{suffix}", f"sb_test_runtime_{suffix}"
    admin = create_engine(
        make_url(database_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {owner} LOGIN CREATEROLE")
        connection.exec_driver_sql(f"CREATE ROLE {runtime} LOGIN")
        # The shared roles are cluster-wide: made by an earlier suite, they belong to another
        # role, and since PostgreSQL 16 only a holder of ADMIN OPTION may grant them on.
        for role in (APP_ROLE, GROUP_ROLE):
            if connection.exec_driver_sql(
                "SELECT 1 FROM pg_roles WHERE rolname = %(name)s", {"name": role}
            ).first():
                connection.exec_driver_sql(f"GRANT {role} TO {owner} WITH ADMIN OPTION")
    try:
        with scratch_database(database_url, prefix="sb_roles") as url:
            scratch = make_url(url)
            with admin.connect() as connection:
                connection.exec_driver_sql(f'ALTER DATABASE "{scratch.database}" OWNER TO {owner}')
            owner_url = scratch.set(username=owner).render_as_string(hide_password=False)
            owner_engine = create_engine(owner_url, connect_args={"options": UNBOUND_SEARCH_PATH})
            upgrade_public(owner_engine)  # makes sb_app and grants it the shared tables
            owner_engine.dispose()
            with admin.connect() as connection:
                connection.exec_driver_sql(f"GRANT {APP_ROLE} TO {runtime}")
            yield Logins(
                owner_url=owner_url,
                runtime_url=scratch.set(username=runtime).render_as_string(hide_password=False),
                runtime=runtime,
            )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {runtime}")
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {owner}")
        admin.dispose()


@pytest.fixture(scope="module")
def split_app(logins: Logins, redis_url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": logins.runtime_url,
            "SB_MIGRATIONS_DATABASE_URL": logins.owner_url,
            "REDIS_URL": redis_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
        }
    )


@pytest.fixture(scope="module")
def runtime_engine(logins: Logins) -> Iterator[Engine]:
    engine = create_engine(logins.runtime_url, connect_args={"options": UNBOUND_SEARCH_PATH})
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def made_by_the_bureau(split_app: Flask, runtime_engine: Engine) -> str:
    """Bureau staff make an organisation on its page and become its owner; returns its slug."""
    with Session(runtime_engine, expire_on_commit=False) as session:
        staff = create_user(
            session, f"staff-{secrets.token_hex(3)}@example.org", PASSWORD, is_bureau_admin=True
        )
        SECOND_FACTORS[staff.id] = set_up_second_factor(session, staff.id)
        session.commit()
    client = split_app.test_client()
    login(client, staff)
    slug = f"split-{secrets.token_hex(3)}"
    answer = client.post(
        "/bureau/organisations", data={"name": "Stichting Splitsing", "slug": slug}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    with Session(runtime_engine) as session:
        organisation = organisation_by_slug(session, slug)
        assert organisation is not None
        add_member(session, staff.id, organisation.id, Role.OWNER)
        session.commit()
    split_app.config["TEST_STAFF"] = staff
    return slug


def test_the_runtime_login_is_no_superuser_and_owns_no_schema_or_table(
    runtime_engine, made_by_the_bureau
):
    with runtime_engine.connect() as connection:
        role = connection.execute(
            text(
                "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles"
                " WHERE rolname = current_user"
            )
        ).one()
        assert tuple(role) == (False, False, False)
        owned = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)"
                "     + (SELECT count(*) FROM pg_class WHERE relowner = r.oid)"
                " FROM pg_roles AS r WHERE r.rolname = current_user"
            )
        ).scalar_one()
        assert owned == 0
        schema_owner = connection.execute(
            text(
                "SELECT pg_get_userbyid(n.nspowner) FROM pg_namespace AS n"
                " JOIN public.organisations AS o ON o.schema_name = n.nspname WHERE o.slug = :s"
            ),
            {"s": made_by_the_bureau},
        ).scalar_one()
        assert schema_owner.startswith("sb_test_owner_")


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE public.users ADD COLUMN stolen text",
        "DROP TABLE public.security_events",
        "TRUNCATE public.invoices",
        "CREATE SCHEMA org_intruder",
        "CREATE TABLE public.intruder (id int)",
        "CREATE ROLE intruder",
    ],
)
def test_the_runtime_login_cannot_change_the_structure(runtime_engine, statement):
    with runtime_engine.connect() as connection, pytest.raises(ProgrammingError):
        connection.exec_driver_sql(statement)


def test_bound_to_a_tenant_the_runtime_login_keeps_the_books_and_cannot_read_password_hashes(
    runtime_engine, made_by_the_bureau
):
    with Session(runtime_engine) as session:
        organisation = organisation_by_slug(session, made_by_the_bureau)
        assert organisation is not None
        bind_session(session, tenant_ref(organisation))
        assert session.query(Account).count() > 0
        with pytest.raises(ProgrammingError, match="permission denied"):
            session.execute(text("SELECT password_hash FROM public.users")).all()


def test_the_application_works_on_the_runtime_login(split_app, made_by_the_bureau):
    client = split_app.test_client()
    login(client, split_app.config["TEST_STAFF"])
    for page in ("/", "/members", "/settings", "/settings/security-log"):
        answer = client.get(f"/o/{made_by_the_bureau}{page}")
        assert answer.status_code == 200, (page, answer.get_data(as_text=True)[:300])
    renamed = {"form": "details", "name": "Stichting Gesplitst", "kvk_number": "", "rsin": ""}
    answer = client.post(f"/o/{made_by_the_bureau}/settings/details", data=renamed)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    account = {"form": "account", "account_name": "Expenses:Splitsing", "label_nl": "Splitsing"}
    answer = client.post(f"/o/{made_by_the_bureau}/settings/accounts", data=account)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    page = client.get(f"/o/{made_by_the_bureau}/settings").get_data(as_text=True)
    assert "Stichting Gesplitst" in page
    assert "<td>Splitsing</td>" in page or ">Splitsing<" in page


def test_an_owner_that_may_not_take_the_shared_roles_is_told_the_one_grant_it_needs(
    database_url: str,
):
    """The shared roles exist already (made by the superuser): PostgreSQL 16 and later refuse
    a CREATEROLE owner to take them without ADMIN OPTION; migrate then names the grant.
    PostgreSQL 15 lets CREATEROLE take them, so there the owner migrates."""
    suffix = secrets.token_hex(3)
    owner = f"sb_test_owner_{suffix}"
    admin = create_engine(
        make_url(database_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version_num").scalar_one()
        connection.exec_driver_sql(f"CREATE ROLE {owner} LOGIN CREATEROLE")
        for role in (APP_ROLE, GROUP_ROLE):  # as an earlier installation leaves them
            if not connection.exec_driver_sql(
                "SELECT 1 FROM pg_roles WHERE rolname = %(name)s", {"name": role}
            ).first():
                connection.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
    try:
        with scratch_database(database_url, prefix="sb_roles") as url:
            with admin.connect() as connection:
                database = make_url(url).database
                connection.exec_driver_sql(f'ALTER DATABASE "{database}" OWNER TO {owner}')
            owner_engine = create_engine(
                make_url(url).set(username=owner), connect_args={"options": UNBOUND_SEARCH_PATH}
            )
            try:
                if int(version) >= 160000:
                    with pytest.raises(RoleGrantMissing, match="WITH ADMIN OPTION"):
                        upgrade_public(owner_engine)
                else:
                    upgrade_public(owner_engine)
            finally:
                owner_engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {owner}")
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {owner}")
        admin.dispose()
