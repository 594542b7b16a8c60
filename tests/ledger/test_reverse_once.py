"""A transaction reversed from four browsers at the same moment is reversed once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ledger.errors import ValidationFailed
from ledger.models import Transaction
from ledger.transactions import post_transaction, reverse_transaction
from tenants.unit_of_work import unit_of_work
from tests.at_once import at_once
from tests.ledger.test_posting import YEAR, gift

SENDS = 4


def test_four_reversals_at_once_make_one_and_the_others_are_told(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org()
    with unit_of_work(engine, org.id) as session:
        original = post_transaction(session, gift("25.00", date(YEAR, 2, 1)), actor_id=1)

    def reverse() -> int:
        with unit_of_work(engine, org.id) as session:
            return reverse_transaction(session, original, actor_id=1, on=date(YEAR, 2, 2))

    outcomes = at_once(SENDS, reverse)  # a unique violation is the bug

    refusals = [o for o in outcomes if isinstance(o, ValidationFailed)]
    assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
    assert len(refusals) == SENDS - 1, outcomes
    assert all(str(r) == "Deze boeking is al tegengeboekt." for r in refusals)
    with unit_of_work(engine, org.id) as session:
        reversals = session.scalars(
            select(Transaction.id).where(Transaction.reverses_id == original)
        ).all()
    assert len(reversals) == 1
