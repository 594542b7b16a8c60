"""The account page names each live session's browser and system, so a stranger's stands out."""

from __future__ import annotations

import re

from flask_babel import force_locale

from app.account.devices import RAW_SHOWN, describe_device
from tests.conftest import login

FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
_DEVICE = re.compile(r'<td data-testid="session-device">([^<]*)')


def test_the_account_page_names_each_sessions_browser_and_marks_this_one(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = FIREFOX_ON_WINDOWS
    phone.environ_base["HTTP_USER_AGENT"] = SAFARI_ON_IPHONE
    login(laptop, user)
    login(phone, user)
    page = phone.get("/account").get_data(as_text=True)
    assert sorted(_DEVICE.findall(page)) == [
        "Firefox 128 op Windows",
        "Mobile Safari 17 op iOS · ",  # the phone's own row goes on: "deze browser"
    ]
    assert "Mozilla/5.0" not in page
    assert page.count('data-testid="this-browser"') == 1
    on_the_laptop = laptop.get("/account").get_data(as_text=True)
    assert sorted(_DEVICE.findall(on_the_laptop)) == [
        "Firefox 128 op Windows · ",
        "Mobile Safari 17 op iOS",
    ]


def test_a_browser_nobody_knows_is_shown_as_it_came_and_none_as_unknown(app):
    with app.test_request_context():
        assert describe_device("servicebureau-bench/1") == "servicebureau-bench/1"
        long = "x" * (RAW_SHOWN + 20)
        assert describe_device(long) == "x" * (RAW_SHOWN - 1) + "…"
        assert describe_device("") == describe_device(None) == "onbekend"


def test_an_english_reader_reads_on(app):
    with app.test_request_context(), force_locale("en"):
        assert describe_device(FIREFOX_ON_WINDOWS) == "Firefox 128 on Windows"
        assert describe_device(None) == "unknown"
