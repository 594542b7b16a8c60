"""Provisioning an organisation either completes or leaves nothing behind; deleting is guarded."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.cli import cli
from ledger.chart import DEFAULT_CHART, ChartAccount
from ledger.models import Account
from purchasing.models import Cadence
from purchasing.plans import NewPlan, create_plan, end_subscription, subscribe
from tenants.binding import bind_session, bound_tenant
from tenants.errors import (
    InvalidOrganisation,
    OrganisationInUse,
    OrganisationNotFound,
    ProvisioningFailed,
)
from tenants.migrations import tenant_head
from tenants.models import Membership, Organisation
from tenants.provisioning import (
    NewOrganisation,
    delete_organisation,
    provision_organisation,
    records_kept_for,
)
from tests.conftest import database_schemas


def schema_exists(engine: Engine, schema: str) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.scalar(
                text("SELECT count(*) FROM pg_namespace WHERE nspname = :name"), {"name": schema}
            )
        )


def organisation_row(engine: Engine, slug: str) -> Organisation | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.scalar(select(Organisation).where(Organisation.slug == slug))


def membership_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Membership)) or 0)


def test_provisioning_creates_schema_marker_chart_and_records_the_revision(engine, make_user):
    owner = make_user()
    with Session(engine) as session:
        tenant = provision_organisation(
            session, NewOrganisation(slug="de-buurtkas", name="De Buurtkas"), owner_id=owner.id
        )
        assert bound_tenant(session) is None
    assert schema_exists(engine, tenant.schema_name)
    with engine.connect() as connection:
        marker = connection.execute(
            text(f'SELECT organisation_id, schema_name FROM "{tenant.schema_name}".tenant_marker')
        ).one()
        version = connection.scalar(
            text(f'SELECT version_num FROM "{tenant.schema_name}".alembic_version')
        )
    assert tuple(marker) == (tenant.organisation_id, tenant.schema_name)
    assert version == tenant_head()
    registered = organisation_row(engine, "de-buurtkas")
    assert registered is not None
    assert registered.tenant_revision == tenant_head()
    assert registered.schema_name == tenant.schema_name
    with Session(engine) as session:
        bind_session(session, tenant)
        assert session.scalar(select(func.count()).select_from(Account)) == len(DEFAULT_CHART)
        membership = session.scalar(
            select(Membership).where(Membership.organisation_id == tenant.organisation_id)
        )
        assert membership is not None
        assert (membership.user_id, membership.role) == (owner.id, "owner")


@pytest.mark.parametrize(
    ("chart", "error"),
    [
        pytest.param(
            [*DEFAULT_CHART, DEFAULT_CHART[0]], ProvisioningFailed, id="duplicate-account-name"
        ),
        pytest.param(
            [*DEFAULT_CHART, ChartAccount("Assets:" + "x" * 300, "Te lang", "Too long", None)],
            ProvisioningFailed,
            id="account-name-too-long",
        ),
        pytest.param(
            [*DEFAULT_CHART, ChartAccount("Bezittingen:Kas", "Kas", "Cash", None)],
            ValueError,
            id="account-of-no-known-type",
        ),
    ],
)
def test_a_failure_in_the_chart_leaves_no_schema_no_organisation_no_membership(
    engine, make_user, chart, error
):
    owner = make_user()
    schemas, memberships = database_schemas(engine), membership_count(engine)
    with Session(engine) as session, pytest.raises(error):
        provision_organisation(
            session,
            NewOrganisation(slug="half-af", name="Half af"),
            owner_id=owner.id,
            chart=chart,
        )
    assert database_schemas(engine) == schemas
    assert organisation_row(engine, "half-af") is None
    assert membership_count(engine) == memberships


def test_a_failure_at_the_last_step_leaves_nothing_behind(engine):
    schemas, memberships = database_schemas(engine), membership_count(engine)
    with Session(engine) as session:
        with pytest.raises(ProvisioningFailed, match="bijna"):
            provision_organisation(
                session, NewOrganisation(slug="bijna", name="Bijna"), owner_id=-1
            )
        assert bound_tenant(session) is None
        assert not session.in_transaction()
    assert database_schemas(engine) == schemas
    assert organisation_row(engine, "bijna") is None
    assert membership_count(engine) == memberships


def test_the_session_is_usable_and_unbound_after_a_failed_provisioning(engine, make_org):
    existing = make_org()
    with Session(engine) as session:
        with pytest.raises(ProvisioningFailed):
            provision_organisation(
                session, NewOrganisation(slug="mislukt", name="Mislukt"), owner_id=-1
            )
        assert session.scalar(select(Organisation.slug).where(Organisation.id == existing.id))


def test_a_slug_already_in_use_is_refused_with_a_clear_message(engine, make_org):
    existing = make_org()
    schemas = database_schemas(engine)
    with Session(engine) as session, pytest.raises(InvalidOrganisation) as refused:
        provision_organisation(session, NewOrganisation(slug=existing.slug, name="Tweede"))
    assert refused.value.field == "slug"
    assert "al in gebruik" in str(refused.value)
    assert database_schemas(engine) == schemas


@pytest.mark.parametrize(
    "slug",
    [
        "a",
        "-begint-met-streep",
        "Hoofdletters",
        "met spatie",
        "x" * 49,
        "bureau",
        "login",
        "é-acc",
        "regel\n",
    ],
)
def test_an_invalid_slug_is_refused_before_anything_is_made(engine, slug):
    schemas = database_schemas(engine)
    with Session(engine) as session, pytest.raises(InvalidOrganisation) as refused:
        provision_organisation(session, NewOrganisation(slug=slug, name="Iets"))
    assert refused.value.field == "slug"
    assert "korte naam" in str(refused.value)
    assert database_schemas(engine) == schemas


@pytest.mark.parametrize("kvk_number", ["1234567", "123456789", "abcdefgh", "1234 567"])
def test_an_invalid_kvk_number_is_refused(engine, kvk_number):
    with Session(engine) as session, pytest.raises(InvalidOrganisation) as refused:
        provision_organisation(
            session, NewOrganisation(slug="kvk-fout", name="KvK fout", kvk_number=kvk_number)
        )
    assert refused.value.field == "kvk_number"
    assert "8 cijfers" in str(refused.value)


def test_a_legal_form_outside_the_list_is_refused_before_anything_is_made(engine):
    schemas = database_schemas(engine)
    with Session(engine) as session, pytest.raises(InvalidOrganisation) as refused:
        provision_organisation(
            session, NewOrganisation(slug="bv-vorm", name="Een BV", legal_form="bv")
        )
    assert refused.value.field == "legal_form"
    assert database_schemas(engine) == schemas


def test_an_organisation_without_a_name_is_refused(engine):
    with Session(engine) as session, pytest.raises(InvalidOrganisation) as refused:
        provision_organisation(session, NewOrganisation(slug="naamloos", name="   "))
    assert refused.value.field == "name"


def test_provisioning_with_a_bound_session_is_refused(engine, make_org):
    existing = make_org()
    with Session(engine) as session:
        bind_session(session, existing.tenant)
        with pytest.raises(Exception, match="ongebonden"):
            provision_organisation(session, NewOrganisation(slug="gebonden", name="Gebonden"))
    assert organisation_row(engine, "gebonden") is None


def test_deleting_needs_the_slug_repeated_as_confirmation(engine, make_org):
    org = make_org()
    with Session(engine) as session, pytest.raises(InvalidOrganisation, match="bevestigen"):
        delete_organisation(session, org.slug, confirmation="ja")
    assert schema_exists(engine, org.schema_name)
    assert organisation_row(engine, org.slug) is not None


def test_the_bureaus_own_organisation_cannot_be_deleted(engine, make_org):
    bureau = make_org(is_bureau=True)
    with Session(engine) as session, pytest.raises(InvalidOrganisation, match="bureau"):
        delete_organisation(session, bureau.slug, confirmation=bureau.slug)
    assert schema_exists(engine, bureau.schema_name)


def test_deleting_an_unknown_organisation_is_refused(engine):
    with Session(engine) as session, pytest.raises(OrganisationNotFound, match="bestaat niet"):
        delete_organisation(session, "nooit-bestaan", confirmation="nooit-bestaan")


def test_a_confirmed_delete_removes_schema_registry_row_and_memberships(
    engine, make_org, make_user
):
    org = make_org()
    make_user(org=org)
    with Session(engine) as session:
        delete_organisation(session, org.slug, confirmation=org.slug)
    assert not schema_exists(engine, org.schema_name)
    assert organisation_row(engine, org.slug) is None
    with Session(engine) as session:
        assert not session.scalar(select(func.count()).where(Membership.organisation_id == org.id))


@pytest.fixture
def subscribed_org(engine, make_org):
    """A member organisation on one of the bureau's membership plans: records the bureau keeps."""
    bureau, member = make_org(is_bureau=True), make_org()
    with Session(engine) as session:
        plan = create_plan(
            session,
            NewPlan(
                bureau_id=bureau.id,
                name=f"Lidmaatschap {bureau.slug}",
                cadence=Cadence.YEARLY,
                tiers=[(Decimal(0), Decimal("100.00"))],
                size_label="medewerkers",
                vat_exemption="Vrijgesteld van btw",
            ),
        )
        subscription = subscribe(session, plan, member.id, Decimal(3), date(2026, 1, 1))
        session.commit()  # the test is the unit of work
    return member, subscription


