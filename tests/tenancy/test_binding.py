"""A session bound to one organisation reads and writes only that organisation's books."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.orm import Session

from ledger.models import Account
from tenants.binding import (
    TenantRef,
    apply_to_connection,
    bind_session,
    bound_tenant,
    unbind_session,
)
from tenants.errors import TenantBindingError
from tests.tenancy.conftest import UNBOUND_SEARCH_PATH, account


def names(session: Session) -> set[str]:
    return set(session.scalars(select(Account.name)))


def own(prefix: str, session: Session) -> set[str]:
    return {name for name in names(session) if "Tenant" in name and prefix in name}


def search_path(session: Session) -> str:
    return str(session.execute(text("SHOW search_path")).scalar_one())


@pytest.fixture
def two_orgs(make_org, add_accounts):
    alpha, beta = make_org(), make_org()
    add_accounts(alpha.tenant, ["Assets:Tenant:Alpha"])
    add_accounts(beta.tenant, ["Assets:Tenant:Beta"])
    return alpha, beta


@pytest.fixture
def single_connection_engine(database_url: str) -> Iterator[Engine]:
    """One pooled connection, so the next session surely gets the one the last one used."""
    engine = create_engine(
        database_url, pool_size=1, max_overflow=0, connect_args=UNBOUND_SEARCH_PATH
    )
    yield engine
    engine.dispose()


def test_a_bound_session_reads_only_its_own_organisations_accounts(engine, two_orgs):
    alpha, beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        assert "Assets:Tenant:Alpha" in names(session)
        assert "Assets:Tenant:Beta" not in names(session)
    with Session(engine) as session:
        bind_session(session, beta.tenant)
        assert "Assets:Tenant:Beta" in names(session)
        assert "Assets:Tenant:Alpha" not in names(session)


def test_unqualified_text_sql_in_a_bound_session_reads_its_own_schema(engine, two_orgs):
    alpha, _beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        rows = set(session.scalars(text("SELECT name FROM accounts WHERE name LIKE '%Tenant%'")))
    assert rows == {"Assets:Tenant:Alpha"}


def test_an_unbound_orm_query_on_a_tenant_table_fails_loudly(engine, two_orgs):
    with Session(engine) as session, pytest.raises(ProgrammingError, match=r"tenant\.accounts"):
        session.scalars(select(Account.name)).all()


def test_unbound_unqualified_text_sql_finds_no_tenant_table(engine, two_orgs):
    with Session(engine) as session:
        assert search_path(session) == "pg_catalog"
        with pytest.raises(ProgrammingError, match="accounts"):
            session.execute(text("SELECT name FROM accounts"))


def test_unbound_unqualified_text_sql_does_not_fall_back_to_the_public_schema(engine):
    with Session(engine) as session, pytest.raises(ProgrammingError, match="organisations"):
        session.execute(text("SELECT slug FROM organisations"))


def test_the_binding_holds_in_the_transaction_after_a_commit(engine, two_orgs):
    alpha, _beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        session.add(account("Assets:Tenant:AlphaFirst"))
        session.commit()
        assert own("Alpha", session) == {"Assets:Tenant:Alpha", "Assets:Tenant:AlphaFirst"}
        assert search_path(session) == alpha.schema_name


def test_the_binding_holds_after_a_rollback_caused_by_an_error(engine, two_orgs):
    alpha, _beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        with pytest.raises(DBAPIError):
            session.execute(text("SELECT 1 / 0"))
        session.rollback()
        assert own("", session) == {"Assets:Tenant:Alpha"}
        assert search_path(session) == alpha.schema_name


def test_a_savepoint_rollback_does_not_undo_the_binding(engine, two_orgs):
    alpha, _beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        savepoint = session.begin_nested()
        session.add(account("Assets:Tenant:AlphaDiscarded"))
        session.flush()
        savepoint.rollback()
        assert search_path(session) == alpha.schema_name
        assert own("", session) == {"Assets:Tenant:Alpha"}


def test_a_savepoint_opened_first_thing_still_leaves_the_transaction_bound(engine, two_orgs):
    alpha, _beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        with session.begin_nested() as savepoint:
            assert own("", session) == {"Assets:Tenant:Alpha"}
            savepoint.rollback()
        assert search_path(session) == alpha.schema_name
        assert own("", session) == {"Assets:Tenant:Alpha"}


def test_binding_mid_transaction_survives_a_later_savepoint_rollback(engine, two_orgs):
    alpha, _beta = two_orgs
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        bind_session(session, alpha.tenant)
        session.begin_nested().rollback()
        assert search_path(session) == alpha.schema_name
        assert own("", session) == {"Assets:Tenant:Alpha"}


def test_orm_inserts_and_updates_land_in_the_bound_schema(engine, two_orgs):
    alpha, beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        written = account("Assets:Tenant:AlphaWritten")
        session.add(written)
        session.flush()
        written.label_en = "flushed update"
        session.commit()
    with Session(engine) as session:
        rows = session.execute(
            text(
                f'SELECT label_en FROM "{alpha.schema_name}".accounts'
                " WHERE name = 'Assets:Tenant:AlphaWritten'"
                f' UNION ALL SELECT label_en FROM "{beta.schema_name}".accounts'
                " WHERE name = 'Assets:Tenant:AlphaWritten'"
            )
        )
        assert [row.label_en for row in rows] == ["flushed update"]


def test_a_bulk_update_touches_only_the_bound_schema(engine, two_orgs):
    alpha, beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        session.execute(update(Account).values(label_en="touched"))
        session.commit()
    with Session(engine) as session:
        bind_session(session, beta.tenant)
        assert "touched" not in set(session.scalars(select(Account.label_en)))


def test_a_pooled_connection_forgets_the_tenant_after_commit(single_connection_engine, two_orgs):
    alpha, _beta = two_orgs
    with Session(single_connection_engine) as session:
        bind_session(session, alpha.tenant)
        assert own("", session) == {"Assets:Tenant:Alpha"}
        backend = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        session.commit()
    with Session(single_connection_engine) as session:
        assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() == backend
        assert search_path(session) == "pg_catalog"
        with pytest.raises(ProgrammingError, match=r"tenant\.accounts"):
            session.scalars(select(Account.name)).all()


def test_a_pooled_connection_forgets_the_tenant_after_an_error(single_connection_engine, two_orgs):
    alpha, _beta = two_orgs
    with Session(single_connection_engine) as session:
        bind_session(session, alpha.tenant)
        with pytest.raises(DBAPIError):
            session.execute(text("SELECT 1 / 0"))
    with Session(single_connection_engine) as session:
        assert search_path(session) == "pg_catalog"
        with pytest.raises(ProgrammingError, match="accounts"):
            session.execute(text("SELECT name FROM accounts"))


def test_threads_bound_to_different_organisations_only_ever_see_their_own_rows(engine, make_org):
    orgs = [make_org() for _ in range(4)]
    failures: list[str] = []
    start = threading.Barrier(len(orgs))

    def hammer(index: int, tenant: TenantRef) -> None:
        mine = {f"Assets:Tenant:T{index}"}
        start.wait()
        for round_ in range(15):
            with Session(engine) as session:
                bind_session(session, tenant)
                session.add(account(f"Assets:Tenant:T{index}R{round_}"))
                session.commit()
                mine.add(f"Assets:Tenant:T{index}R{round_}")
                seen = own("Tenant", session)
                if not seen <= mine:
                    failures.append(f"thread {index} saw {sorted(seen - mine)}")

    for index, org in enumerate(orgs):
        with Session(engine) as session:
            bind_session(session, org.tenant)
            session.add(account(f"Assets:Tenant:T{index}"))
            session.commit()
    threads = [
        threading.Thread(target=hammer, args=(index, org.tenant)) for index, org in enumerate(orgs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for org in orgs:
        with Session(engine) as session:
            bind_session(session, org.tenant)
            assert len(own("Tenant", session)) == 16


def test_binding_inside_a_savepoint_is_refused(engine, two_orgs):
    alpha, _beta = two_orgs
    with Session(engine) as session:
        session.begin_nested()
        with pytest.raises(TenantBindingError, match="savepoint"):
            bind_session(session, alpha.tenant)
        assert bound_tenant(session) is None


def test_rebinding_to_another_organisation_mid_transaction_is_refused(engine, two_orgs):
    alpha, beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        session.execute(select(Account.id)).all()
        with pytest.raises(TenantBindingError):
            bind_session(session, beta.tenant)
        assert bound_tenant(session) == alpha.tenant
        assert own("", session) == {"Assets:Tenant:Alpha"}


def test_rebinding_between_transactions_moves_the_session(engine, two_orgs):
    alpha, beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        assert own("", session) == {"Assets:Tenant:Alpha"}
        session.commit()
        bind_session(session, beta.tenant)
        assert own("", session) == {"Assets:Tenant:Beta"}


def test_unbinding_mid_transaction_is_refused(engine, two_orgs):
    alpha, _beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        session.execute(select(Account.id)).all()
        with pytest.raises(TenantBindingError):
            unbind_session(session)


def test_a_reference_to_another_organisations_schema_is_refused(engine, two_orgs):
    alpha, beta = two_orgs
    forged = TenantRef(organisation_id=alpha.id, schema_name=beta.schema_name)
    with Session(engine) as session:
        bind_session(session, forged)
        with pytest.raises(TenantBindingError):
            session.scalars(select(Account.name)).all()


def test_a_refused_binding_leaves_nothing_to_read_in_the_same_transaction(engine, two_orgs):
    alpha, beta = two_orgs
    forged = TenantRef(organisation_id=alpha.id, schema_name=beta.schema_name)
    with Session(engine) as session:
        bind_session(session, forged)
        with pytest.raises(TenantBindingError):
            session.scalars(select(Account.name)).all()
        with pytest.raises(ProgrammingError):
            session.scalars(select(Account.name)).all()
        session.rollback()
        with pytest.raises(TenantBindingError):
            session.execute(text("SELECT name FROM accounts")).all()


def test_a_refused_binding_mid_transaction_leaves_the_session_unbound(engine, two_orgs):
    alpha, beta = two_orgs
    forged = TenantRef(organisation_id=alpha.id, schema_name=beta.schema_name)
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        with pytest.raises(TenantBindingError):
            bind_session(session, forged)
        assert bound_tenant(session) is None
        session.rollback()
        with pytest.raises(ProgrammingError):
            session.execute(text("SELECT name FROM accounts")).all()


def test_a_tampered_marker_stops_the_binding_before_any_query(engine, two_orgs, statements):
    alpha, beta = two_orgs
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f'UPDATE "{alpha.schema_name}".tenant_marker SET organisation_id = {beta.id}'
        )
    try:
        with Session(engine) as session:
            bind_session(session, alpha.tenant)
            with pytest.raises(TenantBindingError, match=alpha.schema_name):
                session.scalars(select(Account.name)).all()
        assert not [sql for sql in statements if "accounts" in sql or "search_path" in sql]
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                f'UPDATE "{alpha.schema_name}".tenant_marker SET organisation_id = {alpha.id}'
            )


def test_a_schema_that_does_not_exist_cannot_be_bound(engine, two_orgs):
    alpha, _beta = two_orgs
    missing = TenantRef(organisation_id=alpha.id, schema_name="org_doesnotexist")
    with Session(engine) as session:
        bind_session(session, missing)
        with pytest.raises((TenantBindingError, ProgrammingError)):
            session.scalars(select(Account.name)).all()


def test_a_savepoint_does_not_read_the_marker_again(engine, two_orgs, statements):
    alpha, _beta = two_orgs
    with Session(engine) as session:
        bind_session(session, alpha.tenant)
        for _ in range(3):
            with session.begin_nested():
                session.scalars(select(Account.id)).all()
    assert len([sql for sql in statements if "tenant_marker" in sql]) == 1


def test_a_core_connection_bound_for_a_job_leaves_the_pool_clean(
    single_connection_engine, two_orgs
):
    alpha, _beta = two_orgs
    with single_connection_engine.connect() as connection:
        apply_to_connection(connection, alpha.tenant)
        assert "Assets:Tenant:Alpha" in set(connection.scalars(select(Account.name)))
        connection.commit()
    with single_connection_engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW search_path").scalar_one() == "pg_catalog"
        with pytest.raises(ProgrammingError, match=r"tenant\.accounts"):
            connection.execute(select(Account.name))
