"""Fixtures for ledger tests: an organisation's books behind a bound session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tenants.binding import bind_session


@pytest.fixture
def books(engine: Engine, make_org: Callable[..., Any]) -> Iterator[Session]:
    """A session bound to a fresh organisation with the default chart (opened 1 January)."""
    org = make_org()
    with Session(engine) as session:
        bind_session(session, org.tenant)
        yield session
