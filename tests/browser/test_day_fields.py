"""Days in a browser whose own language is English: the Dutch page still reads and takes them
day first.

Many Dutch treasurers run Chromium in English. Its date picker follows the browser's language,
so a Dutch page's days showed as 12/31/2026 and ``01/02/2026`` meant the second of January. The
day fields are text now (``entry/_fields.html``), read by ``ledger.days.parse_day``, each with a
calendar button (``static/day-picker.js``) that opens the browser's calendar on a hidden date
field and writes the picked day back as the page writes days.
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
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ENGLISH_BROWSER = [arg for arg in CHROMIUM_ARGS if not arg.startswith("--lang")] + ["--lang=en-US"]
ENGLISH = {"LANG": "en_US.UTF-8", "LANGUAGE": "en_US:en"}
YEAR = today().year


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


CALENDAR = "Kies op de kalender"


def calendar_of(page: Any, field: Any) -> tuple[Any, Any]:
    """The calendar button beside a day's field, and the hidden date field it opens."""
    wrapper = page.locator(".day-with-calendar").filter(has=field)
    return wrapper.get_by_role("button"), wrapper.locator("input[type=date]")


def fits_the_width(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_days_calendar_button_opens_on_its_day_and_writes_the_picked_day_day_first(
    new_page, screenshots, make_org, make_user, engine
):
    home = make_org(name="Stichting Buurtkracht")
    treasurer = make_user(org=home, role=Role.OWNER, locale="nl")
    page = new_page(viewport=PHONE)
    log_in(page, treasurer.email, PASSWORD)
    page.goto(f"/o/{home.slug}/entry/expense")
    assert page.get_by_role("button", name=CALENDAR, exact=True).count() == 1  # beside Datum
    day = page.get_by_label("Datum")
    button, picker = calendar_of(page, day)
    assert button.get_attribute("aria-label") == CALENDAR
    size = button.bounding_box()
    assert size is not None and size["width"] >= 44 and size["height"] >= 44  # a finger's target

    day.fill(f"15-02-{YEAR}")
    button.click()
    assert picker.input_value() == f"{YEAR}-02-15"  # the calendar opens on the field's day
    page.keyboard.press("Escape")
    # Playwright cannot reach the browser's calendar itself: a pick is the date field changed.
    picker.fill(f"{YEAR}-03-07")
    assert day.input_value() == f"07-03-{YEAR}"
    assert day.evaluate("field => field === document.activeElement")

    page.get_by_label("Bedrag (€)").fill("8,75")
    page.get_by_label("Aan wie").fill("Drukkerij Dekker")
    page.get_by_label("Soort uitgave").fill("Kantoorbenodigdheden")
    assert fits_the_width(page)
    page.screenshot(path=screenshots / "day-calendar-expense-phone.png", full_page=True)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*/transactions/\d+$"))
    with Session(engine) as session:
        bind_session(session, home.tenant)
        booked = load_transaction(session, int(page.url.rsplit("/", 1)[1]))
    assert booked is not None and booked.date == date(YEAR, 3, 7)

    # A report's period: a field the calendar leaves empty opens on no day; both fields fit.
    report = f"/o/{home.slug}/reports/income-statement?from={YEAR}-01-01&to={YEAR}-12-31"
    page.goto(report)
    start, start_picker = calendar_of(page, page.get_by_label("Van"))
    page.get_by_label("Van").fill(f"31-02-{YEAR}")  # no such day
    start.click()
    assert start_picker.input_value() == ""
    page.keyboard.press("Escape")
    assert fits_the_width(page)
    page.screenshot(path=screenshots / "day-calendar-report-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    assert fits_the_width(page)
    page.screenshot(path=screenshots / "day-calendar-report-desktop.png")


def test_a_picked_day_is_written_the_english_pages_way(english_phone, make_org, make_user):
    home = make_org(name="Stichting Buurtkracht")
    reader = make_user(org=home, role=Role.OWNER, locale="en")
    page = english_phone
    log_in(page, reader.email, PASSWORD)
    page.goto(f"/o/{home.slug}/entry/expense")
    day = page.get_by_label("Date", exact=True)
    button, picker = calendar_of(page, day)
    day.fill(f"15/02/{YEAR}")
    button.click()
    assert picker.input_value() == f"{YEAR}-02-15"
    page.keyboard.press("Escape")
    picker.fill(f"{YEAR}-03-07")
    assert day.input_value() == f"07/03/{YEAR}"
