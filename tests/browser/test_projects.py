"""A treasurer books a subsidy and its costs on their project from a phone, and reads them back
per project and in the journal (the project field of the entry forms, ledger/projects.py)."""

from __future__ import annotations

import re

import pytest

from ledger.clock import today
from tenants.roles import Role
from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.browser.test_phone_layout import BROKEN_WORDS, SIDEWAYS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

YEAR = today().year


def book(page, slug: str, kind: str, amount: str, payee: str, category: str, project: str):
    page.goto(f"/o/{slug}/entry/{kind}")
    page.get_by_label("Datum").fill(f"05-03-{YEAR}")
    page.get_by_label("Bedrag (€)").fill(amount)
    page.get_by_label("Aan wie" if kind == "expense" else "Van wie").fill(payee)
    page.get_by_label("Soort uitgave" if kind == "expense" else "Soort inkomsten").fill(category)
    page.get_by_label("Project (optioneel)").fill(project)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*/transactions/\d+$"))


def test_a_treasurer_books_a_grant_and_its_costs_on_a_project_and_reads_them_per_project(
    new_page, make_org, make_user, screenshots
):
    home = make_org(name="Stichting De Groene Schakel")
    treasurer = make_user(org=home, role=Role.OWNER, locale="nl")
    page = new_page(viewport=PHONE)
    log_in(page, treasurer.email, PASSWORD)

    slug = home.slug
    book(page, slug, "income", "4.500,00", "Oranje Fonds", "Gemeentelijke subsidies", "Moestuin")
    book(page, slug, "expense", "312,40", "Tuincentrum", "Kantoorbenodigdheden", "moestuin ")
    assert page.get_by_test_id("transaction-project").inner_text() == "Moestuin"
    page.goto(f"/o/{home.slug}/entry/expense")
    offered = page.locator("datalist#projects option").evaluate_all("os => os.map(o => o.value)")
    assert offered == ["Moestuin"]

    page.goto(f"/o/{home.slug}/reports/projects?from=01-01-{YEAR}&to=31-12-{YEAR}")
    page.screenshot(path=screenshots / "phone-report-per-project.png", full_page=True)
    table = page.get_by_test_id("project-Moestuin")
    result = table.locator("tr.total td").first.inner_text().replace("\xa0", " ")
    assert result == "€ 4.187,60"
    accounts = table.locator("tbody td:first-child").element_handles()
    assert page.evaluate(BROKEN_WORDS, accounts) == []
    assert page.evaluate(SIDEWAYS) <= 0

    page.get_by_test_id("project-journal").click()
    page.wait_for_url(re.compile(r".*/journal\?project=Moestuin.*"))
    page.screenshot(path=screenshots / "phone-project-journal.png", full_page=True)
    assert page.get_by_label("Project").input_value() == "Moestuin"
    assert page.locator("tr.transaction").count() == 2
    assert page.evaluate(SIDEWAYS) <= 0
    # The day heads each description on a phone, so the accounts keep their words whole.
    first = page.locator("tr.transaction").first
    assert first.locator("a.day-inline").inner_text() == f"05-03-{YEAR}"
    assert not first.locator("td.day").is_visible()
    accounts = page.locator("tr.posting td:nth-child(3)").element_handles()
    assert page.evaluate(BROKEN_WORDS, accounts) == []
    page.set_viewport_size(DESKTOP)
    assert first.locator("td.day").is_visible() and not first.locator("a.day-inline").is_visible()
