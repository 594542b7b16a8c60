"""An English reader reads the accounts by their English labels on the reports and the account
page; they showed the Dutch ones ("Rekening-courant bank") under English headings."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from app.breaks import SOFT_HYPHEN
from ledger.bank.accounts import add_bank_account
from ledger.clock import today
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.reports.budgets import set_budget
from ledger.reports.periods import Period
from ledger.transactions import post_transaction
from tenants.binding import bind_session
from tenants.roles import Role

YEAR = today().year
IBAN = "NL20INGB0001234567"
BANK = ("Assets:Bank:Checking", "Current account", "Rekening-courant bank")
SUPPLIES = ("Expenses:Office:Supplies", "Office supplies", "Kantoorbenodigdheden")


@pytest.fixture
def reader(app, engine, make_org, make_user, login_as):
    """An owner's browser, and a way to read a page of their books in either language."""
    org = make_org()
    with Session(engine) as books:
        bind_session(books, org.tenant)
        post_transaction(
            books,
            NewTransaction(
                date=date(YEAR, 1, 2),
                narration="Papier",
                tags=frozenset({"zomerkamp"}),
                postings=(
                    NewPosting(SUPPLIES[0], Amount(Decimal("12.50"), "EUR")),
                    NewPosting(BANK[0], Amount(Decimal("-12.50"), "EUR")),
                ),
            ),
            actor_id=None,
        )
        year = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
        set_budget(books, SUPPLIES[0], year, Decimal("100"), "EUR", None)
        add_bank_account(books, IBAN, None)  # on the bank account, Assets:Bank:Checking
        books.commit()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))

    def read(path: str, locale: str) -> str:
        """The page without the account picker's suggestions (which keep the Dutch label as
        the value they send, in either language), and without the soft hyphens where a long
        label may break (``app.breaks``), as a person reads it."""
        client.post("/locale", data={"locale": locale, "next": "/"})
        page = client.get(f"/o/{org.slug}{path}").get_data(as_text=True)
        return re.sub(r"<datalist.*?</datalist>", "", page, flags=re.S).replace(SOFT_HYPHEN, "")

    return read


PAGES = {
    "balance sheet": ("/reports/balance-sheet", (BANK,)),
    "income statement": ("/reports/income-statement", (SUPPLIES,)),
    "trial balance": ("/reports/trial-balance", (BANK, SUPPLIES)),
    "balance sheet as CSV": ("/reports/balance-sheet?format=csv", (BANK,)),
    "budget": (f"/reports/budget?from={YEAR}-01-01&to={YEAR}-12-31", (SUPPLIES,)),
    "projects": (f"/reports/projects?key=%23&from={YEAR}-01-01&to={YEAR}-12-31", (SUPPLIES,)),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_report_names_its_accounts_in_its_readers_language(reader, page):
    path, accounts = PAGES[page]
    english, dutch = reader(path, "en"), reader(path, "nl")
    for _name, label_en, label_nl in accounts:
        assert label_en in english and label_nl not in english
        assert label_nl in dutch and label_en not in dutch


def test_an_accounts_page_is_headed_by_its_label_in_its_readers_language(reader):
    english = reader(f"/accounts/{BANK[0]}", "en")
    dutch = reader(f"/accounts/{BANK[0]}", "nl")
    assert "<h1>Current account</h1>" in english and "<title>Current account" in english
    assert "<h1>Rekening-courant bank</h1>" in dutch


def test_the_settings_name_the_account_each_iban_is_booked_on_in_the_readers_language(reader):
    english = reader("/settings", "en").split('data-testid="ibans"')[1].split("</ul>")[0]
    dutch = reader("/settings", "nl").split('data-testid="ibans"')[1].split("</ul>")[0]
    assert "<code>NL20 INGB 0001 2345 67</code> → Current account" in english
    assert "<code>NL20 INGB 0001 2345 67</code> → Rekening-courant bank" in dutch
