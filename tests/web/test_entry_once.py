"""A form is booked once: sent twice (a double click, a retry, two at the same moment), one booking.

Each entry form carries a token of its own (``form_token``); the booking keeps it as its source
under a unique index (``ledger.transactions.post_form``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ledger.models import Transaction
from tenants.binding import bind_session
from tenants.roles import Role
from tests.conftest import OrgHandle

_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def expense(token: str, narration: str = "Koffie voor de buurtavond", amount: str = "12,50"):
    return {
        "date": "2026-03-02",
        "amount": amount,
        "money_account": "Assets:Bank:Checking",
        "category": "Expenses:Office:Supplies",
        "narration": narration,
        "form_token": token,
    }


@pytest.fixture
def bookkeeper(
    app: Flask,
    make_org: Callable[..., OrgHandle],
    make_user: Callable[..., Any],
    login_as: Callable[[FlaskClient, Any], None],
) -> tuple[Callable[[], FlaskClient], OrgHandle]:
    """A bookkeeper of a new organisation, logged in on as many browsers as asked."""
    org = make_org()
    user = make_user(org=org, role=Role.BOOKKEEPER)

    def browser() -> FlaskClient:
        client = app.test_client()
        login_as(client, user)
        return client

    return browser, org


def form_token(client: FlaskClient, org: OrgHandle) -> str:
    page = client.get(f"/o/{org.slug}/entry/expense").get_data(as_text=True)
    found = _TOKEN.search(page)
    assert found, "the expense form has no form_token"
    return found.group(1)


def narrations(engine: Engine, org: OrgHandle) -> list[str]:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return list(books.scalars(select(Transaction.narration).order_by(Transaction.id)))


def test_every_form_shown_has_a_token_of_its_own(bookkeeper):
    browser, org = bookkeeper
    client = browser()

    first, second = form_token(client, org), form_token(client, org)

    assert first != second and len(first) >= 16


def test_a_form_sent_twice_is_booked_once_and_the_second_answer_says_so(bookkeeper, engine):
    browser, org = bookkeeper
    client = browser()
    token = form_token(client, org)

    first = client.post(f"/o/{org.slug}/entry/expense", data=expense(token))
    again = client.post(f"/o/{org.slug}/entry/expense", data=expense(token))

    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert narrations(engine, org) == ["Koffie voor de buurtavond"]
    shown = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Dit formulier was al verstuurd: de boeking staat er één keer." in shown


def test_the_same_form_sent_at_the_same_moment_from_two_browsers_is_booked_once(bookkeeper, engine):
    browser, org = bookkeeper
    clients = [browser() for _ in range(4)]
    token = form_token(clients[0], org)
    start = threading.Barrier(len(clients))
    answers: list[Any] = []

    def send(client: FlaskClient) -> None:
        start.wait()
        answers.append(client.post(f"/o/{org.slug}/entry/expense", data=expense(token)))

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [answer.status_code for answer in answers] == [302] * len(clients)
    assert len({answer.headers["Location"] for answer in answers}) == 1
    assert narrations(engine, org) == ["Koffie voor de buurtavond"]


def test_a_refused_form_keeps_its_token_and_is_booked_once_when_corrected(bookkeeper, engine):
    browser, org = bookkeeper
    client = browser()
    token = form_token(client, org)

    refused = client.post(f"/o/{org.slug}/entry/expense", data=expense(token, amount="twaalf"))
    assert refused.status_code == 422
    assert _TOKEN.search(refused.get_data(as_text=True)).group(1) == token  # nothing was booked
    corrected = client.post(f"/o/{org.slug}/entry/expense", data=expense(token))
    again = client.post(f"/o/{org.slug}/entry/expense", data=expense(token))

    assert corrected.status_code == again.status_code == 302
    assert narrations(engine, org) == ["Koffie voor de buurtavond"]


def test_two_forms_with_the_same_contents_are_two_bookings(bookkeeper, engine):
    browser, org = bookkeeper
    client = browser()

    for _ in range(2):  # the same coffee bought twice is two bookings: each form its own token
        client.post(f"/o/{org.slug}/entry/expense", data=expense(form_token(client, org)))

    assert narrations(engine, org) == ["Koffie voor de buurtavond"] * 2


@pytest.mark.parametrize("token", ["", "kort", "<script>alert(1)</script>-xxxxxxxxxxxx", "x" * 65])
def test_a_tampered_token_is_refused_in_words_and_books_nothing(bookkeeper, engine, token):
    browser, org = bookkeeper
    client = browser()

    refused = client.post(f"/o/{org.slug}/entry/expense", data=expense(token))

    assert refused.status_code == 422
    assert "Dit formulier is niet meer geldig. Laad de pagina opnieuw." in refused.get_data(
        as_text=True
    )
    assert narrations(engine, org) == []
