"""Days in a browser whose own language is English: the Dutch page still reads and takes them
day first.

Many Dutch treasurers run Chromium in English. Its date picker follows the browser's language,
so a Dutch page's days showed as 12/31/2026 and ``01/02/2026`` meant the second of January. The
day fields are text now (``entry/_fields.html``), read by ``ledger.days.parse_day``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ledger.clock import today
from ledger.queries import load_transaction
from tenants.binding import bind_session
from tenants.roles import Role
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ENGLISH_BROWSER = [arg for arg in CHROMIUM_ARGS if not arg.startswith("--lang")] + ["--lang=en-US"]
ENGLISH = {"LANG": "en_US.UTF-8", "LANGUAGE": "en_US:en"}
YEAR = today().year  # the books of a new organisation open on 1 January of this year


@pytest.fixture
def english_phone(driver: Any, live_server: str) -> Iterator[object]:
    """A phone whose browser speaks English, on the application's Dutch pages."""
    browser = driver.chromium.launch(
        executable_path=str(CHROMIUM), args=ENGLISH_BROWSER, env={**os.environ, **ENGLISH}
    )
    context = browser.new_context(
        base_url=live_server, viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    browser.close()


def test_an_english_browser_shows_and_takes_a_dutch_pages_days_day_first(
    english_phone, screenshots, make_org, make_user, engine
):
    home = make_org(name="Stichting Buurtkracht")
    treasurer = make_user(org=home, role=Role.OWNER, locale="nl")
    page = english_phone
    log_in(page, treasurer.email, PASSWORD)

    page.goto(f"/o/{home.slug}/reports/income-statement?from={YEAR}-01-01&to={YEAR}-12-31")
    assert page.get_by_label("Van").input_value() == f"01-01-{YEAR}"
    assert page.get_by_label("Tot en met").input_value() == f"31-12-{YEAR}"
    assert page.get_by_label("Van").get_attribute("inputmode") == "decimal"

    page.goto(f"/o/{home.slug}/entry/expense")
    page.get_by_label("Datum").fill(f"1,2,{YEAR}")  # as a phone's number pad types it
    page.get_by_label("Bedrag (€)").fill("12,50")
    page.get_by_label("Aan wie").fill("Bakkerij Bol")
    page.get_by_label("Betaald van").select_option("Assets:Bank:Checking")
    page.get_by_label("Soort uitgave").fill("Kantoorbenodigdheden")
    page.screenshot(path=screenshots / "day-field-english-browser-phone.png", full_page=True)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*/transactions/\d+$"))
    assert page.get_by_text(f"1 feb {YEAR}").count() >= 1

    with Session(engine) as session:
        bind_session(session, home.tenant)
        booked = load_transaction(session, int(page.url.rsplit("/", 1)[1]))
    assert booked is not None and booked.date == date(YEAR, 2, 1)  # never the second of January

    page.goto(f"/o/{home.slug}/entry/expense")
    page.get_by_label("Datum").fill(f"02/31/{YEAR}")
    page.get_by_label("Bedrag (€)").fill("12,50")
    page.get_by_role("button", name="Opslaan").click()
    assert page.get_by_test_id("error-date").inner_text() == "Vul een datum in als 31-12-2026."
    assert page.get_by_label("Datum").input_value() == f"02/31/{YEAR}"  # kept as typed
