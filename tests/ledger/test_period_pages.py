"""The owner's period pages and the ``ledger close-period`` / ``reopen-period`` commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.cli import cli
from ledger.balances import balances_on
from ledger.errors import PeriodClosed
from ledger.models import AccountingPeriod
from ledger.queries import load_transaction
from ledger.transactions import edit_transaction, post_transaction, reverse_transaction
from tenants.binding import bind_session
from tenants.roles import Role
from tests.ledger.test_posting import BANK, YEAR, gift
from tests.web.test_account_picker import error_at


@pytest.fixture
def member(
    app: Flask, make_org: Callable[..., Any], make_user: Callable[..., Any], login_as: Any
) -> Callable[[Role], tuple[FlaskClient, Any]]:
    """A logged-in client of a fresh organisation, in the role asked for."""

    def make(role: Role) -> tuple[FlaskClient, Any]:
        org = make_org(books_open_on=date(YEAR, 1, 1))
        client = app.test_client()
        login_as(client, make_user(org=org, role=role))
        return client, org

    return make


@pytest.fixture(autouse=True)
def end_of_the_year(monkeypatch: pytest.MonkeyPatch) -> None:
    """The period pages' and commands' today is 31 December: these tests close January, which
    lies ahead of today during January, and a close may not reach past today."""
    monkeypatch.setattr("app.orgsettings.periods.today", lambda: date(YEAR, 12, 31))
    monkeypatch.setattr("app.ledger_cli.today", lambda: date(YEAR, 12, 31))


def books_of(engine: Engine, org: Any) -> Session:
    session = Session(engine)
    bind_session(session, org.tenant)
    return session


def test_the_settings_page_links_to_the_period_page_which_explains_and_lists_the_year(
    member: Any,
) -> None:
    client, org = member(Role.OWNER)

    settings = client.get(f"/o/{org.slug}/settings").get_data(as_text=True)
    response = client.get(f"/o/{org.slug}/settings/periods")

    assert f"/o/{org.slug}/settings/periods" in settings
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "tegenboeking" in page
    assert f'data-testid="period-{YEAR}-01-01"' in page


@pytest.mark.parametrize("role", [Role.BOOKKEEPER, Role.VIEWER])
def test_anyone_but_the_owner_gets_403_and_nothing_closes(
    member: Any, engine: Engine, role: Role
) -> None:
    client, org = member(role)

    responses = [
        client.get(f"/o/{org.slug}/settings/periods"),
        client.post(f"/o/{org.slug}/settings/periods/close", data={"through": f"{YEAR}-01-31"}),
        client.post(f"/o/{org.slug}/settings/periods/1/reopen"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    with books_of(engine, org) as books:
        assert books.scalars(select(AccountingPeriod)).all() == []


def test_the_owner_closes_through_a_day_then_edits_are_refused_and_a_reversal_corrects(
    member: Any, engine: Engine
) -> None:
    client, org = member(Role.OWNER)
    with books_of(engine, org) as books:
        posted = post_transaction(books, gift("30.00", date(YEAR, 1, 10)), actor_id=None)
        books.commit()

    response = client.post(
        f"/o/{org.slug}/settings/periods/close", data={"through": f"31-01-{YEAR}"}
    )

    assert response.status_code == 302
    page = client.get(f"/o/{org.slug}/settings/periods").get_data(as_text=True)
    assert f"De boeken zijn afgesloten tot en met 31-01-{YEAR}." in page
    assert "afgesloten op" in page and "Heropenen" in page
    with books_of(engine, org) as books:
        with pytest.raises(PeriodClosed):
            edit_transaction(books, posted, gift("31.00", date(YEAR, 1, 10)), actor_id=None)
        books.rollback()
        reverse_transaction(books, posted, actor_id=None, on=date(YEAR, 2, 1))
        assert balances_on(books, date(YEAR, 1, 31))[BANK] == {"EUR": 30}
        assert BANK not in balances_on(books, date(YEAR, 2, 1))


def test_the_owner_reopens_a_period_and_edits_are_allowed_again(
    member: Any, engine: Engine
) -> None:
    client, org = member(Role.OWNER)
    with books_of(engine, org) as books:
        posted = post_transaction(books, gift("30.00", date(YEAR, 1, 10)), actor_id=None)
        books.commit()
    client.post(f"/o/{org.slug}/settings/periods/close", data={"through": f"{YEAR}-01-31"})
    with books_of(engine, org) as books:
        period_id = books.scalars(select(AccountingPeriod.id)).one()

    response = client.post(f"/o/{org.slug}/settings/periods/{period_id}/reopen")

    assert response.status_code == 302
    with books_of(engine, org) as books:
        edit_transaction(books, posted, gift("31.00", date(YEAR, 1, 10)), actor_id=None)
        stored = load_transaction(books, posted)
        assert stored is not None and stored.postings[0].units.number == 31


def test_a_missing_or_impossible_day_or_a_second_close_is_refused_on_the_page(member: Any) -> None:
    client, org = member(Role.OWNER)
    url = f"/o/{org.slug}/settings/periods/close"

    missing = client.post(url, data={"through": ""})
    no_such_day = client.post(url, data={"through": f"31-02-{YEAR}"})
    ahead = client.post(url, data={"through": f"01-01-{YEAR + 1}"})
    client.post(url, data={"through": f"{YEAR}-01-31"})
    again = client.post(url, data={"through": f"{YEAR}-01-31"})

    assert missing.status_code == 422
    assert 'data-testid="error-through"' in missing.get_data(as_text=True)
    assert no_such_day.status_code == 422
    assert "Vul een datum in als 31-12-2026." in no_such_day.get_data(as_text=True)
    assert f'value="31-02-{YEAR}"' in no_such_day.get_data(as_text=True)  # kept as typed
    assert ahead.status_code == 422
    refusal = error_at(ahead.get_data(as_text=True), "through")
    assert refusal == "Je kunt de boeken afsluiten tot en met vandaag, niet verder."
    assert again.status_code == 422
    assert f"Alles tot en met 31-01-{YEAR} is al afgesloten." in again.get_data(as_text=True)


def test_a_refusal_writes_its_day_as_its_reader_does(
    app: Flask, make_org: Callable[..., Any], make_user: Callable[..., Any], login_as: Any
) -> None:
    """A day in a refusal reads as the page's days do; it was ISO (``2026-01-31``) in both."""
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER, locale="en"))
    url = f"/o/{org.slug}/settings/periods/close"
    client.post(url, data={"through": f"{YEAR}-01-31"})

    again = client.post(url, data={"through": f"{YEAR}-01-31"}).get_data(as_text=True)

    assert f"Everything up to and including 31/01/{YEAR} is already closed." in again