def test_an_organisation_with_a_membership_is_refused_saying_why_and_what_to_do(
    engine, subscribed_org
):
    member, _ = subscribed_org
    with Session(engine) as session, pytest.raises(OrganisationInUse) as refused:
        delete_organisation(session, member.slug, confirmation=member.slug)
    assert refused.value.params["records"] == "membership_subscriptions"
    assert "laat de organisatie staan" in str(refused.value)
    assert schema_exists(engine, member.schema_name)
    assert organisation_row(engine, member.slug) is not None


def test_an_ended_membership_still_keeps_the_organisation(engine, subscribed_org):
    member, subscription = subscribed_org
    with Session(engine) as session:
        end_subscription(session, subscription, date(2026, 3, 31))
        session.commit()
        with pytest.raises(OrganisationInUse):
            delete_organisation(session, member.slug, confirmation=member.slug)
    assert schema_exists(engine, member.schema_name)


def test_a_record_added_between_the_check_and_the_delete_still_refuses_and_keeps_all(
    engine, subscribed_org, monkeypatch
):
    member, _ = subscribed_org
    monkeypatch.setattr("tenants.provisioning.records_kept_for", lambda session, org_id: [])
    with Session(engine) as session, pytest.raises(OrganisationInUse) as refused:
        delete_organisation(session, member.slug, confirmation=member.slug)
    assert refused.value.params["records"] == "membership_subscriptions"
    assert schema_exists(engine, member.schema_name)
    assert organisation_row(engine, member.slug) is not None


