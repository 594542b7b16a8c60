"""Debet and Credit instead of signed amounts: journal, account ledger, trial balance and its
downloads, the full entry form; and a simple booking is corrected in the simple form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from babel.numbers import format_currency
from flask.testing import FlaskClient
from lxml import html

from tenants.roles import Role
from tests.web import test_books
from tests.web.test_books_downloads import XLSX, as_decimal, download, pdf_text, sheet_rows
from tests.web.test_dutch_formats import visible_text

viewer, viewer_of = test_books.viewer, test_books.viewer_of


def money_text(amount: Any) -> str:
    return format_currency(amount, "EUR", locale="nl_NL").replace("\xa0", " ")


def cells(page: str, testid: str) -> list[list[str]]:
    """The text of every cell of every row of the table (or tbody) with ``data-testid``."""
    table = html.fromstring(page).xpath(f'//*[@data-testid="{testid}"]')[0]
    return [
        [" ".join(c.text_content().split()) for c in row.xpath("td|th")] for row in table.iter("tr")
    ]


def test_the_journal_shows_income_as_credit_and_no_negative_amounts(viewer: Any) -> None:
    org, client = viewer
    page = client.get(f"/o/{org.slug}/journal").get_data(as_text=True)
    rows = cells(page, "journal")
    assert rows[0][-2:] == ["Debet", "Credit"]
    subsidy = next(row for row in rows if any(cell.startswith("Subsidies") for cell in row))
    assert subsidy[-2] == "" and subsidy[-1].startswith("€")
    assert not re.search(r"€\s?-", visible_text(page))


def test_the_account_ledger_has_debit_and_credit_columns_and_a_running_balance(viewer) -> None:
    org, client = viewer
    page = client.get(f"/o/{org.slug}/accounts/Assets:Bank").get_data(as_text=True)
    assert cells(page, "account-ledger")[0][2:] == ["Debet", "Credit", "Saldo"]


def test_the_trial_balance_totals_debit_and_credit_on_the_page_and_in_its_downloads(
    viewer: Any,
) -> None:
    org, client = viewer
    url = f"/o/{org.slug}/reports/trial-balance?date=2024-12-31"
    page = client.get(url).get_data(as_text=True)
    total = cells(page, "debit-credit-EUR")[0]
    assert total[0] == "Totaal debet en credit (EUR)" and total[1] == total[2] != ""

    rows = sheet_rows(download(client, f"{url}&format=xlsx", XLSX))
    (totals,) = [row for row in rows if row[1] == "Totaal debet en credit (EUR)"]
    assert as_decimal(totals[3]) == as_decimal(totals[4]) > 0
    assert total[1] == money_text(as_decimal(totals[3]))

    text = pdf_text(download(client, f"{url}&format=pdf", "application/pdf"))
    assert "Totaal debet en credit (EUR)" in text


@pytest.fixture
def owner(app, make_org, make_user, login_as) -> tuple[Any, FlaskClient]:
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    return org, client


def test_the_full_form_takes_debit_and_credit_and_refuses_a_row_with_both(owner) -> None:
    org, client = owner
    form = client.get(f"/o/{org.slug}/entry/full").get_data(as_text=True)
    assert 'name="debit-0"' in form and 'name="credit-0"' in form and "Plus is debet" not in form
    rows = {"date": "2026-03-01", "narration": "Huur",
            "account-0": "Expenses:Housing:Rent", "debit-0": "350,00",
            "account-1": "Assets:Bank:Checking", "credit-1": "350,00"}  # fmt: skip

    refused = client.post(f"/o/{org.slug}/entry/full", data={**rows, "debit-1": "5"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Vul debet of credit in, niet allebei." in page and 'value="350,00"' in page

    booked = client.post(f"/o/{org.slug}/entry/full", data=rows)
    assert booked.status_code == 302
    shown = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert "Huur" in shown and "350,00" in shown


def test_a_simple_expense_is_corrected_in_the_simple_form_with_dutch_account_names(
    owner,
) -> None:
    org, client = owner
    made = client.post(
        f"/o/{org.slug}/entry/expense",
        data={"date": "2026-03-10", "amount": "20", "payee": "Hema", "narration": "Slingers",
              "money_account": "Assets:Cash", "category": "Expenses:Office:Supplies"},
    )  # fmt: skip
    edit_url = made.headers["Location"] + "/edit"
    form = client.get(edit_url).get_data(as_text=True)
    assert 'name="amount"' in form and 'value="20,00"' in form and 'name="account-0"' not in form
    tree = html.fromstring(form)
    category = tree.xpath('//input[@name="category"]/@value')[0]
    assert ":" not in category  # the Dutch label, not Expenses:Office:Supplies
    version = tree.xpath('//input[@name="version"]/@value')[0]

    saved = client.post(
        edit_url,
        data={"version": version, "date": "2026-03-10", "amount": "25,00", "payee": "Hema",
              "narration": "Slingers en ballonnen", "money_account": "Assets:Cash",
              "category": category},
    )  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)[:1000]
    shown = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Slingers en ballonnen" in shown and "25,00" in shown
    full = client.get(f"{edit_url}?form=full").get_data(as_text=True)
    assert 'name="account-0"' in full and 'name="debit-0"' in full
