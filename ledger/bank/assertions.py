"""Adding a balance assertion that holds now: the bank's balance, written into the books."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ledger import checks
from ledger.audit import record_change
from ledger.balances import subtree_balance
from ledger.errors import ValidationFailed
from ledger.models import BalanceAssertion


def add_holding_assertion(
    session: Session, account_id: int, account: str, day: date, number: Decimal, currency: str
) -> int | None:
    """Assert ``number currency`` on ``account`` at the start of ``day`` if the books agree.

    Returns the assertion's id (an existing equal one is reused), or None when the books say
    otherwise: an assertion that does not hold would refuse every later write before it, so it
    waits (as a reconciliation difference) until the books agree. Runs in the caller's
    transaction.
    """
    existing = session.execute(
        select(BalanceAssertion.id, BalanceAssertion.number).where(
            BalanceAssertion.account_id == account_id,
            BalanceAssertion.date == day,
            BalanceAssertion.currency == currency,
        )
    ).first()
    if existing is not None:
        return int(existing.id) if existing.number == number else None
    try:
        checks.open_accounts(session, [account], day)
        checks.check_open_period(session, day)
    except ValidationFailed:
        return None
    difference = subtree_balance(session, account, currency, day) - number
    if difference != 0:
        return None
    assertion_id = session.scalar(
        insert(BalanceAssertion)
        .values(
            date=day,
            account_id=account_id,
            number=number,
            currency=currency,
            difference=Decimal(0),
            meta={"source": "bank"},
        )
        .returning(BalanceAssertion.id)
    )
    assert assertion_id is not None
    record_change(
        session,
        None,
        "assert",
        "balance_assertion",
        assertion_id,
        after={"account": account, "date": day.isoformat(), "number": str(number)},
    )
    return int(assertion_id)
