"""Every main page in a real Chromium: axe-core finds no serious or critical violation, the
menu fits at 1280 px and folds behind a button on a phone, and the bank inbox fits a phone.

axe-core comes with the ``axe-playwright-python`` package; the pages are those of a populated
member organisation and bureau (tests/web/populated.py), as their owner and as bureau staff.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import PHONE, log_in
from tests.conftest import PASSWORD
from tests.web.populated import Populated, populate

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}
MEMBER_PAGES = (
    "/",
    "/journal",
    "/entry/expense",
    "/entry/income",
    "/entry/full",
    "/transactions/{transaction_id}",
    "/transactions/{transaction_id}/edit",
    "/reports/balance-sheet",
    "/reports/income-statement",
    "/reports/trial-balance",
    "/reports/projects",
    "/reports/budget",
    "/accounts/Assets:Bank:Checking",
    "/bank",
    "/bank/inbox",
    "/bank/rules",
    "/bank/rules/{rule_id}",
    "/settings",
    "/settings/periods",
    "/audit",
    "/members",
    "/invoices",
    "/insurance",
    "/insurance/pools/{pool_id}",
    "/insurance/enrolments/{enrolment_id}",
)
BUREAU_PAGES = (
    "/my-organisations",
    "/bureau/organisations",
    "/bureau/insurance/",
    "/bureau/insurance/policies/{policy_id}",
    "/bureau/insurance/policies/new",
    "/bureau/insurance/pools/{pool_id}",
    "/bureau/invoices",
    "/bureau/invoices/{invoice_id}",
    "/bureau/runs",
    "/bureau/runs/{run_id}",
    "/bureau/plans",
    "/bureau/plans/{plan_id}",
    "/bureau/arrears",
    "/bureau/sepa/",
    "/bureau/billing",
)


@pytest.fixture(scope="module")
def world(engine) -> Populated:
    return populate(engine)


def serious_violations(page) -> list[str]:
    """The serious and critical axe-core findings on the page, one line each."""
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


def visit_all(page, paths, prefix: str, world: Populated) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        url = prefix + path.format(**world.arguments)
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        if violations := serious_violations(page):
            found[url] = violations
    return found


def test_axe_core_finds_a_violation_that_is_planted(new_page):
    page = new_page()
    page.set_content('<html lang="nl"><body><main><img src="x.png"><input></main></body></html>')
    assert any(line.startswith("image-alt") for line in serious_violations(page))


def test_every_main_page_of_a_member_has_no_serious_accessibility_violation(new_page, world):
    page = new_page()
    log_in(page, world.emails["owner"], PASSWORD)
    found = visit_all(page, MEMBER_PAGES, f"/o/{world.member_slug}", world)
    assert not found, "\n".join(f"{url}: {lines}" for url, lines in found.items())


def test_every_bureau_page_has_no_serious_accessibility_violation(new_page, world):
    page = new_page()
    log_in(page, world.emails["bureau"], PASSWORD)
    found = visit_all(page, BUREAU_PAGES, "", world)
    assert not found, "\n".join(f"{url}: {lines}" for url, lines in found.items())


def test_the_whole_menu_fits_at_1280_pixels(new_page, world, screenshots):
    page = new_page()
    log_in(page, world.emails["owner"], PASSWORD)
    page.goto(f"/o/{world.member_slug}/")
    settings = page.get_by_role("navigation", name="Organisatie").get_by_role(
        "link", name="Instellingen"
    )
    box = settings.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.get_by_role("navigation", name="Organisatie").get_by_text("Rapporten").click()
    page.get_by_role("link", name="Proefbalans").click()
    page.wait_for_url("**/reports/trial-balance")
    page.screenshot(path=screenshots / "menu-desktop.png")


def test_on_a_phone_the_menu_folds_behind_a_button_and_opens_with_every_link(
    new_page, world, screenshots
):
    page = new_page(viewport=PHONE)
    log_in(page, world.emails["owner"], PASSWORD)
    page.goto(f"/o/{world.member_slug}/")
    header = page.locator("header.topbar").bounding_box()
    assert header is not None and header["height"] < 0.15 * PHONE["height"]
    settings = page.get_by_role("link", name="Instellingen")
    assert not settings.is_visible()
    page.screenshot(path=screenshots / "menu-phone-closed.png")

    menu = page.get_by_role("button", name="Menu")
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert settings.is_visible()
    page.screenshot(path=screenshots / "menu-phone-open.png", full_page=True)
    settings.click()
    page.wait_for_url("**/settings")


def test_the_bank_inbox_does_not_scroll_sideways_on_a_phone(new_page, world, screenshots):
    page = new_page(viewport=PHONE)
    log_in(page, world.emails["owner"], PASSWORD)
    page.goto(f"/o/{world.member_slug}/bank/inbox")
    assert page.get_by_test_id("inbox").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('main *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= PHONE["width"]
    page.screenshot(path=screenshots / "bank-inbox-phone.png", full_page=True)
