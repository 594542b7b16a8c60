"""A write costs the same whatever the history: the same statements into a small or large book."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.importer import import_book
from ledger.transactions import post_transaction
from tenants.binding import bind_session

START = date(2020, 1, 1)
DAYS = 4 * 365
OPENS = """2020-01-01 open Assets:Bank EUR
2020-01-01 open Assets:Wallet EUR
2020-01-01 open Income:Gifts EUR
2020-01-01 open Expenses:Food EUR
"""


def history(transactions: int) -> str:
    """``transactions`` gifts and purchases spread over four years, a bank assertion each month."""
    lines = [OPENS]
    step = DAYS / transactions
    bank = Decimal(0)
    month = (START.year, START.month)
    for n in range(transactions):
        day = START + timedelta(days=int(n * step))
        if (day.year, day.month) != month:
            month = (day.year, day.month)
            lines.append(f"{day.replace(day=1)} balance Assets:Bank {bank} EUR")
        bank += Decimal("10.00")
        lines += [f'{day} * "Gift {n}"', "  Assets:Bank 10.00 EUR", "  Income:Gifts"]
        lines += [f'{day} * "Lunch {n}"', "  Expenses:Food 4.50 EUR", "  Assets:Wallet"]
    return "\n".join(lines) + "\n"


def lunch(day: date) -> NewTransaction:
    return NewTransaction(
        date=day,
        narration="Lunch",
        postings=(
            NewPosting("Expenses:Food", Amount(Decimal("7.25"), "EUR")),
            NewPosting("Assets:Wallet", Amount(Decimal("-7.25"), "EUR")),
        ),
    )


def gift(day: date) -> NewTransaction:
    return NewTransaction(
        date=day,
        narration="Gift",
        postings=(
            NewPosting("Assets:Bank", Amount(Decimal("25.00"), "EUR")),
            NewPosting("Income:Gifts", Amount(Decimal("-25.00"), "EUR")),
        ),
    )


def statements_of_a_post(
    engine: Engine, org: Any, transactions: int, new: NewTransaction, sent: list[str]
) -> list[str]:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        import_book(books, history(transactions), actor_id=None)
        books.commit()
    with Session(engine) as books:
        bind_session(books, org.tenant)
        sent.clear()
        post_transaction(books, new, actor_id=1)
        return [statement.replace(org.schema_name, "org") for statement in sent]


@pytest.mark.parametrize(
    "new",
    [lunch(date(2021, 6, 15)), gift(date(2024, 6, 1))],
    ids=["in the middle of the history", "after the last balance assertion"],
)
def test_posting_sends_the_same_statements_into_20_or_5000_transactions_of_history(
    engine: Engine, make_org: Callable[..., Any], statements: list[str], new: NewTransaction
) -> None:
    small = statements_of_a_post(engine, make_org(), 20, new, statements)
    large = statements_of_a_post(engine, make_org(), 5000, new, statements)

    assert len(small) == len(large)
    assert small == large
    assert len(small) <= 10, "\n\n".join(small)