def test_records_kept_for_names_each_table_that_points_at_the_organisation_once(
    engine, subscribed_org, make_org
):
    member, _ = subscribed_org
    with Session(engine) as session:
        assert records_kept_for(session, member.id) == ["membership_subscriptions"]
        assert records_kept_for(session, make_org().id) == []


def test_the_cli_refuses_to_delete_an_organisation_with_records(app, subscribed_org):
    member, _ = subscribed_org
    result = app.test_cli_runner().invoke(
        cli, ["org", "delete", member.slug, "--confirm", member.slug]
    )
    assert result.exit_code == 1
    assert "membership_subscriptions" in result.output


def test_two_threads_provisioning_the_same_slug_make_one_organisation(engine):
    schemas = database_schemas(engine)
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def provision() -> None:
        start.wait()
        with Session(engine) as session:
            try:
                outcomes.append(
                    provision_organisation(session, NewOrganisation(slug="tweeling", name="Twee"))
                )
            except InvalidOrganisation as refused:
                outcomes.append(refused)

    threads = [threading.Thread(target=provision) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refusals = [outcome for outcome in outcomes if isinstance(outcome, InvalidOrganisation)]
    assert len(outcomes) == 2
    assert len(refusals) == 1
    assert refusals[0].field == "slug"
    registered = organisation_row(engine, "tweeling")
    assert registered is not None
    assert database_schemas(engine) == schemas | {registered.schema_name}


def test_every_tenant_schema_in_the_database_belongs_to_a_registered_organisation(engine):
    with Session(engine) as session:
        registered = set(session.scalars(select(Organisation.schema_name)))
    assert database_schemas(engine) <= registered
