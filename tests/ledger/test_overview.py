"""The dashboard's figures: this fiscal year against the last, what is owed, money at hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from ledger.fiscal_year import set_fiscal_year_start_month
from ledger.importer import import_book
from ledger.overview import overview

# Income in months on both sides of each fiscal year's edges (the year starts in July), with
# money owed both ways and a bank account that moves in the month of the day asked.
BOOK = """\
2023-01-01 open Assets:Bank:Checking EUR
2023-01-01 open Assets:Receivables EUR
2023-01-01 open Assets:Receivables:Members EUR
2023-01-01 open Liabilities:Payables EUR
2023-01-01 open Income:Contributions EUR
2023-01-01 open Expenses:Rent EUR
2024-06-30 * "Before last year"
  Assets:Bank:Checking 1.00 EUR
  Income:Contributions
2024-07-01 * "First day of last year"
  Assets:Bank:Checking 10.00 EUR
  Income:Contributions
2025-06-30 * "Last day of last year"
  Assets:Bank:Checking 100.00 EUR
  Income:Contributions
2025-07-01 * "First day of this year"
  Assets:Bank:Checking 1000.00 EUR
  Income:Contributions
2025-09-15 * "Rent"
  Expenses:Rent 40.00 EUR
  Liabilities:Payables
2025-11-20 * "Invoiced"
  Assets:Receivables:Members 25.00 EUR
  Income:Contributions
2026-03-10 * "Early in the month asked"
  Assets:Bank:Checking 7.00 EUR
  Income:Contributions
2026-03-20 * "After the day asked"
  Assets:Bank:Checking 10000.00 EUR
  Income:Contributions
"""


def test_the_overview_reads_each_fiscal_year_from_its_own_first_month(books: Session) -> None:
    import_book(books, BOOK, actor_id=None)
    set_fiscal_year_start_month(books, 7, actor_id=None)

    figures = overview(books, date(2026, 3, 15))

    assert (figures.this_year.start, figures.this_year.end) == (date(2025, 7, 1), date(2026, 6, 30))
    assert (figures.last_year.start, figures.last_year.end) == (date(2024, 7, 1), date(2025, 6, 30))
    assert [m.month for m in figures.this_year.months][:2] == [date(2025, 7, 1), date(2025, 8, 1)]
    assert len(figures.this_year.months) == len(figures.last_year.months) == 12
    # The whole of March counts in the monthly figures, as the roll-ups hold whole months.
    assert figures.this_year.income == Decimal("11032.00")
    assert figures.this_year.expenses == Decimal("40.00")
    assert figures.last_year.income == Decimal("110.00")
    assert figures.receivables == Decimal("25.00")
    assert figures.payables == Decimal("40.00")
    assert [(b.account, b.number) for b in figures.liquid] == [
        ("Assets:Bank:Checking", Decimal("1118.00"))
    ]
    assert figures.account_count == 6


def test_the_overview_takes_january_when_no_fiscal_year_is_set(books: Session) -> None:
    import_book(books, BOOK, actor_id=None)

    figures = overview(books, date(2026, 3, 15))

    assert (figures.this_year.start, figures.last_year.start) == (
        date(2026, 1, 1),
        date(2025, 1, 1),
    )
    assert figures.this_year.income == Decimal("10007.00")
    assert figures.last_year.income == Decimal("1125.00")
