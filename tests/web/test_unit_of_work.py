"""The request's unit of work: one commit below 400, one rollback otherwise, nothing in between.

A probe application (the real ``create_app`` with one extra blueprint) has views that write a
user through the real service and then end in each way a view can end; a fresh session then
looks for that user. Real pages of the books prove the same for a save and a refusal.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Blueprint, Flask, redirect
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from app.unit_of_work import after_commit
from ledger.bank.models import BankAccount
from ledger.errors import ValidationFailed, message
from ledger.queries import load_transaction
from tenants.binding import bind_session
from tenants.people import create_user
from tenants.queries import user_by_email
from tenants.roles import Role
from tests.conftest import PASSWORD
from tests.web.test_entry_corrections import edit_form, posted
from workers.queues import redis_connection

__all__ = ["posted"]  # the fixture of the edit-form tests

probe = Blueprint("probe", __name__)
heard: list[str] = []  # what the probe's after-commit actions did, in order


def _write(email: str) -> None:
    create_user(db.session(), email, PASSWORD)


@probe.post("/probe/<email>/saves")
def saves(email: str) -> Any:
    _write(email)
    return redirect("/")


@probe.post("/probe/<email>/refuses")
def refuses(email: str) -> Any:
    _write(email)
    return "geweigerd", 422


@probe.post("/probe/<email>/raises")
def raises(email: str) -> Any:
    _write(email)
    raise ValidationFailed(message("Dit mag niet."))


@probe.post("/probe/<email>/crashes")
def crashes(email: str) -> Any:
    _write(email)
    raise RuntimeError("a bug after the write")


@probe.post("/probe/<email>/queues/<ending>")
def queues(email: str, ending: str) -> Any:
    """Writes, queues an action for after the commit, then ends as ``ending`` says."""
    _write(email)
    after_commit(lambda: heard.append(email))
    if ending == "refuses":
        return "geweigerd", 422
    if ending == "crashes":
        raise RuntimeError("a bug after queueing")
    return redirect("/")


@probe.post("/probe/<email>/queues-without-redis")
def queues_without_redis(email: str) -> Any:
    _write(email)
    after_commit(lambda: redis_connection(f"redis://127.0.0.1:{_closed_port()}/0").ping())
    return redirect("/")


def _closed_port() -> int:
    """A local port nobody listens on: bound, then let go, so connecting is refused."""
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


@pytest.fixture(scope="module")
def probe_app(database_url: str, redis_url: str) -> Iterator[Flask]:
    application = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    application.register_blueprint(probe)
    yield application


def is_saved(engine: Engine, email: str) -> bool:
    with Session(engine) as session:
        return user_by_email(session, email) is not None


@pytest.fixture
def email() -> str:
    return f"probe-{secrets.token_hex(4)}@example.org"


def test_a_view_that_answers_with_a_redirect_persists_what_its_service_wrote(
    probe_app: Flask, engine: Engine, email: str
) -> None:
    response = probe_app.test_client().post(f"/probe/{email}/saves")

    assert response.status_code == 302
    assert is_saved(engine, email)


def test_a_view_that_refuses_with_422_leaves_nothing_of_what_was_written(
    probe_app: Flask, engine: Engine, email: str
) -> None:
    response = probe_app.test_client().post(f"/probe/{email}/refuses")

    assert response.status_code == 422
    assert not is_saved(engine, email)


def test_a_service_that_raises_a_refusal_after_writing_leaves_nothing(
    probe_app: Flask, engine: Engine, email: str
) -> None:
    response = probe_app.test_client().post(f"/probe/{email}/raises")

    assert response.status_code == 422
    assert "Dit mag niet." in response.get_data(as_text=True)
    assert not is_saved(engine, email)


def test_a_crash_after_writing_answers_500_and_leaves_nothing(
    probe_app: Flask, engine: Engine, email: str
) -> None:
    response = probe_app.test_client().post(f"/probe/{email}/crashes")

    assert response.status_code == 500
    assert not is_saved(engine, email)
    page = response.get_data(as_text=True)
    assert "Er ging iets mis" in page and "Er is niets opgeslagen." in page
    assert response.headers["X-Request-ID"] in page  # the code to pass on, as logged
    assert "Internal Server Error" not in page


def test_an_action_queued_after_the_commit_runs_once_the_work_is_saved(
    probe_app: Flask, engine: Engine, email: str
) -> None:
    response = probe_app.test_client().post(f"/probe/{email}/queues/saves")

    assert response.status_code == 302
    assert is_saved(engine, email)
    assert heard.count(email) == 1


@pytest.mark.parametrize(("ending", "status"), [("refuses", 422), ("crashes", 500)])
def test_an_action_queued_after_the_commit_never_runs_when_the_request_rolls_back(
    probe_app: Flask, engine: Engine, email: str, ending: str, status: int
) -> None:
    response = probe_app.test_client().post(f"/probe/{email}/queues/{ending}")

    assert response.status_code == status
    assert not is_saved(engine, email)
    assert email not in heard


def test_an_action_after_the_commit_that_cannot_reach_redis_is_reported_not_lost(
    probe_app: Flask, engine: Engine, email: str
) -> None:
    client = probe_app.test_client()

    response = client.post(f"/probe/{email}/queues-without-redis")

    assert response.status_code == 302  # the work is saved; only the job has to wait
    assert is_saved(engine, email)
    with client.session_transaction() as cookie:
        flashes = cookie.get("_flashes", [])
    assert [category for category, _text in flashes] == ["error"]
    assert "kon nu niet worden gestart" in flashes[0][1]


def test_a_bank_account_added_in_the_browser_is_there_for_the_next_session(
    app: Flask,
    engine: Engine,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    login_as: Callable[[FlaskClient, Any], None],
) -> None:
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.BOOKKEEPER))

    response = client.post(f"/o/{org.slug}/bank/accounts", data={"iban": "NL91 ABNA 0417 1643 00"})

    assert response.status_code == 302
    with Session(engine) as books:
        bind_session(books, org.tenant)
        assert books.scalars(select(BankAccount.iban)).all() == ["NL91ABNA0417164300"]


def test_an_edit_refused_with_409_for_a_stale_version_changes_nothing(
    engine: Engine, posted: Any
) -> None:
    client, org, ident, _owner = posted

    response = edit_form(client, org, ident, "Overschreven", "0" * 64)

    assert response.status_code == 409  # a conflict with a newer version
    with Session(engine) as books:
        bind_session(books, org.tenant)
        stored = load_transaction(books, ident)
        assert stored is not None and stored.narration == "Slingers"
