"""The account picker in a real browser: a treasurer plans and adds accounts in Dutch.

On the budget form the treasurer types a Dutch account name, is refused for a typo with the
reason at the field and everything typed still there, then saves; on the settings page opens
an account under "Lasten" and on the bank page links an IBAN to "Spaarrekening". Nowhere does a
Beancount name show; the pages fit a phone and axe-core finds nothing serious on the refusal.
"""

from __future__ import annotations

import pytest

from tenants.roles import Role
from tests.browser.conftest import PHONE, log_in
from tests.browser.test_accessibility import serious_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

BOOK_NAMES = ("Assets:", "Liabilities:", "Equity:", "Income:", "Expenses:")


def shows_no_book_names(page) -> bool:
    text = page.locator("main").inner_text()
    return not any(name in text for name in BOOK_NAMES)


def test_a_treasurer_picks_accounts_by_their_dutch_names_and_keeps_a_refused_form(
    new_page, screenshots, make_org, make_user
):
    org = make_org(name="Stichting Buurtkracht")
    treasurer = make_user(org=org, role=Role.OWNER, name="Petra Penning")
    page = new_page()
    log_in(page, treasurer.email, PASSWORD)

    page.goto(f"/o/{org.slug}/reports/budget?from=2026-01-01&to=2026-12-31")
    form = page.get_by_test_id("budget-form")
    picker = form.get_by_label("Rekening")
    suggestions = page.locator(f"datalist#{picker.get_attribute('list')} option")
    offered = suggestions.evaluate_all("options => options.map(o => [o.value, o.label])")
    assert ["Huur", "Rent · WBedHuiBeh"] in offered
    assert not [value for value, _ in offered if ":" in value]
    picker.fill("Huurr")
    form.get_by_label("Bedrag (€)").fill("1.234,56")
    form.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    form = page.get_by_test_id("budget-form")
    assert "Huurr kennen we niet" in page.get_by_test_id("error-account").inner_text()
    assert form.get_by_label("Rekening").input_value() == "Huurr"
    assert form.get_by_label("Bedrag (€)").input_value() == "1.234,56"
    assert form.get_by_label("Rekening").get_attribute("aria-invalid") == "true"
    assert serious_violations(page) == []
    page.screenshot(path=screenshots / "picker-budget-refused-desktop.png", full_page=True)

    form.get_by_label("Rekening").fill("Huur")
    form.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/reports/budget?**")
    row = page.get_by_test_id("budget").get_by_role("row").filter(has_text="Huur")
    assert "1.234,56" in row.inner_text()
    assert shows_no_book_names(page)

    page.goto(f"/o/{org.slug}/settings")
    form = page.get_by_test_id("account-form")
    form.get_by_label("Naam (Nederlands)").fill("Zomerkamp")
    form.get_by_label("Valt onder").fill("Lasten")
    form.get_by_role("button", name="Rekening openen").click()
    page.wait_for_url(f"**/o/{org.slug}/settings")
    assert "De rekening is geopend." in page.locator("main").inner_text()
    page.get_by_text("rekeningen bekijken").click()
    lasten = page.get_by_test_id("chart").get_by_role("rowgroup").filter(has_text="Lasten")
    assert lasten.get_by_role("row").filter(has_text="Zomerkamp").is_visible()
    assert shows_no_book_names(page)
    page.screenshot(path=screenshots / "picker-settings-desktop.png", full_page=True)

    page.goto(f"/o/{org.slug}/bank")
    form = page.get_by_test_id("bank-account-form")
    assert form.get_by_label("Geboekt op rekening").input_value() == "Rekening-courant bank"
    form.get_by_label("IBAN").fill("NL91 ABNA 0417 1643 00")
    form.get_by_label("Geboekt op rekening").fill("Spaarrekening")
    form.get_by_role("button", name="Toevoegen").click()
    page.wait_for_url(f"**/o/{org.slug}/bank")
    assert "Spaarrekening" in page.get_by_test_id("reconciliations").inner_text()
    assert shows_no_book_names(page)
    page.screenshot(path=screenshots / "picker-bank-desktop.png", full_page=True)

    phone = new_page(viewport=PHONE)
    log_in(phone, treasurer.email, PASSWORD)
    for path, name in (("/reports/budget", "budget"), ("/settings", "settings"), ("/bank", "bank")):
        phone.goto(f"/o/{org.slug}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        phone.screenshot(path=screenshots / f"picker-{name}-phone.png", full_page=True)
