"""The treasurer's everyday pages fit a phone: nothing scrolls sideways at 390 px.

A wide table may scroll inside its own ``.table-scroll`` box; the page itself never does, so
the menu, headings and forms stay in view. Screenshots at 390 px and 1280 px are kept in
test-artifacts/screenshots for a person to look at. The browser runs with a Dutch locale, as a
Dutch treasurer's does, and every page says it is Dutch; day fields show dd-mm-jjjj in any
browser (tests/browser/test_day_fields.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.conftest import PASSWORD
from tests.web.populated import Populated, populate
from workers.bookings import book_invoice

pytestmark = pytest.mark.browser

MEMBER_PAGES = {
    "dashboard": "/",
    "expense": "/entry/expense",
    "full-entry": "/entry/full",
    "transaction": "/transactions/{transaction_id}",
    "transaction-edit": "/transactions/{transaction_id}/edit",
    "projects": "/reports/projects",
    "bank": "/bank",
    "bank-inbox": "/bank/inbox",
    "bank-rules": "/bank/rules",
    "bank-rule": "/bank/rules/{rule_id}",
    "settings": "/settings",
    "account-name": "/settings/accounts/name?account=Assets:Bank:Checking",
    "periods": "/settings/periods",
    "security-log": "/settings/security-log",
    "audit": "/audit",
    "members": "/members",
    "insurance": "/insurance",
    "insurance-pool": "/insurance/pools/{pool_id}",
    "enrolment": "/insurance/enrolments/{enrolment_id}",
    "journal": "/journal",
    "account": "/accounts/Assets:Bank:Checking",
    "prepaid": "/accounts/Assets:Prepaid:Expenses?from=2026-01-01",  # with its releases
    "balance-sheet": "/reports/balance-sheet",
    "income-statement": "/reports/income-statement",
    "trial-balance": "/reports/trial-balance",
    "budget": "/reports/budget",
    "invoices": "/invoices",
    "invoice": "/invoices/{invoice_id}",
}
BUREAU_PAGES = {
    "bureau-organisations": "/bureau/organisations",
    "bureau-insurance": "/bureau/insurance/",
    "bureau-policy": "/bureau/insurance/policies/{policy_id}",
    "bureau-new-policy": "/bureau/insurance/policies/new",
    "bureau-pool": "/bureau/insurance/pools/{pool_id}",
    "bureau-invoices": "/bureau/invoices",
    "bureau-invoice": "/bureau/invoices/{invoice_id}",
    "bureau-runs": "/bureau/runs",
    "bureau-run": "/bureau/runs/{run_id}",
    "bureau-plans": "/bureau/plans",
    "bureau-plan": "/bureau/plans/{plan_id}",
    "bureau-arrears": "/bureau/arrears",
    "bureau-sepa": "/bureau/sepa/",
    "bureau-billing": "/bureau/billing",
    "bureau-billing-edit": "/bureau/billing/{organisation_id}",
    "bureau-insurance-run": "/bureau/insurance/runs/{premium_run_id}",
    "bureau-failed-jobs": "/bureau/jobs/failed",
}
ACCOUNT_PAGES = {
    "my-account": "/account",
    "my-password": "/account/password",
    "my-second-factor": "/account/second-factor",
    "my-security-log": "/account/security-log",
}
# The tables a treasurer reads on a phone: each fits its box, no amount or button out of view
# (wider tables, such as the audit trail's, may scroll inside theirs).
FITTING_PAGES = {
    name: MEMBER_PAGES[name]
    for name in (
        "dashboard",
        "journal",
        "account",
        "balance-sheet",
        "income-statement",
        "trial-balance",
        "periods",
        "bank-rules",
    )
}
SCROLLING_BOXES = """[...document.querySelectorAll('.table-scroll')]
    .filter(box => box.scrollWidth > box.clientWidth)
    .map(box => box.querySelector('table'))
    .map(table => table.dataset.testid || table.className)"""
CHROMIUM_LOCALES = Path(os.environ.get("SB_CHROMIUM_LOCALES", "/usr/lib/chromium/locales"))
SIDEWAYS = "document.scrollingElement.scrollWidth - window.innerWidth"
TABLET = {"width": 800, "height": 1100}  # held upright


@pytest.fixture(scope="module")
def world(engine) -> Populated:
    populated = populate(engine)
    # The fee invoice in the member's books: prepaid in March, released month by month since.
    assert book_invoice(engine, int(populated.arguments["invoice_id"])).booked == 2
    return populated


def overflow_of(page, paths: dict[str, str], prefix: str, world: Populated, shots) -> dict:
    """Per page, how many pixels it scrolls sideways on a phone (screenshots at both widths)."""
    found = {}
    for name, path in paths.items():
        url = prefix + path.format(**world.arguments)
        page.set_viewport_size(PHONE)
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        if (sideways := page.evaluate(SIDEWAYS)) > 0:
            found[url] = sideways
        page.screenshot(path=shots / f"phone-{name}.png", full_page=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=shots / f"desktop-{name}.png", full_page=True)
    return found


def plan_a_budget(page, world: Populated) -> None:
    """Through the budget form, so the budget page has its table (with last year's column)."""
    page.goto(f"/o/{world.member_slug}/reports/budget")
    form = page.get_by_test_id("budget-form")
    form.get_by_label("Rekening").fill("Huur")
    form.get_by_label("Bedrag (€)").fill("4.200,00")
    form.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("budget").is_visible()


def book_an_expense(page, world: Populated, amount: str, narration: str, payee: str = "") -> str:
    """Money out from the bank through the expense form, as a treasurer does; the entry's URL."""
    page.goto(f"/o/{world.member_slug}/entry/expense")
    form = page.get_by_test_id("entry-form")
    form.get_by_label("Bedrag (€)").fill(amount)
    if payee:
        form.get_by_label("Aan wie").fill(payee)
    form.get_by_label("Omschrijving").fill(narration)
    form.get_by_label("Betaald van").select_option("Assets:Bank:Checking")
    form.get_by_label("Soort uitgave").fill("Drukwerk")
    form.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*/transactions/\d+$"))
    return page.url


def test_the_checker_sees_a_page_that_scrolls_sideways(new_page):
    page = new_page(viewport=PHONE)
    page.set_content('<html lang="nl"><body><p style="width:600px">breed</p></body></html>')
    assert page.evaluate(SIDEWAYS) > 0


def test_a_members_books_and_invoices_do_not_scroll_sideways_on_a_phone(
    new_page, world, screenshots
):
    page = new_page(viewport=PHONE)
    log_in(page, world.emails["owner"], PASSWORD)
    plan_a_budget(page, world)
    found = overflow_of(page, MEMBER_PAGES, f"/o/{world.member_slug}", world, screenshots)
    assert not found, found
    # The person's own pages: the account lists this login with its browser's long name.
    found = overflow_of(page, ACCOUNT_PAGES, "", world, screenshots)
    assert not found, found
    page.goto(f"/o/{world.member_slug}{MEMBER_PAGES['prepaid']}")
    assert page.get_by_role("heading", name="Nog vrij te vallen").is_visible()


def test_the_amounts_of_the_books_stay_in_view_on_a_phone(new_page, world):
    """A long word in a row (a payee, an account, an invoice number) breaks; it once pushed the
    credit column and the dashboard's amounts out of their box, cut to "€ 2"."""
    page = new_page(viewport=PHONE)
    log_in(page, world.emails["owner"], PASSWORD)
    book_an_expense(
        page,
        world,
        "4.500,00",
        "Vrijwilligersvergoedingen factuur F2026-000001",
        payee="Vrijwilligersorganisatie Buurtkracht",
    )
    page.goto(f"/o/{world.member_slug}/bank/rules")
    page.get_by_label("Naam bevat").fill("Woonstichting Amsterdam-Oost Buurtkracht")
    page.get_by_label("Vanaf bedrag").fill("1.250,50")
    page.get_by_label("Tegenrekening").fill("Drukwerk")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_test_id("rules").get_by_text("vanaf").wait_for()
    for name, path in FITTING_PAGES.items():
        page.goto(f"/o/{world.member_slug}{path}")
        assert page.evaluate(SCROLLING_BOXES) == [], name
    page.goto("/account")  # where this login is listed with its browser's name
    assert page.evaluate(SCROLLING_BOXES) == []


def test_an_edits_before_and_after_read_as_cards_on_a_phone(new_page, world, screenshots):
    """The trail's before and after sat in a fourth column, off the phone's edge, each word on
    a line of its own; a change is now a card: field, then before and after, each labelled."""
    page = new_page(viewport=PHONE)
    log_in(page, world.emails["owner"], PASSWORD)
    transaction = book_an_expense(page, world, "45,00", "Bloemen")
    page.get_by_role("link", name="Wijzigen").click()
    form = page.get_by_test_id("entry-form")
    form.get_by_label("Bedrag (€)").fill("54,00")
    longer = "Bloemen voor de vrijwilligersbijeenkomst in het buurthuis"
    form.get_by_label("Omschrijving").fill(longer)
    form.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(transaction)

    for name, url in (("edited", transaction), ("trail", f"/o/{world.member_slug}/audit")):
        page.goto(url)
        page.screenshot(path=screenshots / f"phone-{name}-before-and-after.png", full_page=True)
        assert page.evaluate(SCROLLING_BOXES) == [], name
        assert page.evaluate(SIDEWAYS) <= 0, name
        change = page.get_by_test_id("audit-changes").first
        after = change.locator("td[data-label=Na]").last
        assert "vrijwilligersbijeenkomst" in after.inner_text()
        box = after.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"], (name, box)


def test_the_dashboards_latest_entries_stay_a_glance_on_a_phone(new_page, world):
    """A bank line's whole remittance text ran to ten lines beside its date; the date now heads
    the entry and its text keeps to three lines (the entry's page has it whole)."""
    page = new_page(viewport=PHONE)
    log_in(page, world.emails["owner"], PASSWORD)
    long_text = " ".join(["Naam: Verzekeraar Collectief NV Omschrijving: premie AVB"] * 8)
    book_an_expense(page, world, "12,00", long_text)

    page.goto(f"/o/{world.member_slug}/")

    entry = page.get_by_test_id("recent").get_by_role("row").filter(has_text="premie AVB").first
    link = entry.get_by_role("link")
    line_height = float(link.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)"))
    assert link.bounding_box()["height"] <= 3 * line_height + 1
    assert entry.locator(".day-inline").is_visible() and not entry.locator("td.day").is_visible()
    page.set_viewport_size(DESKTOP)
    assert entry.locator("td.day").is_visible() and not entry.locator(".day-inline").is_visible()
    assert link.bounding_box()["height"] > 3 * line_height  # whole, where there is room


def test_a_statements_account_names_break_between_words_on_a_phone(new_page, world):
    """The two periods' titles took the row and the accounts kept a fifth of it, so the names
    broke inside their words ("Bankkoste n", "Gemeent elijke subsidies"); they keep half."""
    page = new_page(viewport=PHONE)
    log_in(page, world.emails["owner"], PASSWORD)
    page.goto(f"/o/{world.member_slug}/reports/income-statement")

    expenses = page.get_by_test_id("block-2")
    share = expenses.evaluate(
        "table => table.querySelector('tbody td').getBoundingClientRect().width"
        " / table.getBoundingClientRect().width"
    )
    fees = expenses.get_by_role("link", name="Bankkosten", exact=True)
    line_height = float(fees.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)"))
    assert share >= 0.35
    assert fees.bounding_box()["height"] < 2 * line_height  # one line, the word whole
    assert page.evaluate(SIDEWAYS) <= 0


# The words of each cell's text that a line break cuts in two: a word's Range then has a rect
# on each line.
BROKEN_WORDS = """cells => cells.flatMap(cell => {
    const broken = [], walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        for (const word of text.data.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(text, word.index);
            range.setEnd(text, word.index + word[0].length);
            if (range.getClientRects().length > 1) broken.push(word[0]);
        }
    }
    return broken;
})"""
SHOWN = "cells => cells.map(cell => cell.checkVisibility())"


def test_the_trial_balances_accounts_keep_their_words_whole_on_a_phone(
    new_page, world, screenshots
):
    """An account and two periods' debit and credit left the names a sixth of the row, broken
    inside their words ("Rekenin g", "Gemeen telijke subsidie s"); on a phone the comparison's
    columns wait behind a checkbox and the accounts take half the row."""
    page = new_page(viewport=PHONE)
    log_in(page, world.emails["owner"], PASSWORD)
    page.goto(f"/o/{world.member_slug}/reports/trial-balance")
    page.screenshot(path=screenshots / "phone-trial-balance-own-day.png", full_page=True)

    table = page.get_by_test_id("trial-balance")
    previous = table.locator(".previous")  # the comparison's heading and its cells
    accounts = table.locator("tr > :first-child")
    assert previous.count() >= 5 and set(previous.evaluate_all(SHOWN)) == {False}
    share = table.evaluate(
        "table => table.querySelector('th').getBoundingClientRect().width"
        " / table.getBoundingClientRect().width"
    )
    assert share >= 0.4, share
    assert table.get_by_role("link", name="Gemeentelijke subsidies", exact=True).is_visible()
    assert accounts.evaluate_all(BROKEN_WORDS) == []
    heading = table.get_by_role("rowheader", name="Activa", exact=True)  # the row's whole width
    assert heading.bounding_box()["width"] == pytest.approx(table.bounding_box()["width"], abs=2)
    assert page.evaluate(SCROLLING_BOXES) == [] and page.evaluate(SIDEWAYS) <= 0

    page.set_viewport_size(DESKTOP)  # with room, all five columns, no checkbox
    show = page.get_by_label(re.compile(r"Vergelijking met \S+ tonen"))
    assert show.count() == 1 and not show.is_visible()
    assert set(previous.evaluate_all(SHOWN)) == {True}

    page.set_viewport_size(PHONE)
    show.check()
    page.screenshot(path=screenshots / "phone-trial-balance-compared.png", full_page=True)
    assert set(previous.evaluate_all(SHOWN)) == {True}
    assert page.evaluate(SCROLLING_BOXES) == [] and page.evaluate(SIDEWAYS) <= 0


def test_the_chart_of_accounts_reads_as_a_card_per_account_on_a_phone(new_page, world):
    """In three squeezed columns the RGS codes broke mid-code ("BVorO / vaOoa") and the labels
    mid-word ("Equipmen / t at cost"); each account is now a card, its code on one line."""
    page = new_page(viewport=PHONE)
    log_in(page, world.emails["owner"], PASSWORD)
    page.goto(f"/o/{world.member_slug}/settings")
    page.get_by_text(re.compile(r"Alle \d+ rekeningen bekijken")).click()

    codes = page.get_by_test_id("chart").locator("tr:not(.group) > td:nth-child(3):not(:empty)")
    assert codes.count() > 20
    line_height = float(codes.first.evaluate("td => parseFloat(getComputedStyle(td).lineHeight)"))
    heights = codes.evaluate_all("tds => tds.map(td => td.getBoundingClientRect().height)")
    assert max(heights) < 2 * line_height, heights
    assert page.evaluate(SCROLLING_BOXES) == [] and page.evaluate(SIDEWAYS) <= 0


def test_an_upright_tablet_gets_the_menu_button_and_tables_in_view(new_page, world):
    """At 800 px the desktop header wrapped in three lines and the reconciliation, rules and
    other card tables scrolled in their boxes; up to 960 px they take the phone's layout."""
    page = new_page(viewport=TABLET)
    log_in(page, world.emails["owner"], PASSWORD)
    plan_a_budget(page, world)
    found = {}
    for name, path in MEMBER_PAGES.items():
        page.goto(f"/o/{world.member_slug}{path.format(**world.arguments)}")
        boxes = page.evaluate(SCROLLING_BOXES)
        if boxes or page.evaluate(SIDEWAYS) > 0:
            found[name] = boxes
    assert not found, found
    page.goto(f"/o/{world.member_slug}/")
    assert page.get_by_role("button", name="Menu").is_visible()


def test_the_bureaus_pages_do_not_scroll_sideways_on_a_phone(new_page, world, screenshots):
    """Nor do their tables scroll in their boxes: the arrears' oldest columns were off the
    phone's edge. Up to an upright tablet each row is a card, each cell labelled."""
    page = new_page(viewport=PHONE)
    log_in(page, world.emails["bureau"], PASSWORD)
    # The member's page, with its owner, bookkeeper and viewer (the bureau's own has one).
    pages = {**BUREAU_PAGES, "bureau-organisation": f"/bureau/organisations/{world.member_slug}"}
    found = overflow_of(page, pages, "", world, screenshots)
    assert not found, found
    scrolling = {}
    for viewport in (PHONE, TABLET):
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            page.goto(path.format(**world.arguments))
            if boxes := page.evaluate(SCROLLING_BOXES):
                scrolling[f"{name} at {viewport['width']} px"] = boxes
    assert not scrolling, f"tables that scroll sideways in their box: {scrolling}"


def test_the_browser_speaks_dutch_as_a_dutch_treasurers_does(new_page, world):
    # Chromium's own interface (its messages, its file chooser) is Dutch only with its Dutch
    # strings (Debian's chromium-l10n, installed by scripts/test).
    assert (CHROMIUM_LOCALES / "nl.pak").exists(), (
        "no Dutch Chromium: apt-get install chromium-l10n"
    )
    page = new_page()
    log_in(page, world.emails["owner"], PASSWORD)
    page.goto(f"/o/{world.member_slug}/journal")
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert page.evaluate("navigator.language") == "nl-NL"
    assert (
        page.evaluate(
            "new Date(2027, 0, 31).toLocaleDateString(undefined,"
            " {day: '2-digit', month: '2-digit', year: 'numeric'})"
        )
        == "31-01-2027"
    )
