"""A treasurer's morning in a real browser: book a receipt, find it, undo it, take the books home.

Log in, switch to the right organisation, enter an expense with its receipt, see it in the
journal and the income statement, reverse it, download the Beancount export (which Beancount
loads without errors), and check that someone of another organisation cannot reach any of it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator
from sqlalchemy.orm import Session

from ledger.beans import validate_text
from tenants.people import add_member
from tenants.roles import Role
from tests.browser.conftest import PHONE, log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_treasurer_books_a_receipt_reverses_it_and_exports_the_books(
    new_page, screenshots, make_org, make_user, engine, tmp_path: Path
):
    home = make_org(name="Stichting Buurtkracht")
    other = make_org(name="Vereniging De Linde")
    treasurer = make_user(org=home, role=Role.OWNER, name="Petra Penning")
    _add_membership(engine, treasurer.id, other.id)
    stranger = make_user(org=make_org(name="Wijkcoöperatie Noord"), role=Role.OWNER)

    page = new_page()
    log_in(page, treasurer.email, PASSWORD)
    page.goto("/")
    page.get_by_test_id("org-switcher").locator("summary").click()
    page.get_by_test_id("org-switcher").get_by_role("link", name="Stichting Buurtkracht").click()
    page.wait_for_url(f"**/o/{home.slug}/")
    page.screenshot(path=screenshots / "dashboard-empty-desktop.png", full_page=True)

    page.get_by_test_id("quick-expense").click()
    assert page.get_by_label("Datum").input_value() != ""
    page.get_by_label("Bedrag (€)").fill("1.234,56")
    page.get_by_label("Aan wie").fill("Drukkerij De Letter")
    page.get_by_label("Omschrijving").fill("Flyers voor het buurtfeest")
    page.get_by_label("Betaald van").select_option("Assets:Bank:Checking")
    page.get_by_label("Soort uitgave").fill("Drukwerk")
    page.get_by_label("Bon of factuur").set_input_files(
        {"name": "bon.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.screenshot(path=screenshots / "entry-expense-desktop.png", full_page=True)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*/transactions/\d+$"))
    transaction_url = page.url
    assert page.get_by_test_id("transaction-payee").inner_text() == "Drukkerij De Letter"
    postings = page.get_by_test_id("postings").inner_text()
    assert "Drukwerk" in postings and "1.234,56" in postings
    assert "Expenses:" not in postings  # the books' own names only in the advanced view
    receipt_url = page.get_by_test_id("documents").get_by_role("link").get_attribute("href")
    assert receipt_url and re.search(r"/documents/\d+$", receipt_url)
    assert page.request.get(receipt_url).body() == PDF
    page.screenshot(path=screenshots / "transaction-desktop.png", full_page=True)

    page.goto(f"/o/{home.slug}/entry/income")
    page.get_by_label("Bedrag (€)").fill("2500")
    page.get_by_label("Van wie").fill("Gemeente Utrecht")
    page.get_by_label("Soort inkomsten").fill("Municipal subsidies")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*/transactions/\d+$"))
    page.goto(f"/o/{home.slug}/")
    assert "€ 1.265,44" in page.get_by_test_id("liquid").inner_text().replace("\xa0", " ")
    page.screenshot(path=screenshots / "dashboard-desktop.png", full_page=True)

    page.goto(f"/o/{home.slug}/journal")
    assert "Drukkerij De Letter" in page.get_by_test_id("journal").inner_text()
    page.screenshot(path=screenshots / "journal-desktop.png", full_page=True)
    page.goto(f"/o/{home.slug}/reports/income-statement")
    assert "1.234,56" in page.locator("main").inner_text()
    # Income, expenses and the result are tables of their own; their columns line up.
    edges = {
        block: [_edges(cell) for cell in page.get_by_test_id(block).locator("thead th").all()]
        for block in ("block-1", "block-2", "block-3")
    }
    assert edges["block-1"] == edges["block-2"] == edges["block-3"], edges
    page.screenshot(path=screenshots / "income-statement-desktop.png", full_page=True)

    page.goto(transaction_url)
    page.get_by_test_id("reverse").click()
    page.wait_for_url(lambda url: url != transaction_url and "/transactions/" in url)
    assert page.get_by_test_id("reverses").is_visible()
    page.goto(transaction_url)
    assert page.get_by_test_id("reversed-by").is_visible()
    trail = page.get_by_test_id("audit-trail").inner_text()
    assert "Petra Penning" in trail and "geboekt" in trail

    page.goto(f"/o/{home.slug}/reports/income-statement")
    # The expense and its reversal net out: no costs this year, the result is the subsidy alone.
    expenses = page.get_by_test_id("block-2").locator("tr.total td.amount").first
    result = page.get_by_test_id("block-3").locator("tr.total td.amount").first
    assert _plain(expenses.inner_text()) == "€ 0,00"
    assert _plain(result.inner_text()) == "€ 2.500,00"
    assert "1.234,56" not in page.get_by_test_id("block-2").inner_text()
    page.screenshot(path=screenshots / "income-statement-reversed-desktop.png", full_page=True)
    _report_screenshots(page, home.slug, screenshots)

    page.goto(f"/o/{home.slug}/")
    page.get_by_test_id("reports-menu").get_by_text("Rapporten").click()  # the export sits there
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export (Beancount)").click()
    export = tmp_path / "export.beancount"
    download_info.value.save_as(export)
    text = export.read_text(encoding="utf-8")
    assert "Drukkerij De Letter" in text
    loaded, findings = validate_text(text)
    assert findings == []
    assert loaded > 0

    _phone_screenshots(new_page, treasurer.email, home.slug, transaction_url, screenshots)

    outsider = new_page()
    log_in(outsider, stranger.email, PASSWORD)
    for path in (
        transaction_url,
        receipt_url,
        f"/o/{home.slug}/",
        f"/o/{home.slug}/export.beancount",
    ):
        response = outsider.goto(path)
        assert response is not None and response.status == 404, path
        assert "Drukkerij" not in outsider.content()


def test_a_wrong_amount_is_explained_next_to_its_field_and_nothing_is_booked(
    new_page, screenshots, make_org, make_user
):
    org = make_org(name="Stichting Groen Plein")
    bookkeeper = make_user(org=org, role=Role.BOOKKEEPER)
    page = new_page()
    log_in(page, bookkeeper.email, PASSWORD)
    page.goto(f"/o/{org.slug}/entry/expense")
    page.get_by_label("Bedrag (€)").fill("1.234")
    page.get_by_label("Soort uitgave").fill("iets onbekends")
    page.get_by_role("button", name="Opslaan").click()
    amount_error = page.get_by_test_id("error-amount")
    assert "dubbelzinnig" in amount_error.inner_text()
    assert page.get_by_label("Bedrag (€)").get_attribute("aria-describedby") == "amount-error"
    assert page.get_by_test_id("error-category").is_visible()
    assert page.get_by_label("Soort uitgave").input_value() == "iets onbekends"
    page.screenshot(path=screenshots / "entry-errors-desktop.png", full_page=True)
    page.goto(f"/o/{org.slug}/journal")
    assert "Geen boekingen gevonden" in page.locator("main").inner_text()


def test_entering_an_expense_works_with_the_keyboard_alone(new_page, make_org, make_user):
    org = make_org(name="Stichting Toetsenbord")
    bookkeeper = make_user(org=org, role=Role.BOOKKEEPER)
    page = new_page()
    log_in(page, bookkeeper.email, PASSWORD)
    page.goto(f"/o/{org.slug}/entry/expense")
    assert page.evaluate("document.activeElement.id") == "amount"
    page.keyboard.type("12,50")
    page.keyboard.press("Tab")
    page.keyboard.type("Bakkerij Bol")
    page.keyboard.press("Tab")
    page.keyboard.type("Koffie")
    page.keyboard.press("Tab")  # paid from: the bank, as chosen by default
    page.keyboard.press("Tab")
    page.keyboard.type("Kantoorbenodigdheden")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/transactions/\d+$"))
    assert "12,50" in page.get_by_test_id("postings").inner_text()


def _plain(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _report_screenshots(page, slug, screenshots):
    """The reports a treasurer shows the board, and the settings, each checked and kept."""
    for name, path, expected in (
        ("balance-sheet", f"/o/{slug}/reports/balance-sheet", "Totaal activa"),
        ("trial-balance", f"/o/{slug}/reports/trial-balance", "Totaal debet en credit"),
        ("account-ledger", f"/o/{slug}/accounts/Assets:Bank:Checking", "Drukkerij De Letter"),
        ("settings", f"/o/{slug}/settings", "Boekjaar"),
    ):
        page.goto(path)
        assert expected in page.locator("main").inner_text(), name
        shot = screenshots / f"{name}-desktop.png"
        page.screenshot(path=shot, full_page=True)
        assert shot.stat().st_size > 10_000, f"{name}: the screenshot looks empty"


def _phone_screenshots(new_page, email, slug, transaction_url, screenshots):
    phone = new_page(PHONE)
    log_in(phone, email, PASSWORD)
    for name, path in (
        ("dashboard", f"/o/{slug}/"),
        ("entry-expense", f"/o/{slug}/entry/expense"),
        ("entry-full", f"/o/{slug}/entry/full"),
        ("transaction", transaction_url),
        ("journal", f"/o/{slug}/journal"),
        ("account-ledger", f"/o/{slug}/accounts/Assets:Bank:Checking"),
        ("trial-balance", f"/o/{slug}/reports/trial-balance"),
        ("budget", f"/o/{slug}/reports/budget"),
        ("settings", f"/o/{slug}/settings"),
    ):
        phone.goto(path)
        phone.screenshot(path=screenshots / f"{name}-phone.png", full_page=True)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways on a phone by {overflow}px"


def _add_membership(engine, user_id, organisation_id):
    with Session(engine) as session:
        add_member(session, user_id, organisation_id, Role.OWNER)
        session.commit()


def _edges(cell: Locator) -> tuple[int, int]:
    """Where a cell starts and ends across the page, in whole pixels."""
    box = cell.bounding_box()
    assert box is not None
    return round(box["x"]), round(box["x"] + box["width"])
