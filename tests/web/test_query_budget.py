"""Hot pages send a fixed number of SQL statements, whatever the size of the books.

Each page is counted twice: on a small book and on one with ten times the transactions, more
accounts, more bank accounts and more open invoices from the bureau. The counts must be equal
(no statement per account, bank account, invoice or transaction) and within the page's budget.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.bank.accounts import add_bank_account
from ledger.importer import import_book
from tenants.binding import bind_session
from tenants.roles import Role
from tests.conftest import login
from tests.purchasing.billing import fee_invoice, make_bureau, make_member

START = date(2025, 1, 1)

# The statements of login, organisation binding and the menu are in every count.
BUDGETS = {
    "dashboard": "/",
    "journal": "/journal",
    "journal by account": "/journal?account=Expenses:Rent",
    "journal by text": "/journal?q=Huur",
    "balance sheet": "/reports/balance-sheet?date=2025-12-31",
    "income statement": "/reports/income-statement?from=2025-01-01&to=2025-12-31",
    "trial balance": "/reports/trial-balance?date=2025-12-31",
    "account page": "/accounts/Expenses:Rent?from=2025-01-01&to=2025-12-31",
    "bank": "/bank",
    "bank inbox": "/bank/inbox",
    "invoices": "/invoices",
}
# Measured on 2026-12-05, plus three for what every request may come to need (a session check);
# four fewer since 2026-12-06: the membership, the organisation and the switcher in one query,
# the binding (marker, search path, role) in one statement. Fewer again since: the dashboard's
# figures (the fiscal year's start among them) in three statements, the reconciliations' bank
# accounts with their waiting lines in one (the dashboard counts those lines from it), the
# reports' balances of two days in one statement with labels and fiscal year read once a page,
# and the journal's labels of open accounts taken from its account choices. One fewer on every
# page since: the session check brings the user's organisations (``check_session``); and on the
# dashboard and the bank page the reconciliations bring their accounts' labels; and there again
# the reconciliations pick each account's telling bank balances in the same statement. One
# fewer on each report page since: both columns' balances (three or four days) in one statement
# (``ledger.reports.comparison``).
BUDGET = {
    "dashboard": 12,
    "journal": 7,
    "journal by account": 7,
    "journal by text": 7,
    "balance sheet": 8,
    "income statement": 8,
    "trial balance": 8,
    "account page": 9,
    "bank": 7,
    "bank inbox": 10,
    "invoices": 7,
}
IBANS = ["NL91ABNA0417164300", "NL20INGB0001234567", "NL39RABO0300065264", "NL02ABNA0123456789"]


def book(transactions: int, extra_accounts: int, bank_accounts: int) -> str:
    """Opening entries, then rent and subsidies spread over 2025, on as many accounts as asked."""
    lines = [
        "2025-01-01 open Assets:Bank EUR",
        "2025-01-01 open Equity:Opening EUR",
        "2025-01-01 open Income:Subsidy EUR",
        "2025-01-01 open Expenses:Rent EUR",
        '  label_nl: "Huur"',
    ]
    lines += [f"2025-01-01 open Assets:Bank:Extra{n} EUR" for n in range(bank_accounts)]
    lines += [f"2025-01-01 open Expenses:Extra:Cost{n} EUR" for n in range(extra_accounts)]
    lines += ['2025-01-02 * "Beginbalans"', "  Assets:Bank 1000.00 EUR", "  Equity:Opening"]
    for n in range(transactions):
        day = START + timedelta(days=1 + n * 360 // transactions)
        cost = f"Expenses:Extra:Cost{n % extra_accounts}" if extra_accounts else "Expenses:Rent"
        lines += [f'{day} * "Verhuurder" "Huur {n}"', "  Expenses:Rent 10.00 EUR", "  Assets:Bank"]
        lines += [f'{day} * "Gemeente" "Subsidie {n}"', "  Assets:Bank 12.00 EUR"]
        lines += ["  Income:Subsidy -12.00 EUR"]
        lines += [f'{day} * "Drukker" "Kosten {n}"', f"  {cost} 1.00 EUR", "  Assets:Bank"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def books_of_size(
    app: Flask, engine: Engine, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> Callable[[int, int, int, int], tuple[str, FlaskClient]]:
    with Session(engine) as session:
        bureau = make_bureau(make_org, session)
        session.commit()

    def make(
        transactions: int, extra_accounts: int, bank_accounts: int, invoices: int
    ) -> tuple[str, FlaskClient]:
        with Session(engine) as session:
            org = make_member(make_org, session)
            for _ in range(invoices):  # open invoices from the bureau: the dashboard lists them
                fee_invoice(bureau.id, org.id, session=session)
            session.commit()
        with Session(engine) as session:
            bind_session(session, org.tenant)
            import_book(session, book(transactions, extra_accounts, bank_accounts), actor_id=None)
            session.commit()
            add_bank_account(session, IBANS[0], None, account="Assets:Bank")
            for n in range(bank_accounts):
                add_bank_account(session, IBANS[n + 1], None, account=f"Assets:Bank:Extra{n}")
            session.commit()
        client = app.test_client()
        login(client, make_user(org=org, role=Role.OWNER))
        return org.slug, client

    return make


def count(client: FlaskClient, url: str, statements: list[str]) -> int:
    statements.clear()
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:800])
    return len(statements)


def test_every_hot_page_sends_as_many_statements_for_large_books_as_for_small_ones(
    books_of_size: Callable[[int, int, int, int], tuple[str, FlaskClient]],
    statements: list[str],
) -> None:
    small_slug, small = books_of_size(20, 0, 0, 1)
    large_slug, large = books_of_size(200, 30, 3, 6)

    counts = {
        page: (
            count(small, f"/o/{small_slug}{url}", statements),
            count(large, f"/o/{large_slug}{url}", statements),
        )
        for page, url in BUDGETS.items()
    }

    growing = {page: pair for page, pair in counts.items() if pair[0] != pair[1]}
    assert not growing, f"statements grow with the books (small, large): {growing}"
    over = {page: pair[1] for page, pair in counts.items() if pair[1] > BUDGET[page]}
    assert not over, f"over budget: {over} (budgets {BUDGET})"


def test_the_counter_sees_a_statement_per_account_when_a_page_sends_one(
    engine: Engine, statements: list[str]
) -> None:
    with engine.connect() as connection:
        for n in range(3):
            connection.exec_driver_sql(f"SELECT {n}")

    assert len(statements) == 3
