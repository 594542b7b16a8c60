"""Confirming the second factor twice (a double click, or two sends at the same moment) shows
one set of recovery codes, and the codes shown are the ones that work.

The codes are shown once, after a redirect; a second send of the confirming form leads to the
same codes instead of a refusal that would hide them for good (``tenants.second_factor``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tenants.models import User
from tenants.security_models import (
    EventKind,
    RecoveryCode,
    SecondFactor,
    SecurityEvent,
    UserSession,
)
from tests.conftest import PASSWORD, login
from tests.web.test_second_factor import CODES, SECRET

CONFIRM = "/account/second-factor/confirm"
SHOWN = "/account/second-factor/recovery-codes"
Member = tuple[User, FlaskClient]


@pytest.fixture
def member(app: Flask, make_user: Callable[..., User]) -> Member:
    """A member without a second factor, logged in, with one being set up."""
    user = make_user()
    client = app.test_client()
    login(client, user)
    assert client.post("/account/second-factor/start").status_code == 302
    return user, client


def secret_of(client: FlaskClient) -> str:
    found = SECRET.search(client.get("/account/second-factor").get_data(as_text=True))
    assert found
    return found.group(1)


def shown_codes(client: FlaskClient) -> list[str]:
    page = client.get(SHOWN)
    assert page.status_code == 200, page.headers.get("Location")
    codes = CODES.findall(page.get_data(as_text=True))
    assert len(codes) == 10
    return codes


def logs_in_with(app: Flask, user: User, code: str) -> bool:
    browser = app.test_client()
    answer = browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert answer.headers["Location"] == "/login/code"
    return browser.post("/login/code", data={"code": code}).status_code == 302


def enabled_events(engine: Engine, user: User) -> int:
    with Session(engine) as session:
        return (
            session.scalar(
                select(func.count()).where(
                    SecurityEvent.user_id == user.id,
                    SecurityEvent.kind == EventKind.SECOND_FACTOR_ENABLED,
                )
            )
            or 0
        )


def stored_codes(engine: Engine, user: User) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).where(RecoveryCode.user_id == user.id)) or 0


def test_the_codes_are_shown_once_after_a_redirect_and_work(app: Flask, member: Member) -> None:
    user, client = member
    code = pyotp.TOTP(secret_of(client)).now()

    answer = client.post(CONFIRM, data={"code": code})

    assert (answer.status_code, answer.location) == (302, SHOWN)
    codes = shown_codes(client)
    again = client.get(SHOWN)
    assert (again.status_code, again.location) == (302, "/account/second-factor")
    page = client.get(again.location).get_data(as_text=True)
    assert "Je herstelcodes worden maar één keer getoond." in page
    assert code not in page and codes[0] not in page
    assert logs_in_with(app, user, codes[0])


def test_the_form_sent_twice_leads_both_times_to_the_one_set_of_codes_that_works(
    app: Flask, member: Member, engine: Engine
) -> None:
    user, client = member
    code = pyotp.TOTP(secret_of(client)).now()

    first = client.post(CONFIRM, data={"code": code})
    again = client.post(CONFIRM, data={"code": code})  # a double click: the same code

    for answer in (first, again):
        assert (answer.status_code, answer.location) == (302, SHOWN)
    codes = shown_codes(client)
    assert (enabled_events(engine, user), stored_codes(engine, user)) == (1, 10)
    assert logs_in_with(app, user, codes[0]) and logs_in_with(app, user, codes[-1])


def test_a_send_after_the_codes_were_shown_is_refused_and_replaces_nothing(
    app: Flask, member: Member
) -> None:
    user, client = member
    code = pyotp.TOTP(secret_of(client)).now()
    client.post(CONFIRM, data={"code": code})
    codes = shown_codes(client)

    again = client.post(CONFIRM, data={"code": code})

    assert again.status_code == 422
    assert "Je tweede factor staat al aan." in again.get_data(as_text=True)
    assert codes[0] not in again.get_data(as_text=True)
    assert logs_in_with(app, user, codes[0])


def test_the_form_sent_at_the_same_moment_twice_shows_the_same_codes_that_work(
    app: Flask, member: Member, engine: Engine
) -> None:
    """Two sends of one browser, both past the login check before either commits.

    The browser shows whichever answer it read last, with that answer's cookie: both lead to
    the same codes, which are the ones stored, on a login that still works.
    """
    user, first = member
    code = pyotp.TOTP(secret_of(first)).now()
    second = app.test_client()
    cookie = app.config["SESSION_COOKIE_NAME"]
    logged_in = first.get_cookie(cookie)
    assert logged_in is not None
    second.set_cookie(cookie, logged_in.value)  # the same login: one browser, one cookie
    browsers = (first, second)
    start = threading.Barrier(len(browsers) + 1)
    answers: dict[int, TestResponse] = {}

    def send(index: int) -> None:
        start.wait()
        answers[index] = browsers[index].post(CONFIRM, data={"code": code})

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(browsers))]
    for thread in threads:
        thread.start()
    with Session(engine) as holder:  # the factor's row is held until both sends wait
        holder.execute(
            select(SecondFactor.user_id).where(SecondFactor.user_id == user.id).with_for_update()
        )
        start.wait()
        waiting_for_locks(engine, len(browsers))
        holder.rollback()
    for thread in threads:
        thread.join(timeout=60)

    statuses = [(answers[i].status_code, answers[i].location) for i in range(len(browsers))]
    assert statuses == [(302, SHOWN)] * len(browsers)
    seen = [shown_codes(browser) for browser in browsers]
    assert seen[0] == seen[1]
    assert (enabled_events(engine, user), stored_codes(engine, user)) == (1, 10)
    assert logs_in_with(app, user, seen[0][0])
    for browser in browsers:  # both answers' cookies are a live login
        assert browser.get("/account").status_code == 200


def waiting_for_locks(engine: Engine, count: int, seconds: float = 10) -> None:
    """Return once ``count`` backends of this database wait for a lock (or after ``seconds``)."""
    deadline = time.monotonic() + seconds
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting: Any = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
            connection.rollback()
            if waiting >= count:
                return
            time.sleep(0.02)


def test_a_second_send_whose_first_answer_was_dropped_shows_the_same_codes_logged_in(
    app: Flask, member: Member, engine: Engine
) -> None:
    """A double click: the first send turned the factor on and rotated the login, and the
    browser dropped its answer (new token, codes) and read the second's, sent with the old
    cookie. The second goes on in the rotated login and leads to the same codes."""
    user, client = member
    code = pyotp.TOTP(secret_of(client)).now()
    cookie = app.config["SESSION_COOKIE_NAME"]
    before = client.get_cookie(cookie)
    assert before is not None
    dropped = app.test_client()
    dropped.set_cookie(cookie, before.value)  # the browser's cookie before the first answer

    first = client.post(CONFIRM, data={"code": code})
    again = dropped.post(CONFIRM, data={"code": code})

    assert (first.status_code, first.location) == (302, SHOWN)
    assert (again.status_code, again.location) == (302, SHOWN)
    codes = shown_codes(dropped)
    assert (enabled_events(engine, user), stored_codes(engine, user)) == (1, 10)
    assert logs_in_with(app, user, codes[0])
    assert dropped.get("/account").status_code == 200


def test_a_triple_click_leaves_every_send_logged_in_on_one_rotated_login(
    app: Flask, member: Member, engine: Engine
) -> None:
    """The second and third sends carry the old cookie; they share the first send's rotation
    rather than rotating again, so the third finds a login to go on in too."""
    user, client = member
    code = pyotp.TOTP(secret_of(client)).now()
    cookie = app.config["SESSION_COOKIE_NAME"]
    before = client.get_cookie(cookie)
    assert before is not None
    late = [app.test_client() for _ in range(2)]
    for browser in late:
        browser.set_cookie(cookie, before.value)

    answers = [client.post(CONFIRM, data={"code": code})]
    answers += [browser.post(CONFIRM, data={"code": code}) for browser in late]

    assert [(a.status_code, a.location) for a in answers] == [(302, SHOWN)] * 3
    for browser in (client, *late):
        assert browser.get("/account").status_code == 200
    with Session(engine) as session:
        live = session.scalar(
            select(func.count()).where(
                UserSession.user_id == user.id, UserSession.ended_at.is_(None)
            )
        )
    assert live == 1
