"""The unit of work of jobs and commands: bound once, committed once, rolled back on any error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.accounts import add_account
from ledger.clock import today
from ledger.errors import ValidationFailed
from ledger.models import Account
from tenants.binding import bind_session
from tenants.errors import OrganisationNotFound
from tenants.unit_of_work import after_commit, unit_of_work

NEW = "Expenses:Probe"


def has_account(engine: Engine, org: Any) -> bool:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return books.scalar(select(Account.id).where(Account.name == NEW)) is not None


def test_what_a_unit_of_work_wrote_is_committed_when_it_ends(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org()

    with unit_of_work(engine, org.id) as books:
        add_account(books, NEW, None, opened_on=today())

    assert has_account(engine, org)


def test_an_error_in_a_unit_of_work_leaves_nothing_of_what_it_wrote(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org()

    with pytest.raises(ValidationFailed), unit_of_work(engine, org.id) as books:
        add_account(books, NEW, None, opened_on=today())
        add_account(books, NEW, None, opened_on=today())  # refused: it exists now

    assert not has_account(engine, org)


def test_a_unit_of_work_for_an_unknown_organisation_is_refused(engine: Engine) -> None:
    with pytest.raises(OrganisationNotFound), unit_of_work(engine, 10**12):
        pass


def test_after_commit_runs_once_the_work_is_committed_and_never_after_a_rollback(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org()
    heard: list[str] = []

    with unit_of_work(engine, org.id) as books:
        with books.begin_nested():
            after_commit(books, lambda: heard.append("saved"))
        add_account(books, NEW, None, opened_on=today())
        assert heard == []  # releasing a savepoint commits nothing yet
    with pytest.raises(ValidationFailed), unit_of_work(engine, org.id) as books:
        after_commit(books, lambda: heard.append("refused"))
        add_account(books, NEW, None, opened_on=today())

    assert heard == ["saved"]
    assert has_account(engine, org)


def test_after_commit_queued_before_any_query_is_forgotten_by_a_rollback(engine: Engine) -> None:
    heard: list[str] = []

    with Session(engine) as session:
        after_commit(session, lambda: heard.append("rolled back"))
        session.rollback()
        session.commit()
        after_commit(session, lambda: heard.append("committed"))
        session.commit()

    assert heard == ["committed"]
