"""How a refusal's days, money and accounts read: in the reader's language on a page, in Dutch
on the command line (``ledger.errors.dutch_text``); money exact, whatever its decimals."""

from __future__ import annotations

from decimal import Decimal

from flask import g
from flask_babel import force_locale

from app.errors import shown_params
from ledger.entries import AccountRef, Amount
from ledger.errors import dutch_text

LEFT_OVER = (Amount(Decimal("0.005"), "EUR"), Amount(Decimal("-1234.5"), "USD"))


def test_a_sum_in_two_currencies_reads_as_both_amounts_to_the_last_decimal(app):
    with app.test_request_context():
        dutch = shown_params({"left": LEFT_OVER})["left"].replace("\u00a0", " ")
        with force_locale("en"):
            english = shown_params({"left": LEFT_OVER})["left"]

    assert dutch == "€ 0,005, US$ -1.234,50"
    assert english == "€0.005, -US$1,234.50"
    assert dutch_text({"left": LEFT_OVER})["left"].replace("\u00a0", " ") == (
        "€ 0,005, -1.234,50 USD"
    )


def test_an_account_reads_as_its_name_where_no_organisations_books_are_open(app):
    with app.test_request_context():
        g.org = None
        assert shown_params({"account": AccountRef("Assets:Bank:Checking")}) == {
            "account": "Assets:Bank:Checking"
        }
    assert dutch_text({"account": AccountRef("Assets:Bank:Checking")}) == {
        "account": "Assets:Bank:Checking"
    }