def test_the_cli_closes_lists_and_reopens_periods(
    app: Flask, engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org()
    runner = app.test_cli_runner()

    closed = runner.invoke(cli, ["ledger", "close-period", org.slug, "--through", f"{YEAR}-03-31"])
    listed = runner.invoke(cli, ["ledger", "periods", org.slug])
    with books_of(engine, org) as books, pytest.raises(PeriodClosed):
        post_transaction(books, gift("5.00", date(YEAR, 2, 1)), actor_id=None)
    reopened = runner.invoke(cli, ["ledger", "reopen-period", org.slug, "--on", f"{YEAR}-02-01"])

    assert closed.exit_code == 0, closed.output
    assert f"{YEAR}-01-01 {YEAR}-03-31 closed" in listed.output
    assert reopened.exit_code == 0, reopened.output
    with books_of(engine, org) as books:
        post_transaction(books, gift("5.00", date(YEAR, 2, 1)), actor_id=None)


def test_the_cli_refuses_with_the_reason_and_a_non_zero_exit(
    app: Flask, make_org: Callable[..., Any]
) -> None:
    org = make_org()
    runner = app.test_cli_runner()

    runner.invoke(cli, ["ledger", "close-period", org.slug, "--through", f"{YEAR}-01-31"])
    again = runner.invoke(cli, ["ledger", "close-period", org.slug, "--through", f"{YEAR}-01-31"])
    nothing = runner.invoke(cli, ["ledger", "reopen-period", org.slug, "--on", f"{YEAR}-06-01"])

    ahead = runner.invoke(
        cli, ["ledger", "close-period", org.slug, "--through", f"{YEAR + 1}-01-01"]
    )

    assert again.exit_code == 1
    assert f"Alles tot en met 31-01-{YEAR} is al afgesloten." in again.output
    assert ahead.exit_code == 1
    assert "Je kunt de boeken afsluiten tot en met vandaag, niet verder." in ahead.output
    assert nothing.exit_code == 1 and "no closed period" in nothing.output


def test_reopening_a_period_that_does_not_exist_answers_404_with_the_reason_at_the_top(
    member: Any,
) -> None:
    client, org = member(Role.OWNER)

    response = client.post(f"/o/{org.slug}/settings/periods/999/reopen")

    assert response.status_code == 404
    assert 'data-testid="error-form"' in response.get_data(as_text=True)
