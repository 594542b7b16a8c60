"""Differential test on generated whole ledgers: our balances against bean-query, before and after.

Hypothesis writes small valid Beancount books (opens, balanced transactions in a few currencies,
conversions at a price, purchases at cost and FIFO sales, balance assertions that hold); each is
imported into a fresh organisation, every balance compared with bean-query, exported, reloaded
by Beancount and compared again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.balances import balances_before
from ledger.export import export_book
from ledger.importer import import_book
from tenants.binding import bind_session
from tenants.provisioning import NewOrganisation, provision_organisation
from tests.ledger.test_roundtrip import END_OF_TIME, beanquery_balances

START = date(2024, 1, 1)
OPENS = """option "operating_currency" "EUR"
2024-01-01 open Assets:Bank EUR
2024-01-01 open Assets:Wallet
2024-01-01 open Assets:Broker HOOL "FIFO"
2024-01-01 open Liabilities:Card
2024-01-01 open Equity:Opening
2024-01-01 open Income:Salary
2024-01-01 open Income:Gains EUR
2024-01-01 open Expenses:Food
2024-01-01 open Expenses:Travel
"""
FREE = ("Assets:Wallet", "Liabilities:Card", "Equity:Opening", "Expenses:Food", "Expenses:Travel")
EUR_ONLY = ("Assets:Bank", "Income:Salary")
MONEY = st.integers(1, 500_000).map(lambda cents: Decimal(cents).scaleb(-2))


@dataclass
class Draft:
    """A ledger being written, with what the generator must know to keep it valid."""

    lines: list[str] = field(default_factory=lambda: [OPENS])
    postings: list[tuple[date, str, str, Decimal]] = field(default_factory=list)
    lots: list[tuple[int, Decimal]] = field(default_factory=list)  # HOOL held, FIFO order

    def transaction(self, day: date, narration: str, legs: list[tuple[str, str, str]]) -> None:
        self.lines.append(f'{day} * "{narration}"')
        self.lines += [f"  {account}  {amount}{extra}".rstrip() for account, amount, extra in legs]

    def track(self, day: date, account: str, currency: str, number: Decimal) -> None:
        self.postings.append((day, account, currency, number))

    def balance_before(self, day: date, account: str, currency: str) -> Decimal:
        return sum(
            (n for d, a, c, n in self.postings if d < day and a == account and c == currency),
            Decimal(0),
        )


@st.composite
def ledgers(draw: st.DrawFn) -> str:
    draft = Draft()
    day = START
    for _ in range(draw(st.integers(1, 14))):
        day += timedelta(days=draw(st.integers(0, 20)))
        write = draw(st.sampled_from([_simple, _foreign, _price, _buy, _sell, _balance]))
        write(draw, draft, day)
    return "\n".join(draft.lines) + "\n"


def _simple(draw: st.DrawFn, draft: Draft, day: date) -> None:
    source, target = draw(st.permutations(EUR_ONLY + FREE))[:2]
    amount = draw(MONEY)
    draft.transaction(
        day, "Betaling", [(target, f"{amount} EUR", ""), (source, f"{-amount} EUR", "")]
    )
    draft.track(day, target, "EUR", amount)
    draft.track(day, source, "EUR", -amount)


def _foreign(draw: st.DrawFn, draft: Draft, day: date) -> None:
    source, target = draw(st.permutations(FREE))[:2]
    currency, amount = draw(st.sampled_from(["USD", "GBP"])), draw(MONEY)
    draft.transaction(day, "Buitenland", [(target, f"{amount} {currency}", ""), (source, "", "")])
    draft.track(day, target, currency, amount)
    draft.track(day, source, currency, -amount)


def _price(draw: st.DrawFn, draft: Draft, day: date) -> None:
    units, rate = draw(MONEY), draw(st.integers(50, 200).map(lambda c: Decimal(c).scaleb(-2)))
    draft.transaction(
        day,
        "Wissel",
        [
            ("Assets:Wallet", f"{units} USD", f" @ {rate} EUR"),
            ("Assets:Bank", f"{-units * rate} EUR", ""),
        ],
    )
    draft.lines.append(f"{day} price USD {rate} EUR")
    draft.track(day, "Assets:Wallet", "USD", units)
    draft.track(day, "Assets:Bank", "EUR", -units * rate)


def _buy(draw: st.DrawFn, draft: Draft, day: date) -> None:
    units, cost = draw(st.integers(1, 20)), draw(MONEY)
    draft.transaction(
        day,
        "Aankoop",
        [
            ("Assets:Broker", f"{units} HOOL", f" {{{cost} EUR}}"),
            ("Assets:Bank", f"{-units * cost} EUR", ""),
        ],
    )
    draft.lots.append((units, cost))
    draft.track(day, "Assets:Bank", "EUR", -units * cost)


def _sell(draw: st.DrawFn, draft: Draft, day: date) -> None:
    held = sum(units for units, _cost in draft.lots)
    if not held:
        return
    units, price = draw(st.integers(1, held)), draw(MONEY)
    draft.transaction(
        day,
        "Verkoop",
        [
            ("Assets:Broker", f"-{units} HOOL", f" {{}} @ {price} EUR"),
            ("Assets:Bank", f"{units * price} EUR", ""),
            ("Income:Gains", "", ""),
        ],
    )
    left = units
    while left:
        lot_units, cost = draft.lots[0]
        taken = min(left, lot_units)
        draft.lots[0] = (lot_units - taken, cost)
        draft.lots = [lot for lot in draft.lots if lot[0]]
        left -= taken
    draft.track(day, "Assets:Bank", "EUR", units * price)


def _balance(draw: st.DrawFn, draft: Draft, day: date) -> None:
    # A balance assertion holds at the start of its day, so later writes (never before ``day``)
    # cannot change what it asserts.
    account, currency = draw(st.sampled_from([("Assets:Bank", "EUR"), ("Assets:Wallet", "USD")]))
    draft.lines.append(
        f"{day} balance {account} {draft.balance_before(day, account, currency)} {currency}"
    )


def fresh_books(engine: Engine) -> Session:
    with Session(engine) as session:
        slug = f"gen-{secrets.token_hex(4)}"
        tenant = provision_organisation(session, NewOrganisation(slug=slug, name=slug))
    books = Session(engine)
    bind_session(books, tenant)
    return books


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=ledgers())
def test_every_balance_of_a_generated_ledger_agrees_with_beanquery_before_and_after_export(
    engine: Engine, text: str
) -> None:
    expected = beanquery_balances(text)
    with fresh_books(engine) as books:
        import_book(books, text, actor_id=None, source="hypothesis")

        assert balances_before(books, END_OF_TIME) == expected
        exported = export_book(books)

    assert beanquery_balances(exported) == expected
