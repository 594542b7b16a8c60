"""Money typed anywhere goes through one parser with limits; stored extremes never break a page.

A bookkeeper once typed 999999999999999999999999999 into "Geld uit": it was stored, and every
page that showed it failed, because Python's default decimal context holds 28 digits and the
money filter quantized the amount in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.i18n import money, number
from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.bank.models import BankRule
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.errors import ValidationFailed
from ledger.importer import import_book
from ledger.models import Transaction
from ledger.transactions import post_transaction
from tenants.binding import bind_session
from tenants.roles import Role
from tests.bank.conftest import statement_file

ING = "NL20INGB0001234567"

BOOK = """
2023-01-01 open Assets:Bank EUR
2023-01-01 open Equity:Opening EUR
2023-01-01 open Expenses:Rent EUR

2024-01-02 * "Beginbalans"
  Assets:Bank 100.00 EUR
  Equity:Opening -100.00 EUR

2024-02-02 * "Verhuurder" "Huur"
  Expenses:Rent 50.00 EUR
  Assets:Bank -50.00 EUR
"""
EXTREMES = ["999999999999999999999999999", "1E+40", "123.456789012345678901234567890123", "1E-30"]
# Path parts the pages below need; every other GET page of an organisation has none.
PATH_PARTS = {"<int:transaction_id>": "1", "<path:account>": "Assets:Bank"}


@pytest.fixture
def bookkeeper(
    app: Flask, make_org: Callable[..., Any], make_user: Callable[..., Any], login_as: Any
) -> tuple[FlaskClient, Any]:
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.BOOKKEEPER))
    return client, org


def transaction_count(engine: Engine, org: Any) -> int:
    with Session(engine) as session:
        bind_session(session, org.tenant)
        return int(session.scalar(select(func.count()).select_from(Transaction)) or 0)


def test_a_twenty_seven_digit_amount_typed_into_money_out_is_refused_in_words(
    bookkeeper: tuple[FlaskClient, Any], engine: Engine
) -> None:
    client, org = bookkeeper
    response = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "2026-03-05",
            "amount": "999999999999999999999999999",
            "payee": "Drukkerij",
            "narration": "Flyers",
            "money_account": "Assets:Bank:Checking",
            "category": "Expenses:Office:Printing",
        },
    )
    assert response.status_code == 422
    assert "te groot" in response.get_data(as_text=True)
    assert transaction_count(engine, org) == 0
    assert client.get(f"/o/{org.slug}/").status_code == 200


def test_the_books_refuse_a_posting_too_large_to_carry_whoever_calls_them(
    make_org: Callable[..., Any], engine: Engine
) -> None:
    org = make_org()
    huge = Decimal(10) ** 15
    new = NewTransaction(
        date=date(2026, 3, 5),
        narration="te groot",
        postings=(
            NewPosting("Expenses:Office:Printing", Amount(huge, "EUR")),
            NewPosting("Assets:Bank:Checking", Amount(-huge, "EUR")),
        ),
    )
    with Session(engine) as session:
        bind_session(session, org.tenant)
        with pytest.raises(ValidationFailed):
            post_transaction(session, new, None)
    assert transaction_count(engine, org) == 0


def organisation_pages(app: Flask, slug: str) -> Iterator[str]:
    """Every GET page of an organisation that needs no other path part than those known here."""
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or not rule.rule.startswith("/o/<slug>/"):
            continue
        path = rule.rule.replace("<slug>", slug)
        for part, value in PATH_PARTS.items():
            path = path.replace(part, value)
        if "<" not in path:
            yield path


@pytest.mark.parametrize("value", EXTREMES)
def test_every_page_shows_whatever_amount_the_database_holds(
    app: Flask,
    engine: Engine,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    login_as: Any,
    value: str,
) -> None:
    org = make_org()
    with Session(engine) as session:
        bind_session(session, org.tenant)
        import_book(session, BOOK, actor_id=None)
        # Straight into the tables, past every check: what an old bug may have left behind.
        scaled = "CAST(:value AS numeric) * sign({column})"
        session.execute(text(f"UPDATE postings SET number = {scaled.format(column='number')}"),
                        {"value": value})  # fmt: skip
        session.execute(
            text(
                f"UPDATE balance_buckets SET units = {scaled.format(column='units')},"
                f" closing_units = {scaled.format(column='closing_units')}"
            ),
            {"value": value},
        )
        session.commit()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    failed = {}
    for path in organisation_pages(app, org.slug):
        for query in ("", "?date=2024-12-31", "?from=2024-01-01&to=2024-12-31", "?format=csv"):
            status = client.get(path + query).status_code
            if status >= 500:
                failed[path + query] = status
    assert failed == {}


@pytest.mark.parametrize(
    "stored",
    [
        Decimal("999999999999999999999999999.99"),
        Decimal("-1E+40"),
        Decimal("1E+100000"),
        Decimal("1E-30"),
        Decimal("NaN"),
        Decimal("-Infinity"),
        12,
    ],
)
def test_the_money_and_number_filters_show_any_value_and_never_raise(
    app: Flask, stored: Decimal | int
) -> None:
    with app.test_request_context("/"):
        for locale in ("nl", "en"):
            with force_locale(locale):
                assert money(stored)
                assert number(stored)


def test_the_money_filter_groups_a_twenty_seven_digit_amount_in_dutch(app: Flask) -> None:
    with app.test_request_context("/"):
        shown = money(Decimal("999999999999999999999999999.99"))
    assert shown == "€\xa0999.999.999.999.999.999.999.999.999,99"


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "1e400", "100.000.000.000"])
def test_a_bank_rule_limit_that_is_no_amount_is_refused_and_nothing_is_saved(
    bookkeeper: tuple[FlaskClient, Any], engine: Engine, typed: str
) -> None:
    client, org = bookkeeper
    response = client.post(
        f"/o/{org.slug}/bank/rules",
        data={"account": "Income:Donations:Gifts", "counterparty_name": "X", "amount_min": typed},
    )
    assert response.status_code == 422
    with Session(engine) as session:
        bind_session(session, org.tenant)
        assert session.scalar(select(func.count()).select_from(BankRule)) == 0


def test_a_rule_with_a_nan_limit_left_in_the_database_does_not_break_the_inbox(
    bookkeeper: tuple[FlaskClient, Any], engine: Engine
) -> None:
    client, org = bookkeeper
    with Session(engine) as session:
        bind_session(session, org.tenant)
        add_bank_account(session, ING, None)
        import_statement(session, statement_file("ing.camt053.xml"), None)
        session.commit()  # the test is the unit of work
    with Session(engine) as session:
        bind_session(session, org.tenant)
        session.execute(
            text(
                "INSERT INTO bank_rules (counterparty_name, counterparty_iban,"
                " description_contains, amount_min, contra_account_id, narration)"
                " SELECT '', '', '', 'NaN', id, '' FROM accounts LIMIT 1"
            )
        )
        session.commit()
    assert client.get(f"/o/{org.slug}/bank/rules").status_code == 200
    assert client.get(f"/o/{org.slug}/bank/inbox").status_code == 200


@pytest.mark.parametrize("typed", ["1e5", "NaN", "999999999999999999999999999"])
def test_a_budget_amount_beyond_the_limits_is_refused(
    bookkeeper: tuple[FlaskClient, Any], typed: str
) -> None:
    client, org = bookkeeper
    response = client.post(
        f"/o/{org.slug}/reports/budget",
        data={
            "account": "Huur",
            "from": "2024-01-01",
            "to": "2024-12-31",
            "amount": typed,
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="error-amount"' in page and "Begroting opgeslagen" not in page


def test_a_tax_rate_wider_than_its_column_is_refused_in_words_not_by_the_database(
    app: Flask, make_user: Callable[..., Any], login_as: Any
) -> None:
    staff = app.test_client()
    login_as(staff, make_user(is_bureau_admin=True))
    response = staff.post(
        "/bureau/insurance/tax/rates",
        data={"valid_from": "2061-01-01", "percent": "100000", "note": "te veel"},
    )
    assert response.status_code == 422
    assert "te groot" in response.get_data(as_text=True)
