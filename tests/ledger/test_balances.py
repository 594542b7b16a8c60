"""Monthly roll-ups: every write keeps the closing balances exact, and reads agree with postings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from ledger.balances import (
    Balances,
    BalancesRead,
    Effect,
    apply_effects,
    balances_before,
    balances_between,
    subtree_balance,
)
from ledger.clock import today
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.models import Account, BalanceBucket, Posting
from ledger.reports.account_ledger import account_ledger
from ledger.reports.periods import Period
from ledger.roll_up import rebuild_roll_up, roll_up_mismatches
from ledger.transactions import edit_transaction, post_transaction, reverse_transaction
from tenants.binding import bind_session, route_connection
from tenants.migrations import (
    MIGRATIONS_DIR,
    configure_tenant_context,
    script_directory,
    tenant_metadata,
)

YEAR = today().year
BANK = "Assets:Bank:Checking"
CASH = "Assets:Cash"
GIFTS = "Income:Donations:Gifts"


def transfer(day: date, amount: str, debit: str = BANK, credit: str = GIFTS) -> NewTransaction:
    units = Decimal(amount)
    return NewTransaction(
        date=day,
        narration="Overboeking",
        postings=(
            NewPosting(debit, Amount(units, "EUR")),
            NewPosting(credit, Amount(-units, "EUR")),
        ),
    )


def naive_balances_before(session: Session, day: date) -> Balances:
    """Every posting before ``day`` summed, the slow way the roll-ups must agree with."""
    rows = session.execute(
        select(Account.name, Posting.currency, func.sum(Posting.number))
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.date < day)
        .group_by(Account.name, Posting.currency)
    )
    result: Balances = {}
    for name, currency, units in rows:
        if units != 0:
            result.setdefault(name, {})[currency] = units
    return result


def test_a_back_dated_posting_moves_the_closing_balance_of_every_later_month(
    books: Session,
) -> None:
    post_transaction(books, transfer(date(YEAR, 3, 10), "100.00"), None)
    post_transaction(books, transfer(date(YEAR, 6, 10), "20.00"), None)
    post_transaction(books, transfer(date(YEAR, 1, 5), "3.00"), None)

    closings = dict(
        books.execute(
            select(BalanceBucket.month, BalanceBucket.closing_units)
            .join(Account, Account.id == BalanceBucket.account_id)
            .where(Account.name == BANK)
        ).all()
    )

    assert closings == {
        date(YEAR, 1, 1): Decimal("3.00"),
        date(YEAR, 3, 1): Decimal("103.00"),
        date(YEAR, 6, 1): Decimal("123.00"),
    }
    assert roll_up_mismatches(books) == []


def test_balances_on_every_day_of_a_month_agree_with_the_postings(books: Session) -> None:
    for day, amount in [(2, "1.00"), (9, "2.00"), (16, "4.00"), (17, "8.00"), (30, "16.00")]:
        post_transaction(books, transfer(date(YEAR, 4, day), amount), None)
    post_transaction(books, transfer(date(YEAR, 2, 28), "32.00"), None)
    post_transaction(books, transfer(date(YEAR, 5, 1), "64.00"), None)

    for day in [date(YEAR, 4, d) for d in range(1, 31)] + [date(YEAR, 5, 1), date(YEAR, 5, 2)]:
        assert balances_before(books, day) == naive_balances_before(books, day), day


def test_an_edit_that_moves_a_transaction_to_another_month_moves_its_roll_ups(
    books: Session,
) -> None:
    moved = post_transaction(books, transfer(date(YEAR, 2, 10), "50.00"), None)
    post_transaction(books, transfer(date(YEAR, 4, 10), "5.00"), None)

    edit_transaction(books, moved, transfer(date(YEAR, 5, 20), "70.00", CASH), None)

    assert roll_up_mismatches(books) == []
    assert balances_before(books, date(YEAR, 5, 1)) == {
        BANK: {"EUR": Decimal("5.00")},
        GIFTS: {"EUR": Decimal("-5.00")},
    }
    assert balances_between(books, date(YEAR, 5, 1), date(YEAR, 5, 31)) == {
        CASH: {"EUR": Decimal("70.00")},
        GIFTS: {"EUR": Decimal("-70.00")},
    }


def test_a_reversal_in_a_later_month_brings_the_balance_back_to_zero(books: Session) -> None:
    original = post_transaction(books, transfer(date(YEAR, 1, 31), "12.34"), None)
    reverse_transaction(books, original, None, on=date(YEAR, 3, 1))

    assert roll_up_mismatches(books) == []
    assert balances_before(books, date(YEAR, 2, 15)) == {
        BANK: {"EUR": Decimal("12.34")},
        GIFTS: {"EUR": Decimal("-12.34")},
    }
    assert balances_before(books, date(YEAR, 3, 2)) == {}


def test_a_subtree_balance_adds_the_subaccounts_closing_balances(books: Session) -> None:
    post_transaction(books, transfer(date(YEAR, 1, 3), "10.00"), None)
    post_transaction(books, transfer(date(YEAR, 2, 25), "1.00", CASH), None)
    post_transaction(books, transfer(date(YEAR, 3, 5), "100.00"), None)

    assert subtree_balance(books, "Assets", "EUR", date(YEAR, 2, 26)) == Decimal("11.00")
    assert subtree_balance(books, "Assets", "EUR", date(YEAR, 3, 6)) == Decimal("111.00")
    assert subtree_balance(books, "Assets:Bank", "EUR", date(YEAR, 3, 5)) == Decimal("10.00")
    assert subtree_balance(books, "Assets", "USD", date(YEAR, 3, 6)) == Decimal(0)


def test_an_account_ledger_page_starts_from_the_closing_balance_of_the_month_before(
    books: Session,
) -> None:
    post_transaction(books, transfer(date(YEAR, 1, 3), "10.00"), None)
    post_transaction(books, transfer(date(YEAR, 2, 3), "20.00"), None)
    post_transaction(books, transfer(date(YEAR, 3, 3), "40.00"), None)

    page = account_ledger(books, BANK, period=Period(date(YEAR, 3, 1), date(YEAR, 3, 31)))

    assert [line.balance for line in page.lines] == [Decimal("70.00")]


def test_the_consistency_check_finds_a_roll_up_that_drifted(books: Session) -> None:
    post_transaction(books, transfer(date(YEAR, 1, 3), "10.00"), None)
    post_transaction(books, transfer(date(YEAR, 2, 3), "20.00"), None)
    books.execute(
        update(BalanceBucket)
        .where(BalanceBucket.month == date(YEAR, 1, 1))
        .values(closing_units=BalanceBucket.closing_units + 1)
    )

    drifted = roll_up_mismatches(books)
    rebuild_roll_up(books)

    assert {(m.month, m.expected[1]) for m in drifted} == {
        (date(YEAR, 1, 1), Decimal("10.00")),
        (date(YEAR, 1, 1), Decimal("-10.00")),
    }
    assert roll_up_mismatches(books) == []


def test_a_new_month_waits_for_a_back_dated_write_on_the_same_account(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    """The second write starts its month from a closing balance the first is still changing."""
    org = make_org()
    outcome: list[BaseException | None] = []

    def post_in_a_new_month() -> None:
        try:
            with Session(engine) as other:
                bind_session(other, org.tenant)
                post_transaction(other, transfer(date(YEAR, 3, 10), "2.00"), None)
                other.commit()
            outcome.append(None)
        except BaseException as error:  # reported by the test's own thread
            outcome.append(error)

    with Session(engine) as books:
        bind_session(books, org.tenant)
        post_transaction(books, transfer(date(YEAR, 1, 10), "1.00"), None)
        books.commit()
        bank_id = books.scalar(select(Account.id).where(Account.name == BANK))
        assert bank_id is not None
        apply_effects(books, [Effect(bank_id, BANK, "EUR", date(YEAR, 1, 20), Decimal("5.00"))])
        writer = threading.Thread(target=post_in_a_new_month)
        writer.start()
        writer.join(timeout=1.0)
        waited = writer.is_alive()
        books.commit()
        writer.join(timeout=30)
        march = books.scalar(
            select(BalanceBucket.closing_units).where(
                BalanceBucket.account_id == bank_id, BalanceBucket.month == date(YEAR, 3, 1)
            )
        )

    assert waited
    assert outcome == [None]
    assert march == Decimal("8.00")


def test_the_migration_recomputes_the_roll_ups_from_the_postings(
    engine: Engine, make_org: Callable[..., Any]
) -> None:
    org = make_org()
    with Session(engine) as books:
        bind_session(books, org.tenant)
        post_transaction(books, transfer(date(YEAR, 1, 3), "10.00"), None)
        post_transaction(books, transfer(date(YEAR, 4, 3), "20.00", CASH), None)
    with engine.begin() as connection:
        _migrate(connection, org.schema_name, "0007", downgrade=True)
        connection.exec_driver_sql("UPDATE balance_buckets SET units = units + 1")
        _migrate(connection, org.schema_name, "0008")

    with Session(engine) as books:
        bind_session(books, org.tenant)
        assert roll_up_mismatches(books) == []
        assert balances_before(books, date(YEAR, 5, 1)) == naive_balances_before(
            books, date(YEAR, 5, 1)
        )


def _migrate(connection: Connection, schema: str, target: str, *, downgrade: bool = False) -> None:
    """Move one tenant schema up or down to ``target`` on ``connection``."""
    route_connection(connection, schema)
    script = script_directory("tenant")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR / "tenant"))

    def steps(revision: Any, _context: Any) -> Any:
        if downgrade:
            return script._downgrade_revs(target, revision)
        return script._upgrade_revs(target, revision)

    with EnvironmentContext(config, script, fn=steps) as context:
        configure_tenant_context(context, connection, schema, tenant_metadata())
        with context.begin_transaction():
            context.run_migrations()


def test_balances_read_ahead_for_several_days_agree_with_each_day_read_alone(
    books: Session,
) -> None:
    for day, amount in [(2, "1.00"), (16, "4.00"), (30, "16.00")]:
        post_transaction(books, transfer(date(YEAR, 4, day), amount), None)
    post_transaction(books, transfer(date(YEAR, 6, 15), "32.00", debit=CASH), None)
    days = [date(YEAR, 4, 1), date(YEAR, 4, 17), date(YEAR, 7, 1)]

    read = BalancesRead(books, days)

    for day in [*days, date(YEAR, 5, 31)]:  # the last one was not read ahead
        assert read.before(day) == naive_balances_before(books, day), day
    assert read.on(date(YEAR, 6, 30)) == balances_before(books, date(YEAR, 7, 1))
    assert read.between(date(YEAR, 4, 17), date(YEAR, 6, 30)) == balances_between(
        books, date(YEAR, 4, 17), date(YEAR, 6, 30)
    )
