"""The ``servicebureau`` command on the test database: organisations, users, migrations, worker."""

from __future__ import annotations

import json
import secrets

import pytest
from rq.job import JobStatus
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.cli import cli
from ledger.chart import default_chart
from tenants.models import Organisation
from tenants.people import authenticate
from tenants.queries import membership_of, organisation_by_slug, user_by_email
from tests.conftest import PASSWORD, database_schemas
from workers.jobs import count_accounts
from workers.queues import LEDGER, all_queues, queue, redis_connection


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args: str, **options):
        return runner.invoke(cli, list(args), **options)

    return invoke


def _slug(prefix: str = "cli") -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


def test_org_create_makes_an_organisation_that_org_list_shows(run):
    slug = _slug()
    created = run("org", "create", slug, "--name", "Stichting Via De Terminal", "--kvk", "12345678")
    assert created.exit_code == 0, created.output
    listed = run("org", "list")
    assert listed.exit_code == 0
    assert any(
        line.startswith(slug) and "Stichting Via De Terminal" in line
        for line in listed.output.splitlines()
    )


def test_org_list_as_json_gives_schema_revision_and_bureau_flag(run, engine):
    slug = _slug()
    run("org", "create", slug, "--name", "Het Bureau", "--bureau")
    rows = {row["slug"]: row for row in json.loads(run("org", "list", "--json").output)}
    assert rows[slug]["bureau"] is True
    assert rows[slug]["schema"] in database_schemas(engine)
    assert rows[slug]["revision"]


def test_org_create_refuses_a_slug_in_use_and_exits_non_zero(run):
    slug = _slug()
    run("org", "create", slug, "--name", "Eerste")
    again = run("org", "create", slug, "--name", "Tweede")
    assert again.exit_code == 1
    assert "refused" in again.output


