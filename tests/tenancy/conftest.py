"""Fixtures of the isolation and reliability suites: telling tenants apart, scratch databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import create_engine, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.models import Account
from tenants.binding import TenantRef, bind_session
from tenants.databases import connect_args, scratch_database
from tenants.db_roles import drop_tenant_role
from tenants.migrations import upgrade_public
from tenants.models import Organisation
from tests import pgbouncer

UNBOUND_SEARCH_PATH = connect_args(behind_pgbouncer=pgbouncer.wanted())


def account(name: str) -> Account:
    """An account whose name tells which tenant wrote it."""
    return Account(name=name, type=name.split(":", 1)[0], opened_on=date(2026, 1, 1))


@pytest.fixture
def add_accounts(engine: Engine) -> Callable[[TenantRef, list[str]], None]:
    """Write accounts into one tenant's books through a bound session."""

    def add(tenant: TenantRef, names: list[str]) -> None:
        with Session(engine) as session:
            bind_session(session, tenant)
            session.add_all(account(name) for name in names)
            session.commit()

    return add


@pytest.fixture(scope="module")
def scratch_engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database of its own, with the public schema at head.

    Migration tests upgrade every tenant in their database; a database of their own keeps
    those upgrades from reaching the organisations the rest of the suite made. Tests using it
    remove what they provisioned (see ``remove_every_organisation``).
    """
    with scratch_database(database_url) as url:
        engine = create_engine(url, connect_args=UNBOUND_SEARCH_PATH)
        upgrade_public(engine)
        yield engine
        engine.dispose()


def remove_every_organisation(engine: Engine) -> None:
    """Drop every tenant schema and registry row of a scratch database."""
    with Session(engine) as session:
        for schema in session.scalars(select(Organisation.schema_name)):
            session.connection().exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            drop_tenant_role(session.connection(), schema)
        session.execute(delete(Organisation))
        session.commit()
