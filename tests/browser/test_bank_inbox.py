"""The bank inbox on a phone: lines explained, one ignored with a reason, nothing scrolls sideways.

The organisation's books open this year while the statement is from 2024, so every line is
dated before the books open: each says so with the fix, none is ticked, and the treasurer sets
one aside with a reason, finds it under "Genegeerd", and sets the rest aside in one step.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.clock import today
from tenants.binding import bind_session
from tenants.roles import Role
from tests.bank.conftest import statement_file
from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def with_statement(make_org, make_user, engine, name: str, books_open_on: date):
    """An organisation with its bank's statement of 2024 imported, and its treasurer."""
    org = make_org(name=name, books_open_on=books_open_on)
    treasurer = make_user(org=org, role=Role.OWNER)
    with Session(engine) as session:
        bind_session(session, org.tenant)
        add_bank_account(session, "NL20INGB0001234567", None)
        import_statement(session, statement_file("ing.camt053.xml"), None)
        session.commit()
    return org, treasurer


@pytest.fixture
def hoek(make_org, make_user, engine):
    """The statement's lines all fall before the books open (this year)."""
    opens = date(today().year, 1, 1)
    return with_statement(make_org, make_user, engine, "Bewonersinitiatief De Hoek", opens)


def sideways_overflow(page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_a_treasurer_ignores_a_line_on_a_phone_and_the_inbox_never_scrolls_sideways(
    new_page, screenshots, hoek
):
    org, treasurer = hoek
    phone = new_page(PHONE)
    log_in(phone, treasurer.email, PASSWORD)
    phone.goto(f"/o/{org.slug}/bank/inbox")
    phone.screenshot(path=screenshots / "bank-inbox-lines-phone.png", full_page=True)

    assert sideways_overflow(phone) <= 1
    inbox = phone.get_by_test_id("inbox")
    assert inbox.get_by_text("vóór de start van de boekhouding").count() == 3
    assert inbox.get_by_text("In behandeling bij de bank").count() >= 1
    assert inbox.locator("input[type=checkbox]:checked").count() == 0

    row = inbox.locator("tr", has_text="M. Bakker")
    row.get_by_text("Negeren", exact=True).click()
    row.get_by_label("Reden").fill("Valt in het beginsaldo")
    phone.screenshot(path=screenshots / "bank-inbox-ignore-phone.png", full_page=True)
    assert sideways_overflow(phone) <= 1
    row.get_by_role("button", name="Regel negeren").click()
    phone.wait_for_load_state("networkidle")

    assert phone.get_by_text("De regel is genegeerd.").is_visible()
    assert phone.get_by_test_id("inbox").locator("tr", has_text="M. Bakker").count() == 0
    phone.get_by_test_id("ignored-filter").click()
    ignored = phone.get_by_test_id("ignored")
    assert "Valt in het beginsaldo" in ignored.inner_text()
    phone.screenshot(path=screenshots / "bank-inbox-ignored-phone.png", full_page=True)
    assert sideways_overflow(phone) <= 1

    phone.get_by_role("link", name="Te boeken", exact=True).click()
    phone.get_by_role("button", name="Negeer alle regels van vóór de start").click()
    phone.wait_for_load_state("networkidle")
    assert phone.get_by_text(
        "2 regels van vóór de start van de boekhouding genegeerd."
    ).is_visible()
    assert phone.get_by_test_id("inbox").locator("tbody tr").count() == 1  # the pending line
    assert phone.get_by_test_id("ignored-filter").inner_text() == "Genegeerd (3)"

    desktop = new_page(DESKTOP)
    log_in(desktop, treasurer.email, PASSWORD)
    desktop.goto(f"/o/{org.slug}/bank/inbox")
    desktop.screenshot(path=screenshots / "bank-inbox-desktop.png", full_page=True)
    assert sideways_overflow(desktop) <= 1


def test_a_treasurer_changes_a_rules_account_on_a_phone(new_page, screenshots, hoek):
    org, treasurer = hoek
    phone = new_page(PHONE)
    log_in(phone, treasurer.email, PASSWORD)
    phone.goto(f"/o/{org.slug}/bank/rules")
    phone.get_by_label("Naam bevat").fill("Buurthuis")
    phone.get_by_label("Tegenrekening").fill("Huur")
    phone.get_by_role("button", name="Opslaan").click()
    phone.wait_for_load_state("networkidle")

    phone.get_by_test_id("edit-rule").click()
    phone.wait_for_load_state("networkidle")
    assert phone.get_by_label("Naam bevat").input_value() == "Buurthuis"
    assert phone.get_by_label("Tegenrekening").input_value() == "Huur"
    phone.get_by_label("Tegenrekening").fill("Kantoorbenodigdheden")
    phone.screenshot(path=screenshots / "bank-rule-change-phone.png", full_page=True)
    assert sideways_overflow(phone) <= 1
    phone.get_by_role("button", name="Opslaan").click()
    phone.wait_for_load_state("networkidle")

    assert phone.get_by_text("Regel gewijzigd.").is_visible()
    rules = phone.get_by_test_id("rules")
    assert rules.get_by_text("Kantoorbenodigdheden").is_visible()
    assert rules.get_by_text("Huur", exact=True).count() == 0

    # Removing asks a second tap: a slip of the thumb on "Verwijderen" only opens the question.
    rules.get_by_text("Verwijderen", exact=True).click()
    phone.screenshot(path=screenshots / "bank-rule-remove-phone.png", full_page=True)
    assert rules.locator("tbody tr").count() == 1
    rules.get_by_role("button", name="Regel verwijderen").click()
    phone.wait_for_load_state("networkidle")
    assert phone.get_by_text("Regel verwijderd.").is_visible()
    assert phone.get_by_text("Nog geen regels.").is_visible()
    # The inbox follows (tests/bank/test_rule_changes.py): these lines, of 2024, fall before
    # the books' start and are proposed nothing.


def test_a_treasurer_books_a_line_on_a_project_from_the_inbox_on_a_phone(
    new_page, screenshots, make_org, make_user, engine
):
    org, treasurer = with_statement(
        make_org, make_user, engine, "Bewonersinitiatief De Linde", date(2024, 1, 1)
    )
    phone = new_page(PHONE)
    log_in(phone, treasurer.email, PASSWORD)
    phone.goto(f"/o/{org.slug}/bank/inbox")

    row = phone.get_by_test_id("inbox").locator("tr", has_text="De Linde")
    row.get_by_label("Tegenrekening").fill("Huur")
    row.get_by_label("Project").fill("Buurtfeest")
    row.get_by_role("checkbox").check()
    phone.screenshot(path=screenshots / "bank-inbox-project-phone.png", full_page=True)
    assert sideways_overflow(phone) <= 1
    phone.get_by_role("button", name="Gekozen regels boeken").click()
    phone.wait_for_load_state("networkidle")

    assert phone.get_by_text("1 regels geboekt.").is_visible()
    phone.get_by_test_id("booked").get_by_role("link").first.click()
    phone.wait_for_load_state("networkidle")
    assert "Buurtfeest" in phone.locator("main").inner_text()
    phone.goto(f"/o/{org.slug}/reports/projects?from=01-01-2024&to=31-12-2024")
    report = phone.locator("main").inner_text()
    assert "Buurtfeest" in report and "€ 120,00" in report.replace("\xa0", " ")