def test_user_create_takes_the_password_from_sb_password(run, session):
    email = f"{_slug('user')}@example.org"
    result = run("user", "create", email, "--name", "Piet", env={"SB_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert authenticate(session, email, PASSWORD) is not None


def test_user_create_with_org_and_role_grants_that_role(run, session):
    slug = _slug()
    run("org", "create", slug, "--name", "Vereniging Rol")
    email = f"{_slug('user')}@example.org"
    args = ("user", "create", email, "--org", slug, "--role", "bookkeeper")
    result = run(*args, env={"SB_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    user = user_by_email(session, email)
    organisation = organisation_by_slug(session, slug)
    assert user is not None and organisation is not None
    membership = membership_of(session, user.id, organisation.id)
    assert membership is not None and membership.role == "bookkeeper"


def test_user_create_with_bureau_admin_makes_bureau_staff(run, session):
    email = f"{_slug('staff')}@example.org"
    run("user", "create", email, "--bureau-admin", env={"SB_PASSWORD": PASSWORD})
    user = user_by_email(session, email)
    assert user is not None and user.is_bureau_admin


def test_user_create_for_an_unknown_organisation_fails(run):
    email = f"{_slug('user')}@example.org"
    result = run("user", "create", email, "--org", _slug("nope"), env={"SB_PASSWORD": PASSWORD})
    assert result.exit_code != 0
    assert "no organisation" in result.output


def test_user_create_for_an_existing_user_does_not_ask_for_a_password_and_grants_the_role(
    run, session, make_org, make_user
):
    org = make_org()
    existing = make_user(name="Bestaand")
    result = run("user", "create", existing.email, "--org", org.slug, "--role", "viewer")
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    assert "password unchanged" in result.output
    membership = membership_of(session, existing.id, org.id)
    assert membership is not None and membership.role == "viewer"
    assert authenticate(session, existing.email, PASSWORD) is not None


def test_user_create_refuses_to_make_an_existing_user_bureau_staff_silently(
    run, session, make_user
):
    existing = make_user()
    result = run("user", "create", existing.email, "--bureau-admin")
    assert result.exit_code == 1
    assert "already has an account" in result.output
    assert "Password" not in result.output
    session.expire_all()
    user = user_by_email(session, existing.email)
    assert user is not None and not user.is_bureau_admin


def test_user_create_for_an_existing_user_without_org_says_how_to_give_a_role(run, make_user):
    existing = make_user()
    result = run("user", "create", existing.email, env={"SB_PASSWORD": "another password 42"})
    assert result.exit_code == 1
    assert "add --org SLUG" in result.output


def test_user_create_with_role_but_without_org_is_refused_before_anything_is_made(run, session):
    email = f"{_slug('user')}@example.org"
    result = run("user", "create", email, "--role", "viewer", env={"SB_PASSWORD": PASSWORD})
    assert result.exit_code == 2
    assert "--role needs --org" in result.output
    assert user_by_email(session, email) is None


def test_user_create_without_a_role_makes_the_user_owner_of_the_org(run, session, make_org):
    org = make_org()
    email = f"{_slug('user')}@example.org"
    result = run("user", "create", email, "--org", org.slug, env={"SB_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    user = user_by_email(session, email)
    assert user is not None
    membership = membership_of(session, user.id, org.id)
    assert membership is not None and membership.role == "owner"


def test_worker_burst_runs_the_queued_jobs_and_stops(run, app, make_org, monkeypatch):
    """The worker builds its engine from the environment, as ``serve`` hands it to it."""
    monkeypatch.setenv("DATABASE_URL", str(app.config["SQLALCHEMY_DATABASE_URI"]))
    monkeypatch.setenv("REDIS_URL", str(app.config["REDIS_URL"]))
    org = make_org()
    connection = redis_connection(app.config["REDIS_URL"])
    for each in all_queues(connection):
        each.empty()
    job = queue(LEDGER, connection).enqueue(count_accounts, org.id)

    result = run("worker", "--burst")

    assert result.exit_code == 0, result.output
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == len(default_chart())
    assert all(each.count == 0 for each in all_queues(connection))
    connection.close()


def test_migrate_brings_a_stale_tenant_to_head_once_and_then_does_nothing(run, engine):
    slug = _slug()
    run("org", "create", slug, "--name", "Achterlopers")
    with Session(engine) as session:
        session.execute(
            update(Organisation).where(Organisation.slug == slug).values(tenant_revision=None)
        )
        session.commit()

    first = run("migrate")
    second = run("migrate")

    assert first.exit_code == 0, first.output
    assert f"{slug}: ok" in first.output
    assert second.exit_code == 0, second.output
    assert "tenants: 0 upgraded" in second.output
    assert slug not in second.output


def test_org_delete_needs_the_slug_repeated(run, engine):
    slug = _slug()
    run("org", "create", slug, "--name", "Blijft Staan")
    refused = run("org", "delete", slug, "--confirm", "iets-anders")
    assert refused.exit_code == 1
    assert _schema_of(run, slug) in database_schemas(engine)


def test_org_delete_refuses_the_bureaus_own_organisation(run):
    slug = _slug()
    run("org", "create", slug, "--name", "Het Bureau", "--bureau")
    refused = run("org", "delete", slug, "--confirm", slug)
    assert refused.exit_code == 1
    assert slug in run("org", "list").output


def test_org_delete_with_confirmation_drops_the_schema(run, engine):
    slug = _slug()
    run("org", "create", slug, "--name", "Gaat Weg")
    schema_name = _schema_of(run, slug)
    deleted = run("org", "delete", slug, "--confirm", slug)
    assert deleted.exit_code == 0, deleted.output
    assert schema_name not in database_schemas(engine)
    assert slug not in run("org", "list").output


def _schema_of(run, slug: str) -> str:
    rows = json.loads(run("org", "list", "--json").output)
    return next(row["schema"] for row in rows if row["slug"] == slug)


def test_user_deactivate_ends_the_sessions_and_refuses_the_next_login(run, app, make_user):
    from tests.conftest import login
    from tests.web.test_sessions import is_logged_in

    user = make_user()
    client = app.test_client()
    login(client, user)
    result = run("user", "deactivate", user.email)
    assert result.exit_code == 0, result.output
    assert not is_logged_in(client)
    answer = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 200
