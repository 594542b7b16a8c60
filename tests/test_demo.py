"""The demo content of ``servicebureau serve --demo``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.demo import install_demo
from ledger.balances import balances_on
from tenants.binding import bind_session
from tenants.demo import fill_demo_books
from tenants.provisioning import AMSTERDAM


def test_demo_books_are_posted_through_the_ledger_and_balance(engine, make_org):
    org = make_org()
    with Session(engine) as session:
        fill_demo_books(session, org.tenant)
    with Session(engine) as books:
        bind_session(books, org.tenant)
        balances = balances_on(books, datetime.now(AMSTERDAM).date().replace(month=12, day=31))
    assert balances["Assets:Bank:Checking"] == {"EUR": Decimal("3413.15")}
    assert balances["Expenses:Housing:Rent"] == {"EUR": Decimal("350.00")}
    assert sum(sum(amounts.values()) for amounts in balances.values()) == 0


def test_the_demo_leaves_an_instance_with_organisations_of_its_own_alone(session, make_org):
    make_org()
    assert install_demo(session) == [
        "demo: skipped, this instance already has organisations of its own"
    ]
