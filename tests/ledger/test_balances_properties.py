"""Random back-dated posts, edits and reversals leave the roll-ups equal to a sum of postings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.accounts import add_account
from ledger.balances import Balances, balances_before, balances_between
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.models import BalanceBucket, Transaction
from ledger.roll_up import roll_up_mismatches
from ledger.transactions import edit_transaction, post_transaction, reverse_transaction
from tenants.binding import bind_session
from tests.ledger.test_balances import YEAR, naive_balances_before

EURO_ACCOUNTS = (
    "Assets:Bank:Checking",
    "Assets:Cash",
    "Income:Donations:Gifts",
    "Expenses:Office:Supplies",
)
BOTH_CURRENCIES = ("Assets:Wallet", "Income:Abroad")
FIRST, LAST = date(YEAR, 1, 1), date(YEAR + 1, 12, 31)


@dataclass(frozen=True)
class Post:
    day: date
    debit: str
    credit: str
    cents: int
    currency: str


@dataclass(frozen=True)
class Edit:
    which: int
    post: Post


@dataclass(frozen=True)
class Reverse:
    which: int
    day: date


days = st.dates(min_value=FIRST, max_value=LAST)


def posts_in(currency: str, accounts: tuple[str, ...]) -> st.SearchStrategy[Post]:
    pairs = st.permutations(accounts).map(lambda names: names[:2])
    return st.builds(
        lambda day, pair, cents: Post(day, pair[0], pair[1], cents, currency),
        days,
        pairs,
        st.integers(min_value=1, max_value=10**7),
    )


posts = posts_in("EUR", EURO_ACCOUNTS + BOTH_CURRENCIES) | posts_in("USD", BOTH_CURRENCIES)
operations = st.lists(
    st.one_of(
        posts,
        st.builds(Edit, which=st.integers(0, 20), post=posts),
        st.builds(Reverse, which=st.integers(0, 20), day=days),
    ),
    min_size=1,
    max_size=8,
)


def as_transaction(post: Post) -> NewTransaction:
    units = Decimal(post.cents) / 100
    return NewTransaction(
        date=post.day,
        narration="Willekeurig",
        postings=(
            NewPosting(post.debit, Amount(units, post.currency)),
            NewPosting(post.credit, Amount(-units, post.currency)),
        ),
    )


def apply(books: Session, operation: Post | Edit | Reverse, posted: list[int]) -> None:
    """Carry out one operation; edits and reversals pick among the transactions so far."""
    match operation:
        case Post():
            posted.append(post_transaction(books, as_transaction(operation), None))
        case Edit(which, post) if posted:
            edit_transaction(books, posted[which % len(posted)], as_transaction(post), None)
        case Reverse(which, day) if posted:
            original = posted.pop(which % len(posted))  # reversed once, then left alone
            reverse_transaction(books, original, None, on=day)


def difference(closing: Balances, opening: Balances) -> Balances:
    result: Balances = {}
    for name in closing.keys() | opening.keys():
        for currency in closing.get(name, {}).keys() | opening.get(name, {}).keys():
            change = closing.get(name, {}).get(currency, Decimal(0)) - opening.get(name, {}).get(
                currency, Decimal(0)
            )
            if change:
                result.setdefault(name, {})[currency] = change
    return result


def empty_books(engine: Engine, tenant: Any) -> Session:
    """The organisation's books with every transaction and roll-up removed (a fresh example)."""
    books = Session(engine)
    bind_session(books, tenant)
    books.execute(delete(Transaction))
    books.execute(delete(BalanceBucket))
    books.commit()
    return books


@pytest.fixture
def organisation(engine: Engine, make_org: Callable[..., Any]) -> Any:
    """One organisation for every example (emptied before each one), with two accounts that
    also hold dollars: provisioning is too slow to repeat."""
    org = make_org()
    with Session(engine) as books:
        bind_session(books, org.tenant)
        for name in BOTH_CURRENCIES:
            add_account(books, name, None, opened_on=FIRST, currencies=("EUR", "USD"))
        books.commit()
    return org


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations, probes=st.lists(days, min_size=2, max_size=4))
def test_balances_after_random_writes_equal_the_sum_of_the_postings(
    engine: Engine, organisation: Any, steps: list[Any], probes: list[date]
) -> None:
    with empty_books(engine, organisation.tenant) as books:
        posted: list[int] = []
        for step in steps:
            apply(books, step, posted)
            books.commit()  # each write its own unit of work, as from the pages
        touched = [s.day if isinstance(s, Post | Reverse) else s.post.day for s in steps]
        edges = {d + timedelta(days=1) for d in touched} | {d.replace(day=1) for d in touched}
        checked = sorted(set(probes) | set(touched) | edges)

        assert roll_up_mismatches(books) == []
        for day in checked:
            assert balances_before(books, day) == naive_balances_before(books, day), day
        start, end = min(probes), max(probes)
        expected = difference(
            naive_balances_before(books, end + timedelta(days=1)),
            naive_balances_before(books, start),
        )
        assert balances_between(books, start, end) == expected
