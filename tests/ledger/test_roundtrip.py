"""Import and export: every balance agrees with beanquery, and the export loads without errors."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from beancount import loader
from beanquery import query
from sqlalchemy.orm import Session

from ledger.balances import Balances, balances_before
from ledger.errors import ImportRefused
from ledger.export import export_book
from ledger.importer import import_book
from ledger.models import Transaction

END_OF_TIME = date(9999, 1, 1)


def beanquery_balances(text: str) -> Balances:
    entries, errors, options = loader.load_string(text)
    assert errors == []
    _types, rows = query.run_query(
        entries, options, "SELECT account, units(sum(position)) AS units GROUP BY account"
    )
    result: Balances = {}
    for account, inventory in rows:
        for pos in inventory:
            if pos.units.number != 0:
                result.setdefault(account, {})[pos.units.currency] = pos.units.number
    return result


def test_a_file_with_errors_is_refused_with_beancounts_messages_and_changes_nothing(
    books: Session,
) -> None:
    text = """
2024-01-01 open Assets:Cash
2024-01-02 * "x"
  Assets:Cash 1 EUR
  Assets:Other -1 EUR
"""

    with pytest.raises(ImportRefused) as refused:
        import_book(books, text, actor_id=None)

    assert any("Assets:Other" in problem for problem in refused.value.problems)
    assert books.query(Transaction).count() == 0


INLINE = """
option "operating_currency" "EUR"
2024-01-01 open Assets:Bank EUR
2024-01-01 open Assets:Stock HOOL "FIFO"
2024-01-01 open Equity:Opening
2024-01-01 open Income:Gains
2024-01-01 open Expenses:Fees
2024-01-02 pad Assets:Bank Equity:Opening
2024-01-03 balance Assets:Bank 1000.00 EUR
2024-01-04 * "Buy" #invest ^lot-1
  note: "first lot"
  Assets:Stock 10 HOOL {30.00 EUR, "a"}
  Assets:Bank -300.00 EUR
2024-01-05 * "Buy" "more"
  Assets:Stock 5 HOOL {{160.00 EUR}}
  Assets:Bank
2024-02-01 * "Sell"
  Assets:Stock -12 HOOL {} @ 40.00 EUR
  Assets:Bank 480.00 EUR
  Expenses:Fees 1.00 EUR
  Income:Gains
2024-02-02 price HOOL 41.00 EUR
2024-02-03 note Assets:Bank "called the bank"
2024-02-04 event "location" "Utrecht"
2024-02-05 custom "budget" Expenses:Fees "monthly" 10.00 EUR
2024-03-01 balance Assets:Bank 1020.00 EUR
"""


def test_an_inline_ledger_with_lots_pads_and_directives_round_trips(books: Session) -> None:
    import_book(books, INLINE, actor_id=1)

    exported = export_book(books)

    assert balances_before(books, END_OF_TIME) == beanquery_balances(INLINE)
    assert beanquery_balances(exported) == beanquery_balances(INLINE)
    assert '{30.00 EUR, 2024-01-04, "a"}' in exported
    assert "pad Assets:Bank Equity:Opening" in exported


@pytest.mark.parametrize(
    ("seed", "begin", "end"),
    [
        (1, "2022-01-01", "2023-06-30"),
        (7, "2019-03-15", "2021-12-31"),
        (3, "2023-01-01", "2024-12-31"),
    ],
)
def test_bean_example_books_agree_with_beanquery_after_import_and_export(
    books: Session, tmp_path: Path, seed: int, begin: str, end: str
) -> None:
    target = tmp_path / "example.beancount"
    subprocess.run(
        [
            "bean-example",
            "--seed",
            str(seed),
            "--date-begin",
            begin,
            "--date-end",
            end,
            "-o",
            str(target),
        ],
        check=True,
        capture_output=True,
    )
    original = target.read_text()

    import_book(books, original, actor_id=None, source="bean-example")
    exported = export_book(books)

    assert balances_before(books, END_OF_TIME) == beanquery_balances(original)
    assert beanquery_balances(exported) == beanquery_balances(original)
    check = tmp_path / "export.beancount"
    check.write_text(exported)
    result = subprocess.run(["bean-check", str(check)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
