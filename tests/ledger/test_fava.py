"""Fava opens what we export: a bean-example book, imported, added to and exported, has no error."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from fava.core import FavaLedger
from fava.core.tree import Tree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.balances import balances_before
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.export import export_book
from ledger.importer import import_book
from ledger.models import Transaction
from ledger.transactions import post_transaction
from tests.ledger.test_roundtrip import END_OF_TIME

HOSTILE = '" \n2023-01-01 close Assets:US:BofA:Checking ; \\ option "title" "x" € 😀'


def exported_example(books: Session, tmp_path: Path) -> Path:
    """A bean-example book imported, one transaction with hostile text posted, then exported."""
    original = tmp_path / "example.beancount"
    subprocess.run(
        [
            *("bean-example", "--seed", "5"),
            *("--date-begin", "2022-01-01", "--date-end", "2023-06-30"),
            *("-o", str(original)),
        ],
        check=True,
        capture_output=True,
    )
    import_book(books, original.read_text(), actor_id=None, source="bean-example")
    post_transaction(
        books,
        NewTransaction(
            date=date(2023, 6, 30),
            payee=HOSTILE,
            narration=HOSTILE,
            postings=(
                NewPosting("Assets:US:BofA:Checking", Amount(Decimal("-12.34"), "USD")),
                NewPosting("Expenses:Food:Restaurant", Amount(Decimal("12.34"), "USD")),
            ),
        ),
        actor_id=None,
    )
    target = tmp_path / "export.beancount"
    target.write_text(export_book(books), encoding="utf-8")
    return target


def test_fava_opens_an_exported_bean_example_book_without_errors(
    books: Session, tmp_path: Path
) -> None:
    fava = FavaLedger(str(exported_example(books, tmp_path)))

    assert [error.message for error in fava.errors] == []
    transactions = [e for e in fava.all_entries if isinstance(e, data.Transaction)]
    assert len(transactions) == books.scalar(select(func.count()).select_from(Transaction))
    assert sum(1 for t in transactions if t.narration == HOSTILE and t.payee == HOSTILE) == 1


def test_fava_sees_the_same_balance_of_every_account(books: Session, tmp_path: Path) -> None:
    fava = FavaLedger(str(exported_example(books, tmp_path)))

    theirs: dict[str, dict[str, Decimal]] = {}
    for name, node in Tree(fava.all_entries).items():
        for (currency, _cost), number in node.balance.items():
            by_currency = theirs.setdefault(name, {})
            by_currency[currency] = by_currency.get(currency, Decimal(0)) + number

    ours = balances_before(books, END_OF_TIME)
    assert ours  # the example book holds balances, so the comparison means something
    assert ours == {name: nonzero(theirs[name]) for name in theirs if nonzero(theirs[name])}


def nonzero(balance: dict[str, Decimal]) -> dict[str, Decimal]:
    return {currency: number for currency, number in balance.items() if number}
