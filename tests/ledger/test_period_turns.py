"""Two owners closing the same days at the same moment close them once.

Each closing is its own thread with its own unit of work, as two web requests are; they start
together on a barrier. Without turns both would find the same days uncovered and both insert a
closed period, and reopening one twin would leave the other closing the same days.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ledger.errors import ValidationFailed
from ledger.models import AccountingPeriod
from ledger.periods import close_period, close_through, reopen_period
from tenants.unit_of_work import unit_of_work
from tests.at_once import at_once
from tests.ledger.test_posting import END_OF_YEAR, YEAR

CLOSERS = 4


def closing_at_once(engine: Engine, org_id: int, close: Callable[..., Any]) -> list[str]:
    """Run ``close`` in ``CLOSERS`` units of work at once; what each ended with."""

    def run() -> str:
        with unit_of_work(engine, org_id) as session:
            close(session)
        return "closed"

    return [
        outcome
        if isinstance(outcome, str)
        else f"refused: {outcome}"
        if isinstance(outcome, ValidationFailed)
        else f"failed: {outcome!r}"  # an IntegrityError or a deadlock is the bug
        for outcome in at_once(CLOSERS, run)
    ]


def periods(engine: Engine, org_id: int) -> list[tuple[date, date, bool]]:
    with unit_of_work(engine, org_id) as session:
        rows = session.scalars(select(AccountingPeriod).order_by(AccountingPeriod.id))
        return [(p.starts_on, p.ends_on, p.closed_at is not None) for p in rows]


def test_closing_through_the_same_day_at_once_closes_each_day_once(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org(books_open_on=date(YEAR, 1, 1))

    outcomes = closing_at_once(
        engine,
        org.id,
        lambda s: close_through(s, date(YEAR, 3, 31), actor_id=1, role="owner", today=END_OF_YEAR),
    )

    assert outcomes.count("closed") == 1, outcomes
    assert all(o.startswith("refused: Alles tot en met") for o in outcomes if o != "closed")
    assert periods(engine, org.id) == [(date(YEAR, 1, 1), date(YEAR, 3, 31), True)]


def test_closing_the_same_new_period_at_once_makes_one_period(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org(books_open_on=date(YEAR, 1, 1))
    january = (date(YEAR, 1, 1), date(YEAR, 1, 31))

    outcomes = closing_at_once(
        engine, org.id, lambda s: close_period(s, *january, actor_id=1, role="owner")
    )

    assert outcomes.count("closed") == 1, outcomes
    assert all(o == "refused: Deze periode is al afgesloten." for o in outcomes if o != "closed")
    assert periods(engine, org.id) == [(*january, True)]


def test_a_period_and_a_closing_through_at_once_never_overlap(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org(books_open_on=date(YEAR, 1, 1))
    turn = iter(range(CLOSERS))
    lock = threading.Lock()

    def either(session: Any) -> None:
        with lock:
            mine = next(turn)
        if mine % 2:
            close_period(session, date(YEAR, 1, 1), date(YEAR, 1, 31), actor_id=1, role="owner")
        else:
            close_through(session, date(YEAR, 3, 31), actor_id=1, role="owner", today=END_OF_YEAR)

    outcomes = closing_at_once(engine, org.id, either)

    assert not [o for o in outcomes if o.startswith("failed")], outcomes
    stored = sorted(periods(engine, org.id))
    for (_, first_end, _), (second_start, _, _) in itertools.pairwise(stored):
        assert first_end < second_start, stored
    assert stored[0][0] == date(YEAR, 1, 1) and stored[-1][1] == date(YEAR, 3, 31)


def test_reopening_a_period_opens_its_days_as_no_twin_is_left(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org(books_open_on=date(YEAR, 1, 1))
    closing_at_once(
        engine,
        org.id,
        lambda s: close_through(s, date(YEAR, 3, 31), actor_id=1, role="owner", today=END_OF_YEAR),
    )
    with unit_of_work(engine, org.id) as session:
        (period_id,) = session.scalars(select(AccountingPeriod.id)).all()
        reopen_period(session, period_id, actor_id=1, role="owner")

    assert periods(engine, org.id) == [(date(YEAR, 1, 1), date(YEAR, 3, 31), False)]


def test_the_database_refuses_overlapping_periods_whoever_writes_them(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org(books_open_on=date(YEAR, 1, 1))
    with unit_of_work(engine, org.id) as session:
        close_period(session, date(YEAR, 1, 1), date(YEAR, 1, 31), actor_id=1, role="owner")

    with (
        pytest.raises(IntegrityError, match="ex_accounting_periods_overlap"),
        unit_of_work(engine, org.id) as session,
    ):
        session.execute(
            insert(AccountingPeriod).values(starts_on=date(YEAR, 1, 31), ends_on=date(YEAR, 2, 5))
        )
    assert periods(engine, org.id) == [(date(YEAR, 1, 1), date(YEAR, 1, 31), True)]
