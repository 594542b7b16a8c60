"""Reports, journal, account ledger and export in the browser, for a viewer, in Dutch formats."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from beancount import loader
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.importer import import_book
from tenants.binding import bind_session
from tenants.roles import Role

BOOK = """
2023-01-01 open Assets:Bank EUR
  label_nl: "Bankrekening"
2023-01-01 open Liabilities:Payable EUR
2023-01-01 open Equity:Opening EUR
2023-01-01 open Income:Subsidy EUR
  label_nl: "Subsidies"
2023-01-01 open Expenses:Rent EUR
  label_nl: "Huur"

2023-01-02 * "Beginbalans"
  Assets:Bank 1000.00 EUR
  Equity:Opening

2023-03-01 * "Gemeente" "Subsidie 2023"
  Assets:Bank 800.00 EUR
  Income:Subsidy

2024-03-01 * "Gemeente" "Subsidie 2024" #buurthuis
  Assets:Bank 1234.56 EUR
  Income:Subsidy

2024-04-01 * "Verhuurder" "Huur april <script>"
  Expenses:Rent 300.00 EUR
  Liabilities:Payable
"""


@pytest.fixture
def viewer(
    app: Flask,
    engine: Engine,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    login_as: Callable[..., None],
) -> tuple[Any, FlaskClient]:
    """An organisation with a few posted transactions, and a client logged in as its viewer."""
    org = make_org()
    with Session(engine) as session:
        bind_session(session, org.tenant)
        import_book(session, BOOK, actor_id=None)
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.VIEWER))
    return org, client


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_the_balance_sheet_shows_dutch_figures_and_last_years_column(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/reports/balance-sheet?date=2024-12-31")

    assert "Balans per 31 dec 2024" in html
    assert "€\xa03.034,56" in html  # the bank now
    assert "€\xa01.800,00" in html  # the bank at the end of 2023, the comparison column
    assert "€\xa0934,56" in html  # this year's result: 1.234,56 subsidy minus 300,00 rent
    assert "Resultaat voorgaande jaren" in html and "Bankrekening" in html


def test_the_income_statement_compares_with_the_previous_year(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/reports/income-statement?from=2024-01-01&to=2024-12-31")

    assert "Staat van baten en lasten" in html
    assert "€\xa01.234,56" in html and "€\xa0800,00" in html
    assert "Huur" in html and "€\xa0300,00" in html
    assert "01-01-2023 – 31-12-2023" in html


def test_the_trial_balance_puts_credit_balances_in_the_credit_column(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/reports/trial-balance?date=2024-04-30")

    row = html.split("Subsidies", 1)[1].split("</tr>", 1)[0]
    assert row.count("<td") == 2 and "€\xa02.034,56" in row
    assert row.index("€") > row.index("</td>")  # empty debit cell first


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("balance-sheet?date=2024-12-31", ["Assets:Bank", "Bankrekening", "EUR", "3034.56"]),
        ("trial-balance?date=2024-12-31", ["Liabilities:Payable", "", "EUR", "-300.00"]),
        (
            "income-statement?from=2024-01-01&to=2024-12-31",
            ["Income:Subsidy", "Subsidies", "EUR", "-1234.56"],
        ),
    ],
)
def test_each_report_downloads_as_csv_with_exact_amounts(
    viewer: Any, query: str, expected: list[str]
) -> None:
    org, client = viewer

    response = client.get(f"/o/{org.slug}/reports/{query}&format=csv")

    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert rows[0] == ["rekening", "omschrijving", "valuta", "bedrag"]
    assert expected in rows


def test_the_journal_filters_by_text_and_escapes_what_people_typed(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/journal?q=huur")
    everything = page(client, f"/o/{org.slug}/journal")

    assert "Huur april &lt;script&gt;" in html
    assert "Subsidie 2024" not in html
    assert "Subsidie 2024" in everything and "01-03-2024" in everything


def test_the_journal_pages_with_a_key(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/journal?before=2024-03-01_1")

    assert "Beginbalans" in html and "Huur april" not in html


def test_the_account_ledger_shows_a_running_balance(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/accounts/Assets:Bank?from=2023-03-01")

    assert "Bankrekening" in html and "Beginsaldo" in html
    assert html.index("€\xa01.800,00") < html.index("€\xa03.034,56")


def test_an_unknown_account_is_not_found(viewer: Any) -> None:
    org, client = viewer

    assert client.get(f"/o/{org.slug}/accounts/Assets:Nowhere").status_code == 404


def test_the_export_downloads_a_file_beancount_loads_without_errors(viewer: Any) -> None:
    org, client = viewer

    response = client.get(f"/o/{org.slug}/export.beancount")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{org.slug}.beancount"'
    _entries, errors, _options = loader.load_string(response.get_data(as_text=True))
    assert errors == []


def test_a_malformed_date_is_a_bad_request(viewer: Any) -> None:
    org, client = viewer

    assert client.get(f"/o/{org.slug}/reports/balance-sheet?date=31-12-2024").status_code == 400


def test_someone_from_another_organisation_cannot_read_the_reports(
    viewer: Any,
    app: Flask,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    login_as: Any,
) -> None:
    org, _client = viewer
    stranger = app.test_client()
    login_as(stranger, make_user(org=make_org(), role=Role.OWNER))

    for path in ("reports/balance-sheet", "journal", "accounts/Assets:Bank", "export.beancount"):
        assert stranger.get(f"/o/{org.slug}/{path}").status_code == 404


def test_results_per_tag_show_the_project_and_its_result(viewer: Any) -> None:
    org, client = viewer

    html = page(client, f"/o/{org.slug}/reports/projects?from=2024-01-01&to=2024-12-31&key=%23")

    section = html.split('data-testid="project-buurthuis"', 1)[1].split("</table>", 1)[0]
    assert "Subsidies" in section and "€\xa01.234,56" in section


def test_a_bookkeeper_sets_a_budget_typed_the_dutch_way_and_sees_it_against_actual(
    viewer: Any, app: Flask, make_user: Callable[..., Any], login_as: Any
) -> None:
    org, reader = viewer
    bookkeeper = app.test_client()
    login_as(bookkeeper, make_user(org=org, role=Role.BOOKKEEPER))
    budget = {"account": "Income:Subsidy", "from": "2024-01-01", "to": "2024-12-31"}

    refused = reader.post(f"/o/{org.slug}/reports/budget", data={**budget, "amount": "1"})
    saved = bookkeeper.post(f"/o/{org.slug}/reports/budget", data={**budget, "amount": "1.500,00"})
    html = page(reader, f"/o/{org.slug}/reports/budget?from=2024-01-01&to=2024-12-31")

    assert refused.status_code == 403 and saved.status_code == 302
    row = html.split('data-testid="budget"', 1)[1].split("</tr>", 2)[1]
    assert "€\xa01.500,00" in row and "€\xa01.234,56" in row and "€\xa0-265,44" in row
