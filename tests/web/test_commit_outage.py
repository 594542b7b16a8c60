"""The database goes away between the view and the commit: a Dutch 503, nothing saved, recovery.

The request's own PostgreSQL backend is terminated (``pg_terminate_backend``, what a restart or
a failover does to it) by a hook that runs after the view and before the unit of work commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ledger.models import Transaction
from tenants.binding import bind_session
from tenants.roles import Role
from tests.at_once import is_post_to, losing_the_database_at_commit
from tests.conftest import OrgHandle, login

EXPENSE = {
    "date": "2026-03-02",
    "amount": "12,50",
    "money_account": "Assets:Bank:Checking",
    "category": "Expenses:Office:Supplies",
    "narration": "Koffie voor de vrijwilligers",
}


@pytest.fixture
def web(database_url: str, redis_url: str) -> Iterator[tuple[Flask, list[int]]]:
    """The application, its backend terminated before the commit of the first POST."""
    with losing_the_database_at_commit(
        database_url, redis_url, is_post_to("/entry/expense")
    ) as served:
        yield served


def narrations(engine: Engine, org: OrgHandle) -> list[str]:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return list(books.scalars(select(Transaction.narration).order_by(Transaction.id)))


def test_a_database_gone_at_the_commit_answers_the_dutch_503_and_saves_nothing(
    web: tuple[Flask, list[int]],
    engine: Engine,
    make_org: Callable[..., OrgHandle],
    make_user: Callable[..., Any],
):
    app, terminated = web
    org = make_org()
    client = app.test_client()
    login(client, make_user(org=org, role=Role.BOOKKEEPER))

    refused = client.post(f"/o/{org.slug}/entry/expense", data=EXPENSE)

    assert terminated, "the backend was not terminated: the test did not reach the commit"
    assert refused.status_code == 503
    assert refused.headers["Retry-After"]
    page = refused.get_data(as_text=True)
    assert "De database is even niet bereikbaar" in page and "Er is niets opgeslagen" in page
    assert narrations(engine, org) == []
    dashboard = client.get(f"/o/{org.slug}/").get_data(as_text=True)
    assert "De boeking is opgeslagen." not in dashboard  # the view's word did not come true

    saved = client.post(f"/o/{org.slug}/entry/expense", data=EXPENSE)  # a new connection

    assert saved.status_code == 302
    assert narrations(engine, org) == [EXPENSE["narration"]]
