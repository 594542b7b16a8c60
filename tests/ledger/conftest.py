"""Fixtures for ledger tests: an organisation's books behind a bound session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tenants.binding import bind_session
from tests.ledger.example_books import BOOKS, Beanquery, imported_example
from tests.ledger.test_posting import YEAR


@pytest.fixture
def books(engine: Engine, make_org: Callable[..., Any]) -> Iterator[Session]:
    """A session bound to a fresh organisation with the default chart, whose books open on 1
    January of this year, as a new organisation's do: the ledger's tests write their days in
    ``YEAR`` and some are about the first day and the first fiscal year."""
    org = make_org(books_open_on=date(YEAR, 1, 1))
    with Session(engine) as session:
        bind_session(session, org.tenant)
        yield session


@pytest.fixture(scope="package", params=BOOKS, ids=lambda b: f"seed{b[0]}-{b[1]}-{b[2]}")
def example(
    request: pytest.FixtureRequest, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Session, Beanquery, date, date]]:
    """One bean-example book, imported once for every differential test module that asks."""
    seed, begin, end = request.param
    yield from imported_example(engine, tmp_path_factory.mktemp("example"), seed, begin, end)
