"""Closed periods: what is in them stays as it was; corrections are reversals in an open period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from ledger.audit import audit_trail
from ledger.balances import balances_on
from ledger.errors import PeriodClosed
from ledger.periods import close_period, reopen_period
from ledger.queries import load_transaction
from ledger.transactions import edit_transaction, post_transaction, reverse_transaction
from tests.ledger.test_posting import BANK, YEAR, gift

JANUARY = (date(YEAR, 1, 1), date(YEAR, 1, 31))


def close_january(books: Session) -> int:
    return close_period(books, *JANUARY, actor_id=1, role="owner")


def test_an_edit_in_an_open_period_replaces_the_transaction(books: Session) -> None:
    posted = post_transaction(books, gift("10.00", date(YEAR, 2, 10)), actor_id=1)
    close_january(books)

    edit_transaction(books, posted, gift("11.00", date(YEAR, 2, 11)), actor_id=1)

    stored = load_transaction(books, posted)
    assert stored is not None and stored.date == date(YEAR, 2, 11)
    assert stored.postings[0].units.number == Decimal("11.00")


def test_even_a_narration_change_is_refused_in_a_closed_period(books: Session) -> None:
    posted = post_transaction(books, gift("10.00", date(YEAR, 1, 10)), actor_id=1)
    close_january(books)
    unchanged = load_transaction(books, posted)
    assert unchanged is not None

    with pytest.raises(PeriodClosed) as refused:
        edit_transaction(books, posted, replace(unchanged, narration="Anders"), actor_id=1)

    assert "afgesloten" in str(refused.value)
    assert load_transaction(books, posted) == unchanged
    assert [row.action for row in audit_trail(books, entity="transaction")] == ["post"]


def test_an_edit_cannot_move_a_transaction_into_a_closed_period(books: Session) -> None:
    posted = post_transaction(books, gift("10.00", date(YEAR, 2, 10)), actor_id=1)
    close_january(books)

    with pytest.raises(PeriodClosed):
        edit_transaction(books, posted, gift("10.00", date(YEAR, 1, 20)), actor_id=1)

    stored = load_transaction(books, posted)
    assert stored is not None and stored.date == date(YEAR, 2, 10)


def test_a_reversal_in_an_open_period_corrects_a_closed_one_and_leaves_the_original(
    books: Session,
) -> None:
    posted = post_transaction(books, gift("10.00", date(YEAR, 1, 10)), actor_id=1)
    close_january(books)

    reverse_transaction(books, posted, actor_id=1, on=date(YEAR, 2, 1))

    assert balances_on(books, date(YEAR, 1, 31))[BANK] == {"EUR": Decimal("10.00")}
    assert BANK not in balances_on(books, date(YEAR, 2, 1))
    stored = load_transaction(books, posted)
    assert stored is not None and stored.postings[0].units.number == Decimal("10.00")


def test_a_reversal_dated_inside_the_closed_period_is_refused(books: Session) -> None:
    posted = post_transaction(books, gift("10.00", date(YEAR, 1, 10)), actor_id=1)
    close_january(books)

    with pytest.raises(PeriodClosed):
        reverse_transaction(books, posted, actor_id=1, on=date(YEAR, 1, 31))


def test_after_reopening_the_period_an_edit_is_allowed_again(books: Session) -> None:
    posted = post_transaction(books, gift("10.00", date(YEAR, 1, 10)), actor_id=1)
    reopen_period(books, close_january(books), actor_id=1, role="owner")

    edit_transaction(books, posted, gift("12.00", date(YEAR, 1, 10)), actor_id=1)

    assert balances_on(books, date(YEAR, 1, 31))[BANK] == {"EUR": Decimal("12.00")}
