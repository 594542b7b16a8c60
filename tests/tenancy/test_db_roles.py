"""Defence in depth: each bound transaction runs as its tenant's own database role."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from ledger.chart import ChartAccount
from tenants.binding import bind_session, unbind_session
from tenants.db_roles import GROUP_ROLE, ensure_tenant_role, tenant_role
from tenants.errors import ProvisioningFailed
from tenants.provisioning import NewOrganisation, delete_organisation, provision_organisation


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
    roles_before = _org_roles(engine)
    broken_chart = [ChartAccount("Assets:Bank", "Bank", "Bank", None)] * 2
    with Session(engine) as session, pytest.raises(ProvisioningFailed):
        provision_organisation(
            session, NewOrganisation(slug="no-role-left", name="Kapot"), chart=broken_chart
        )
    assert _org_roles(engine) == roles_before


def _org_roles(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT rolname FROM pg_roles WHERE rolname LIKE 'org\\_%'"))
        return {row[0] for row in rows}


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
