"""The streamed export writes what Beancount's printer writes, and the download streams it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from beancount import loader
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from ledger.beans import render_book, render_entries, render_header
from ledger.entries import Amount, BalanceEntry, NewPosting, NewTransaction, OpenEntry
from ledger.export import export_book, read_book
from ledger.importer import import_book
from tenants.binding import bind_session
from tenants.roles import Role
from tests.ledger.test_hostile_text import HOSTILE

OPENS = (
    OpenEntry(date(2024, 1, 1), "Assets:Bank", ("EUR",)),
    OpenEntry(date(2024, 1, 1), "Income:Gifts", ("EUR",)),
)
META_VALUES = st.one_of(
    HOSTILE, st.booleans(), st.dates(), st.decimals(allow_nan=False, allow_infinity=False)
)
AMOUNTS = st.decimals(min_value=-(10**9), max_value=10**9, places=2).filter(bool)


def transaction(payee: str, narration: str, meta: object, number: Decimal, flag: str | None):
    return NewTransaction(
        date=date(2024, 2, 1),
        payee=payee or None,
        narration=narration,
        tags=frozenset({"subsidie-2024", "wijk"}),
        links=frozenset({"factuur-17"}),
        meta={"remark": meta},
        postings=(
            NewPosting("Assets:Bank", Amount(number, "EUR"), flag=flag),
            NewPosting("Income:Gifts", Amount(-number, "EUR")),
        ),
    )


@settings(max_examples=150, deadline=None)
@given(HOSTILE, HOSTILE, META_VALUES, AMOUNTS, st.sampled_from([None, "!"]))
def test_a_streamed_transaction_is_written_byte_for_byte_as_beancounts_printer_writes_it(
    payee, narration, meta, number, flag
):
    entry = transaction(payee, narration, meta, number, flag)

    streamed = "".join(render_entries(OPENS, [entry]))  # the quick writer
    printed = "".join(render_entries((*OPENS, entry), []))  # Beancount's own printer

    assert streamed == printed
    entries, errors, _options = loader.load_string(streamed)
    assert errors == [] and len(entries) == 3


def test_streamed_transactions_take_their_place_among_the_other_directives():
    balance = BalanceEntry(date(2024, 2, 1), "Assets:Bank", Amount(Decimal("0.00"), "EUR"))
    later = transaction("", "later", "x", Decimal("5.00"), None)
    earlier = NewTransaction(date(2024, 1, 15), "earlier", later.postings)

    text = "".join(render_entries((*OPENS, balance), [earlier, later]))

    order = [text.index(mark) for mark in ('"earlier"', "balance Assets:Bank", '"later"')]
    assert order == sorted(order)  # a balance is checked before the day's transactions
    assert render_header({"title": 'De "Linde"'}).startswith('option "title" "De \\"Linde\\""\n')


def test_the_download_streams_the_books_with_the_organisations_name_as_title(
    app, client, make_org, make_user, login_as, engine
):
    org = make_org(name='Stichting "De Linde" & co')
    login_as(client, make_user(org=org, role=Role.VIEWER))

    response = client.get(f"/o/{org.slug}/export.beancount")

    assert response.status_code == 200 and response.is_streamed
    text = response.get_data(as_text=True)
    assert text.startswith('option "title" "Stichting \\"De Linde\\" & co"\n')
    _entries, errors, options = loader.load_string(text)
    assert errors == [] and options["title"] == 'Stichting "De Linde" & co'
    with Session(engine) as session:
        bind_session(session, org.tenant)
        assert text == export_book(session, title='Stichting "De Linde" & co')


VARIED = r"""
2024-01-01 open Assets:Bank EUR
2024-01-01 open Assets:Stock HOOL "FIFO"
2024-01-01 open Equity:Opening
2024-01-01 open Expenses:Fees
2024-01-01 open Income:Gifts
2024-01-02 pad Assets:Bank Equity:Opening
2024-01-03 balance Assets:Bank 1000.00 EUR
2024-01-04 * "Buy" #invest ^lot-1
  note: "a \"quoted\" lot"
  Assets:Stock 10 HOOL {30.00 EUR, "a"}
  Assets:Bank -300.00 EUR
2024-01-05 ! "Gift \\ shop" "" #wijk #buurt ^factuur-17
  checked: TRUE
  on: 2024-01-06
  share: 0.25
  ! Assets:Bank 1234567.8900 EUR
  Income:Gifts -1234567.89 EUR
2024-01-06 * "Fee with an amount in its metadata"
  fee: 2.50 EUR
  Expenses:Fees 0.0000001 EUR
  Assets:Bank -0.0000001 EUR
2024-01-07 * "Posting metadata"
  Expenses:Fees 3.00 EUR
    receipt: "bon-3"
  Assets:Bank
2024-01-08 * "Priced" "in EUR"
  Assets:Bank 10.00 EUR @ 1.00 EUR
  Income:Gifts -10.00 EUR
"""


def test_the_export_from_the_rows_is_what_beancounts_printer_writes_for_every_transaction(
    books: Session,
):
    """Plain transactions are written from the rows, the others by the printer: the same text."""
    import_book(books, VARIED, actor_id=1)

    exported = export_book(books)

    assert exported == render_book(read_book(books))  # every entry through the printer
    assert '2024-01-05 ! "Gift \\\\ shop" "" #buurt #wijk ^factuur-17' in exported
    assert "Assets:Bank  1234567.8900 EUR" in exported
    assert "Expenses:Fees   0.0000001 EUR" in exported
