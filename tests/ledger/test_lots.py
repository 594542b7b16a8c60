"""Sales held at cost: matched against open lots with Beancount's booking, checked by Beancount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from beancount import loader
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.accounts import add_account
from ledger.balances import balances_before
from ledger.entries import Amount, Cost, CostSpec, NewPosting, NewTransaction
from ledger.errors import ValidationFailed
from ledger.export import export_book
from ledger.importer import import_book
from ledger.lots import LotNotMatched
from ledger.models import OpenLot
from ledger.queries import load_transaction
from ledger.transactions import edit_transaction, post_transaction, reverse_transaction
from tests.ledger.test_posting import BANK, YEAR
from tests.ledger.test_roundtrip import END_OF_TIME, beanquery_balances

STOCK = "Assets:Beleggingen:Hool"
GAINS = "Income:Koerswinst"


def open_stock(books: Session, booking: str | None) -> None:
    opened = date(YEAR, 1, 1)
    add_account(books, STOCK, None, opened_on=opened, currencies=("HOOL",), booking=booking)
    add_account(books, GAINS, None, opened_on=opened)


def buy(books: Session, units: str, cost: str, day: date) -> int:
    total = Decimal(units) * Decimal(cost)
    return post_transaction(
        books,
        NewTransaction(
            date=day,
            narration="Aankoop",
            postings=(
                NewPosting(STOCK, Amount(Decimal(units), "HOOL"), Cost(Decimal(cost), "EUR")),
                NewPosting(BANK, Amount(-total, "EUR")),
            ),
        ),
        actor_id=1,
    )


def sale(
    units: str, proceeds: str, gain: str, day: date, spec: CostSpec | None = None
) -> NewTransaction:
    return NewTransaction(
        date=day,
        narration="Verkoop",
        postings=(
            NewPosting(
                STOCK,
                Amount(-Decimal(units), "HOOL"),
                spec or CostSpec(),
                Amount(Decimal(proceeds) / Decimal(units), "EUR"),
            ),
            NewPosting(BANK, Amount(Decimal(proceeds), "EUR")),
            NewPosting(GAINS, Amount(-Decimal(gain), "EUR")),
        ),
    )


def open_lots(books: Session) -> dict[tuple[Decimal, date], Decimal]:
    return {(lot.cost_number, lot.cost_date): lot.units for lot in books.scalars(select(OpenLot))}


def assert_beancount_agrees(books: Session) -> None:
    exported = export_book(books)
    _entries, errors, _options = loader.load_string(exported)
    assert errors == []
    assert beanquery_balances(exported) == balances_before(books, END_OF_TIME)


def test_a_fifo_sale_takes_the_oldest_lots_and_beancount_accepts_the_export(
    books: Session,
) -> None:
    open_stock(books, "FIFO")
    buy(books, "10", "30.00", date(YEAR, 3, 1))
    buy(books, "5", "32.00", date(YEAR, 3, 2))

    sold = post_transaction(books, sale("12", "480.00", "116.00", date(YEAR, 4, 1)), actor_id=1)

    stored = load_transaction(books, sold)
    assert stored is not None
    costs = [(p.units.number, p.cost) for p in stored.postings if p.cost]
    assert costs == [
        (Decimal(-10), Cost(Decimal("30.00"), "EUR", date(YEAR, 3, 1), None)),
        (Decimal(-2), Cost(Decimal("32.00"), "EUR", date(YEAR, 3, 2), None)),
    ]
    assert open_lots(books) == {(Decimal("32.00"), date(YEAR, 3, 2)): Decimal(3)}
    assert_beancount_agrees(books)


def test_a_lifo_sale_takes_the_newest_lot(books: Session) -> None:
    open_stock(books, "LIFO")
    buy(books, "10", "30.00", date(YEAR, 3, 1))
    buy(books, "5", "32.00", date(YEAR, 3, 2))

    post_transaction(books, sale("5", "200.00", "40.00", date(YEAR, 4, 1)), actor_id=1)

    assert open_lots(books) == {(Decimal("30.00"), date(YEAR, 3, 1)): Decimal(10)}
    assert_beancount_agrees(books)


def test_an_ambiguous_sale_on_a_strict_account_is_refused_in_dutch_and_changes_nothing(
    books: Session,
) -> None:
    open_stock(books, None)
    buy(books, "10", "30.00", date(YEAR, 3, 1))
    buy(books, "5", "32.00", date(YEAR, 3, 2))

    with pytest.raises(LotNotMatched) as refused:
        post_transaction(books, sale("3", "120.00", "28.00", date(YEAR, 4, 1)), actor_id=1)

    assert "Meerdere lotten" in str(refused.value)
    assert len(open_lots(books)) == 2


def test_a_cost_spec_picks_one_lot_on_a_strict_account(books: Session) -> None:
    open_stock(books, None)
    buy(books, "10", "30.00", date(YEAR, 3, 1))
    buy(books, "5", "32.00", date(YEAR, 3, 2))
    spec = CostSpec(Decimal("32.00"), "EUR")

    post_transaction(books, sale("3", "120.00", "24.00", date(YEAR, 4, 1), spec), actor_id=1)

    assert open_lots(books)[(Decimal("32.00"), date(YEAR, 3, 2))] == Decimal(2)
    assert_beancount_agrees(books)


def test_selling_more_than_the_lots_hold_is_refused(books: Session) -> None:
    open_stock(books, "FIFO")
    buy(books, "10", "30.00", date(YEAR, 3, 1))

    with pytest.raises(LotNotMatched) as refused:
        post_transaction(books, sale("11", "440.00", "110.00", date(YEAR, 4, 1)), actor_id=1)

    assert "te weinig" in str(refused.value)


def test_a_back_dated_sale_cannot_take_units_a_later_sale_already_took(books: Session) -> None:
    open_stock(books, "FIFO")
    buy(books, "10", "30.00", date(YEAR, 3, 1))
    post_transaction(books, sale("10", "400.00", "100.00", date(YEAR, 5, 1)), actor_id=1)
    buy(books, "4", "35.00", date(YEAR, 6, 1))

    with pytest.raises(LotNotMatched):
        post_transaction(books, sale("1", "40.00", "10.00", date(YEAR, 4, 1)), actor_id=1)
    post_transaction(books, sale("1", "40.00", "5.00", date(YEAR, 7, 1)), actor_id=1)

    assert open_lots(books) == {(Decimal("35.00"), date(YEAR, 6, 1)): Decimal(3)}
    assert_beancount_agrees(books)


def test_reversing_a_sale_gives_the_lots_back_and_editing_one_rebooks_it(
    books: Session,
) -> None:
    open_stock(books, "FIFO")
    buy(books, "10", "30.00", date(YEAR, 3, 1))
    buy(books, "5", "32.00", date(YEAR, 3, 2))
    first = post_transaction(books, sale("12", "480.00", "116.00", date(YEAR, 4, 1)), actor_id=1)
    reverse_transaction(books, first, actor_id=1, on=date(YEAR, 4, 2))
    assert sum(open_lots(books).values()) == Decimal(15)

    second = post_transaction(books, sale("15", "600.00", "140.00", date(YEAR, 4, 3)), actor_id=1)
    edit_transaction(books, second, sale("4", "160.00", "40.00", date(YEAR, 4, 3)), actor_id=1)

    assert open_lots(books) == {
        (Decimal("30.00"), date(YEAR, 3, 1)): Decimal(6),
        (Decimal("32.00"), date(YEAR, 3, 2)): Decimal(5),
    }
    assert_beancount_agrees(books)


def test_a_sale_written_as_empty_braces_without_any_lot_is_refused(books: Session) -> None:
    open_stock(books, "FIFO")

    with pytest.raises(LotNotMatched) as refused:
        post_transaction(books, sale("1", "40.00", "40.00", date(YEAR, 4, 1)), actor_id=1)

    assert "Geen open lot" in str(refused.value)


def test_an_unknown_booking_method_is_refused(books: Session) -> None:
    with pytest.raises(ValidationFailed):
        add_account(books, STOCK, None, opened_on=date(YEAR, 1, 1), booking="RANDOM")


IMPORTED = """
2024-01-01 open Assets:Bank EUR
2024-01-01 open Assets:Stock HOOL
2024-01-01 open Equity:Opening
2024-01-01 open Income:Gains
2024-01-02 * "Start"
  Assets:Bank 1000.00 EUR
  Equity:Opening
2024-01-04 * "Buy"
  Assets:Stock 10 HOOL {30.00 EUR}
  Assets:Bank
2024-01-05 * "Buy"
  Assets:Stock 5 HOOL {32.00 EUR}
  Assets:Bank
"""


def test_a_sale_posted_on_imported_books_matches_the_imported_lots(books: Session) -> None:
    import_book(books, IMPORTED, actor_id=None)
    spec = CostSpec(date=date(2024, 1, 5))
    sold = NewTransaction(
        date=date(2024, 2, 1),
        narration="Sell",
        postings=(
            NewPosting("Assets:Stock", Amount(Decimal(-5), "HOOL"), spec),
            NewPosting("Assets:Bank", Amount(Decimal("170.00"), "EUR")),
            NewPosting("Income:Gains", Amount(Decimal("-10.00"), "EUR")),
        ),
    )

    post_transaction(books, sold, actor_id=1)

    assert open_lots(books) == {(Decimal("30.00"), date(2024, 1, 4)): Decimal(10)}
    assert_beancount_agrees(books)
