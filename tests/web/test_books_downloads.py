"""Report downloads as CSV, Excel and PDF, read back and checked figure by figure."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader

from tenants.roles import Role
from tests.web import test_books

viewer, viewer_of = test_books.viewer, test_books.viewer_of

YEAR = "from=2024-01-01&to=2024-12-31"


def download(client: FlaskClient, url: str, mimetype: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return response.get_data()


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def row_of(rows: list[tuple[Any, ...]], first: str) -> tuple[Any, ...]:
    return next(row for row in rows if row[0] == first)


def as_decimal(value: Any) -> Decimal:
    """A spreadsheet number as an exact amount in cents (it must be a number, not text)."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return Decimal(str(value)).quantize(Decimal("0.01"))


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_balance_sheet_downloads_as_a_workbook_with_numbers_in_its_cells(viewer: Any) -> None:
    org, client = viewer

    rows = sheet_rows(
        download(client, f"/o/{org.slug}/reports/balance-sheet?date=2024-12-31&format=xlsx", XLSX)
    )

    assert rows[0][0] == "Balans"
    assert rows[2][:5] == ("Rekening", "Omschrijving", "Valuta", "31 dec 2024", "31 dec 2023")
    bank = row_of(rows, "Assets:Bank")
    assert bank[1:3] == ("Bankrekening", "EUR")
    assert (as_decimal(bank[3]), as_decimal(bank[4])) == (Decimal("3034.56"), Decimal("1800.00"))
    payable = row_of(rows, "Liabilities:Payable")
    assert as_decimal(payable[3]) == Decimal("300.00")  # shown positive, as on the page


def test_the_income_statement_downloads_as_a_pdf_in_dutch_figures(viewer: Any) -> None:
    org, client = viewer

    text = pdf_text(
        download(
            client, f"/o/{org.slug}/reports/income-statement?{YEAR}&format=pdf", "application/pdf"
        )
    )

    assert "Staat van baten en lasten" in text and org.name in text
    assert "Subsidies" in text and "1.234,56" in text and "800,00" in text
    assert "Huur" in text and "300,00" in text
    assert "934,56" in text  # the result: 1.234,56 minus 300,00


def test_the_trial_balance_workbook_has_debit_and_credit_now_and_before(viewer: Any) -> None:
    org, client = viewer

    rows = sheet_rows(
        download(client, f"/o/{org.slug}/reports/trial-balance?date=2024-04-30&format=xlsx", XLSX)
    )

    subsidy = row_of(rows, "Income:Subsidy")
    assert subsidy[3] is None and as_decimal(subsidy[4]) == Decimal("2034.56")
    assert subsidy[5] is None and as_decimal(subsidy[6]) == Decimal("800.00")


def test_the_trial_balance_pdf_lists_every_account(viewer: Any) -> None:
    org, client = viewer

    text = pdf_text(
        download(
            client,
            f"/o/{org.slug}/reports/trial-balance?date=2024-12-31&format=pdf",
            "application/pdf",
        )
    )

    assert "Proefbalans" in text and "Saldi per 31 dec 2024" in text
    assert "3.034,56" in text and "2.034,56" in text and "1.000,00" in text


def test_results_per_project_download_in_all_three_formats(viewer: Any) -> None:
    org, client = viewer
    url = f"/o/{org.slug}/reports/projects?{YEAR}&key=%23&format="

    rows = list(csv.reader(io.StringIO(download(client, url + "csv", "text/csv").decode())))
    sheet = sheet_rows(download(client, url + "xlsx", XLSX))
    text = pdf_text(download(client, url + "pdf", "application/pdf"))

    assert rows[0] == ["project", "rekening", "omschrijving", "valuta", "bedrag"]
    assert ["buurthuis", "Income:Subsidy", "Subsidies", "EUR", "-1234.56"] in rows
    assert row_of(sheet, "buurthuis")
    assert as_decimal(row_of(sheet, "Income:Subsidy")[3]) == Decimal("1234.56")
    assert "buurthuis" in text and "1.234,56" in text


def test_budget_against_actual_downloads_with_the_difference(
    viewer: Any, app: Flask, make_user: Callable[..., Any], login_as: Any
) -> None:
    org, reader = viewer
    bookkeeper = app.test_client()
    login_as(bookkeeper, make_user(org=org, role=Role.BOOKKEEPER))
    budget = {"account": "Income:Subsidy", "from": "2024-01-01", "to": "2024-12-31"}
    bookkeeper.post(f"/o/{org.slug}/reports/budget", data={**budget, "amount": "1.500,00"})
    url = f"/o/{org.slug}/reports/budget?{YEAR}&format="

    rows = list(csv.reader(io.StringIO(download(reader, url + "csv", "text/csv").decode())))
    sheet = sheet_rows(download(reader, url + "xlsx", XLSX))
    text = pdf_text(download(reader, url + "pdf", "application/pdf"))

    assert ["Income:Subsidy", "Subsidies", "EUR", "-1500.00", "-1234.56", "265.44"] in rows
    line = row_of(sheet, "Income:Subsidy")
    assert [as_decimal(cell) for cell in line[3:7]] == [
        Decimal("1500.00"),
        Decimal("1234.56"),
        Decimal("-265.44"),
        Decimal("800.00"),  # what came in the year before
    ]
    assert "1.500,00" in text and "-265,44" in text


def test_the_journal_downloads_every_posting_that_matches_the_filter(viewer: Any) -> None:
    org, client = viewer

    content = download(client, f"/o/{org.slug}/journal?q=subsidie&format=csv", "text/csv")

    rows = list(csv.reader(io.StringIO(content.decode())))
    assert rows[0][:2] == ["datum", "boeking"]
    assert [row[4] for row in rows[1:]] == ["Subsidie 2024"] * 2 + ["Subsidie 2023"] * 2
    assert rows[0][-1] == "project"
    assert rows[1][5:] == ["buurthuis", "Assets:Bank", "EUR", "1234.56", ""]


def test_the_account_ledger_downloads_with_its_running_balance(viewer: Any) -> None:
    org, client = viewer

    content = download(
        client, f"/o/{org.slug}/accounts/Assets:Bank?from=2023-01-01&format=csv", "text/csv"
    )

    rows = list(csv.reader(io.StringIO(content.decode())))
    assert [row[-1] for row in rows[1:]] == ["1000.00", "1800.00", "3034.56"]


@pytest.mark.parametrize(
    "url",
    ["reports/balance-sheet?format=docx", "journal?format=pdf", "accounts/Assets:Bank?format=xlsx"],
)
def test_a_format_that_is_not_offered_is_a_bad_request(viewer: Any, url: str) -> None:
    org, client = viewer

    assert client.get(f"/o/{org.slug}/{url}").status_code == 400


def test_every_report_page_offers_the_three_downloads(viewer: Any) -> None:
    org, client = viewer

    for report in ("balance-sheet", "income-statement", "trial-balance"):
        html = client.get(f"/o/{org.slug}/reports/{report}").get_data(as_text=True)
        assert all(f'data-testid="download-{kind}"' in html for kind in ("csv", "xlsx", "pdf"))
