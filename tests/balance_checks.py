"""A balance check (Beancount's ``balance`` assertion) written straight to an organisation's
books, as no service would write one that does not hold: for the tests that need one broken."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ledger.models import Account, BalanceAssertion


def write_balance_check(books: Session, account: str, day: date, number: str) -> None:
    """Assert ``number`` euros on ``account`` at the start of ``day``, and commit."""
    account_id = books.scalar(select(Account.id).where(Account.name == account))
    assert account_id is not None, account
    books.execute(
        insert(BalanceAssertion).values(
            date=day,
            account_id=account_id,
            number=Decimal(number),
            currency="EUR",
            difference=Decimal(0),
            meta={},
        )
    )
    books.commit()
