"""A real headless Chromium against the application served on a free local port.

The application is the test suite's own (``app`` fixture: fresh database, CSRF off, cookies
not marked secure so plain http on 127.0.0.1 works). Chromium is Debian's; when it is missing
the tests fail with a message saying so: a browser suite that skips is a suite that never ran.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("SB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=nl-NL",  # the language a Dutch treasurer's browser asks for
]
# Chromium on Linux takes the language of its own interface (and so of its date formats, as in
# dd-mm-jjjj in Dutch) from the environment; --lang alone is not enough when headless.
DUTCH = {"LANG": "nl_NL.UTF-8", "LANGUAGE": "nl_NL:nl"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The application on 127.0.0.1 and a free port, served from a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def driver() -> Iterator[Any]:
    """Playwright, once for the session: a second ``sync_playwright`` in the same process fails."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
            "(apt-get install chromium) or point SB_CHROMIUM at a Chromium binary",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(driver: Any) -> Iterator[object]:
    """Chromium as a Dutch treasurer runs it."""
    launched = driver.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env={**os.environ, **DUTCH}
    )
    yield launched
    launched.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh context (its own cookies), desktop-sized unless told otherwise."""
    contexts = []

    def open_page(viewport: dict[str, int] | None = None, locale: str = "nl-NL"):
        context = browser.new_context(
            base_url=live_server, viewport=viewport or DESKTOP, locale=locale, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def log_in(page, email: str, password: str) -> None:
    """Through the real login form, as a person would."""
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state("networkidle")
    if page.url.endswith("/login/code"):  # bureau staff: the code from their authenticator app
        from tests.web.populated import SECOND_FACTOR_OF

        page.locator("input[name=code]").fill(SECOND_FACTOR_OF[email].next_code())
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state("networkidle")
