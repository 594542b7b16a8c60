"""Defence in depth: each bound transaction runs as its tenant's own database role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from ledger.chart import ChartAccount
from tenants.binding import bind_session, unbind_session
from tenants.db_roles import GROUP_ROLE, ensure_tenant_role, tenant_role
from tenants.errors import ProvisioningFailed
from tenants.models import User
from tenants.provisioning import NewOrganisation, delete_organisation, provision_organisation
from tenants.security_log import record
from tenants.security_models import EventKind

# On the server CI runs (PostgreSQL 15) and on the embedded one (16), whose role rules differ.
pytestmark = pytest.mark.servers


def role_exists(engine: Engine, role: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        return found.first() is not None


def test_a_bound_transaction_runs_as_the_tenants_own_role(engine, make_org):
    org = make_org()
    with Session(engine) as session:
        bind_session(session, org.tenant)
        assert session.scalar(text("SELECT current_user")) == tenant_role(org.schema_name)


def test_sql_that_names_another_organisations_schema_outright_is_denied(engine, make_org):
    alpha, beta = make_org(), make_org()
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        with pytest.raises(ProgrammingError, match="permission denied"):
            session.execute(text(f'SELECT name FROM "{beta.schema_name}".accounts')).all()


def test_a_bound_transaction_may_still_read_the_shared_tables(engine, make_org, make_user):
    org = make_org()
    make_user(org=org)
    with Session(engine) as session:
        bind_session(session, org.tenant)
        count = session.scalar(text("SELECT count(*) FROM public.memberships"))
    assert count is not None and count >= 1


def test_the_role_ends_with_the_transaction(engine, make_org):
    org = make_org()
    with Session(engine) as session:
        bind_session(session, org.tenant)
        session.scalar(text("SELECT 1"))
        session.commit()
        unbind_session(session)
        assert session.scalar(text("SELECT current_user")) != tenant_role(org.schema_name)


def test_provisioning_makes_the_role_and_deleting_drops_it(engine, make_org):
    org = make_org()
    assert role_exists(engine, tenant_role(org.schema_name))
    assert role_exists(engine, GROUP_ROLE)
    with Session(engine) as session:
        delete_organisation(session, org.slug, confirmation=org.slug)
    assert not role_exists(engine, tenant_role(org.schema_name))


def test_a_failed_provisioning_leaves_no_role_behind(engine):
    # Only the role this provisioning made is looked for: other suites on the same server
    # make and drop roles of their own meanwhile.
    broken_chart = [ChartAccount("Assets:Bank", "Bank", "Bank", None)] * 2
    new = NewOrganisation(slug="no-role-left", name="Kapot")
    with (
        roles_created(engine) as made,
        Session(engine) as session,
        pytest.raises(ProvisioningFailed),
    ):
        provision_organisation(session, new, chart=broken_chart)
    assert len(made) == 1
    assert not role_exists(engine, made[0])


@contextmanager
def roles_created(engine: Engine) -> Iterator[list[str]]:
    """The names of the tenant roles this engine's statements create inside the block."""
    made: list[str] = []

    def note(connection, cursor, statement, parameters, context, executemany) -> None:
        found = re.match(r'CREATE ROLE "?(org_[a-z0-9]+)"? NOLOGIN', statement)
        if found:
            made.append(found.group(1))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield made
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_role_that_lost_its_schema_is_granted_it_again_when_the_role_is_ensured(engine, make_org):
    org = make_org()
    role = tenant_role(org.schema_name)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'REVOKE USAGE ON SCHEMA "{org.schema_name}" FROM "{role}"')
        connection.exec_driver_sql(f'REVOKE ALL ON "{org.schema_name}".accounts FROM "{role}"')
    with engine.begin() as connection:
        ensure_tenant_role(connection, org.schema_name)
    with Session(engine) as session:
        bind_session(session, org.tenant)
        assert session.execute(text("SELECT count(*) FROM accounts")).scalar_one() > 0


def bound_to(engine: Engine, org) -> Session:
    session = Session(engine)
    bind_session(session, org.tenant)
    return session


def test_a_bound_transaction_reads_names_and_addresses_but_not_password_hashes(
    engine, make_org, make_user
):
    org = make_org()
    user = make_user(org=org)
    with bound_to(engine, org) as session:
        row = session.execute(
            text("SELECT name, email FROM public.users WHERE id = :id"), {"id": user.id}
        ).one()
        assert row.email == user.email
        with pytest.raises(ProgrammingError, match="permission denied"):
            session.execute(text("SELECT password_hash FROM public.users")).all()


def test_loading_a_user_while_bound_does_not_ask_for_the_password_hash(engine, make_org, make_user):
    org = make_org()
    user = make_user(org=org)
    with bound_to(engine, org) as session:
        loaded = session.get(User, user.id)
        assert loaded is not None and loaded.email == user.email


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE public.users SET name = 'x' WHERE id = :id",
        "UPDATE public.users SET is_bureau_admin = true WHERE id = :id",
        "DELETE FROM public.users WHERE id = :id",
        "INSERT INTO public.users (email, name, password_hash) VALUES ('x@example.org', '', 'x')",
        "UPDATE public.memberships SET role = 'owner' WHERE user_id = :id",
        "DELETE FROM public.memberships WHERE user_id = :id",
        "INSERT INTO public.memberships (user_id, organisation_id, role)"
        " SELECT :id, id, 'owner' FROM public.organisations",
        "UPDATE public.organisations SET name = 'x'",
        "UPDATE public.organisations SET schema_name = 'org_aaaaaaaa'",
        "DELETE FROM public.organisations",
        "INSERT INTO public.organisations (slug, name, schema_name)"
        " VALUES ('x-x', 'x', 'org_bbbbbbbb')",
        "INSERT INTO public.invitations (organisation_id, email, role, token_hash, expires_at)"
        " SELECT id, 'x@example.org', 'owner', 'x', now() FROM public.organisations",
        "SELECT token_hash FROM public.user_sessions",
        "UPDATE public.user_sessions SET ended_at = NULL",
        "SELECT secret FROM public.second_factors",
        "SELECT code_hash FROM public.recovery_codes",
        "SELECT token_hash FROM public.password_resets",
        "DELETE FROM public.security_events",
        "UPDATE public.security_events SET detail = ''",
    ],
)
def test_a_bound_transaction_cannot_change_people_memberships_or_organisations(
    engine, make_org, make_user, statement
):
    org = make_org()
    user = make_user(org=org)
    with bound_to(engine, org) as session, pytest.raises(ProgrammingError, match="permission"):
        session.execute(text(statement), {"id": user.id}).all()


def test_a_bound_transaction_may_add_to_the_security_log(engine, make_org, make_user):
    org = make_org()
    user = make_user(org=org)
    with bound_to(engine, org) as session:
        record(session, EventKind.BOOKS_OPENED_BY_BUREAU, user_id=user.id, organisation_id=org.id)
        session.commit()
