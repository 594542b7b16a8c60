"""Many bookkeepers posting into the same books at the same moment lose and duplicate nothing.

Each writer is its own thread with its own unit of work, as each web request is; they start
together on a barrier and all post to the same bank and expense accounts, so they contend for
the same balance roll-up rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ledger import beans
from ledger.balances import balances_on
from ledger.clock import today
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.export import export_book
from ledger.models import Posting, Transaction
from ledger.transactions import post_transaction
from tenants.unit_of_work import unit_of_work

WRITERS = 8
EACH = 15
DAY = date(today().year, 1, 15)


def purchase(writer: int, n: int) -> NewTransaction:
    amount = Decimal(f"{writer + 1}.{n:02d}")
    return NewTransaction(
        date=DAY,
        narration=f"Inkoop {writer}-{n}",
        postings=(
            NewPosting("Expenses:Office:Supplies", Amount(amount, "EUR")),
            NewPosting("Assets:Bank:Checking", Amount(-amount, "EUR")),
        ),
    )


def test_writers_posting_at_once_keep_every_transaction_and_balanced_books(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org()
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for n in range(EACH):
                with unit_of_work(engine, org.id) as session:
                    post_transaction(session, purchase(writer, n), None)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures, failures
    expected = sum(
        (purchase(w, n).postings[0].units.number for w in range(WRITERS) for n in range(EACH)),
        Decimal(0),
    )
    with unit_of_work(engine, org.id) as session:
        narrations = session.scalars(select(Transaction.narration)).all()
        posted = session.scalar(select(func.sum(Posting.number)).where(Posting.number > 0))
        rolled_up = balances_on(session, DAY)
        text = export_book(session)
    assert sorted(narrations) == sorted(
        f"Inkoop {w}-{n}" for w in range(WRITERS) for n in range(EACH)
    )
    assert posted == expected
    assert rolled_up["Expenses:Office:Supplies"]["EUR"] == expected
    assert rolled_up["Assets:Bank:Checking"]["EUR"] == -expected
    _count, findings = beans.validate_text(text)
    assert findings == []
