"""Withdrawing a transaction: only from an open period, never a reversed one, always audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from ledger.audit import audit_trail
from ledger.balances import balances_on
from ledger.errors import PeriodClosed, ValidationFailed
from ledger.periods import close_period
from ledger.queries import load_transaction
from ledger.transactions import post_transaction, reverse_transaction, withdraw_transaction
from tests.ledger.test_posting import BANK, YEAR, gift


def test_a_withdrawn_transaction_leaves_the_balances_and_stays_in_the_audit_trail(
    books: Session,
) -> None:
    kept = post_transaction(books, gift("10.00", date(YEAR, 2, 1)), actor_id=1)
    gone = post_transaction(books, gift("25.00", date(YEAR, 3, 1)), actor_id=1)

    withdraw_transaction(books, gone, actor_id=1)

    assert load_transaction(books, gone) is None and load_transaction(books, kept) is not None
    assert balances_on(books, date(YEAR, 12, 31))[BANK] == {"EUR": Decimal("10.00")}
    [trail] = audit_trail(books, entity="transaction", entity_id=gone)[:1]
    assert trail.action == "delete"


def test_a_transaction_in_a_closed_period_or_a_reversed_one_is_not_withdrawn(
    books: Session,
) -> None:
    closed = post_transaction(books, gift("10.00", date(YEAR, 1, 10)), actor_id=1)
    reversed_ = post_transaction(books, gift("20.00", date(YEAR, 2, 10)), actor_id=1)
    reverse_transaction(books, reversed_, actor_id=1, on=date(YEAR, 2, 11))
    close_period(books, date(YEAR, 1, 1), date(YEAR, 1, 31), actor_id=1, role="owner")

    with pytest.raises(PeriodClosed):
        withdraw_transaction(books, closed, actor_id=1)
    with pytest.raises(ValidationFailed):
        withdraw_transaction(books, reversed_, actor_id=1)
    assert load_transaction(books, closed) is not None
    assert load_transaction(books, reversed_) is not None
