"""A browser that misses its session's rotation a moment ago is not logged out.

A rotation (privileges changed) gives the session a new token with the answer of the request
that made it. A double click sends a second request with the old token after the first
committed, and the browser shows the second's answer: without a grace the person was logged
out. Now the old token, from the session's own device within ``ROTATION_GRACE``, goes on in
the one successor (``tenants.sessions``); after the grace, or once the successor has ended, it
is refused as before.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session

from tenants.models import User
from tenants.security_models import UserSession
from tenants.sessions import (
    Device,
    Timeouts,
    check_session,
    end_all_sessions,
    end_session,
    live_sessions,
    rotate,
    start_session,
    token_hash,
)
from tests.at_once import at_once
from tests.conftest import login
from tests.web.test_second_factor_once import waiting_for_locks
from tests.web.test_sessions import copy_of, is_logged_in, past_the_grace

KEY = b"the server's secret key"


def token_of(client: FlaskClient) -> str:
    with client.session_transaction() as cookie:
        return str(cookie["sid"])


def due_to_rotate(session, user_id: int) -> None:
    """The user's privileges changed: their session rotates on its next request."""
    session.execute(
        update(UserSession).where(UserSession.user_id == user_id).values(must_rotate=True)
    )
    session.commit()


def live_sessions_of(session, user_id: int) -> int:
    session.rollback()
    return int(
        session.scalar(
            select(func.count()).where(
                UserSession.user_id == user_id, UserSession.ended_at.is_(None)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Rotated:
    """A user whose browser (``client``) just rotated its login, and a copy of that browser's
    cookie from before (``old``: the same browser's second request, or a thief's copy)."""

    user: User
    client: FlaskClient
    old: FlaskClient


@pytest.fixture
def rotated(app: Flask, client: FlaskClient, session, make_user) -> Rotated:
    user = make_user()
    login(client, user)
    due_to_rotate(session, user.id)
    old = copy_of(client, app)
    assert is_logged_in(client)  # rotated on this request
    return Rotated(user, client, old)


def test_the_second_request_of_a_double_click_goes_on_in_the_rotated_session(
    rotated: Rotated, session
) -> None:
    # The first request rotated the login and its answer was dropped; the second carries the
    # old token from the same browser.
    assert rotated.old.get("/account").status_code == 200

    assert token_of(rotated.old) == token_of(rotated.client)  # handed the successor's token
    assert live_sessions_of(session, rotated.user.id) == 1  # one successor, no orphan
    assert is_logged_in(rotated.old) and is_logged_in(rotated.client)


def test_after_the_grace_the_old_token_is_refused(rotated: Rotated, session) -> None:
    past_the_grace(session, rotated.user.id)

    assert not is_logged_in(rotated.old)
    assert is_logged_in(rotated.client)


def test_logged_out_everywhere_the_old_token_finds_no_successor(rotated: Rotated, session) -> None:
    end_all_sessions(session, rotated.user.id, datetime.now(UTC))
    session.commit()

    assert not is_logged_in(rotated.old)
    assert not is_logged_in(rotated.client)


def test_logging_out_with_the_old_token_ends_the_rotated_session_too(
    rotated: Rotated, session
) -> None:
    assert rotated.old.post("/logout").status_code == 302

    assert not is_logged_in(rotated.client)
    assert live_sessions_of(session, rotated.user.id) == 0


def test_four_requests_rotating_one_session_at_once_share_one_successor(
    app: Flask, client: FlaskClient, session, make_user
) -> None:
    user = make_user()
    login(client, user)
    due_to_rotate(session, user.id)
    browsers = iter([copy_of(client, app) for _ in range(4)])
    sent: list[FlaskClient] = []

    def request() -> int:
        browser = next(browsers)
        sent.append(browser)
        return browser.get("/account").status_code

    assert at_once(4, request) == [200, 200, 200, 200]
    assert len({token_of(browser) for browser in sent}) == 1
    assert token_of(sent[0]) != token_of(client)
    assert live_sessions_of(session, user.id) == 1


def test_the_old_token_reaches_its_successor_only_from_the_sessions_own_device(
    session, make_user
) -> None:
    """The domain's own check, whatever the web layer's session protection does."""
    user = make_user()
    device = Device("203.0.113.7", "Firefox/140")
    now = datetime.now(UTC)
    old = start_session(session, user.id, now, device)
    session.commit()
    due_to_rotate(session, user.id)
    live = check_session(session, old, now, Timeouts(), key=KEY, device=device)
    assert live is not None and live.must_rotate
    rotation = rotate(session, old, now, KEY)
    assert rotation is not None and rotation.made is not None
    session.commit()

    def found(token: str, key: bytes | None, device: Device | None):
        return check_session(session, token, now, Timeouts(), key=key, device=device)

    assert found(old, None, device) is None  # no key: no grace
    assert found(old, KEY, None) is None
    assert found(old, KEY, Device("198.51.100.9", "Firefox/140")) is None
    assert found(old, KEY, Device("203.0.113.7", "Chrome/150")) is None
    assert found(old, b"another key", device) is None
    again = found(old, KEY, device)
    assert again is not None and again.successor_token == rotation.token
    assert session.scalar(
        select(UserSession.id).where(UserSession.token_hash == token_hash(rotation.token))
    )


def test_a_second_rotation_in_one_transaction_waits_for_its_commit_too(session, make_user):
    """Rotated twice in one request (the login, then the view): the second finds this
    transaction's own successor and says so, so the browser gets it only if it commits."""
    user = make_user()
    now = datetime.now(UTC)
    old = start_session(session, user.id, now, Device("203.0.113.7", "Firefox/140"))
    session.commit()

    first = rotate(session, old, now, KEY)
    again = rotate(session, old, now, KEY)

    assert first is not None and again is not None
    assert again.token == first.token and again.made is first.made is not None
    session.rollback()
    assert not inspect(first.made).persistent  # rolled back: nothing to hand over
    assert check_session(session, old, now, Timeouts()) is not None  # the old token lives


def test_logging_out_with_an_old_token_ends_its_successor(session, make_user) -> None:
    """A cookie still holding the old token (its browser never read the rotation's answer)
    that logs out, or logs in anew, ends the login it had, successor and all."""
    user = make_user()
    now = datetime.now(UTC)
    old = start_session(session, user.id, now, Device("203.0.113.7", "Firefox/140"))
    rotation = rotate(session, old, now, KEY)
    session.commit()
    assert rotation is not None

    end_session(session, old, now, KEY)
    session.commit()

    assert check_session(session, rotation.token, now, Timeouts()) is None


def test_logging_out_everywhere_during_a_rotation_ends_its_successor_too(
    app: Flask, client: FlaskClient, session, make_user, engine
) -> None:
    """The UPDATE that ends every session cannot see a successor a rotation is adding at that
    moment; the person's stamp (``sessions_ended_at``) refuses it all the same."""
    user = make_user()
    login(client, user)
    old = token_of(client)
    now = datetime.now(UTC)
    ended: list[int] = []
    with Session(engine) as rotating, Session(engine) as ending:
        rotation = rotate(rotating, old, now, KEY)  # holds the old row, successor not committed
        assert rotation is not None

        def log_out_everywhere() -> None:
            ended.append(end_all_sessions(ending, user.id, datetime.now(UTC)))
            ending.commit()

        everywhere = threading.Thread(target=log_out_everywhere)
        everywhere.start()
        waiting_for_locks(engine, 1)
        rotating.commit()
        everywhere.join(timeout=30)

    assert ended == [0]  # the old row was ended by the rotation; the successor not seen
    assert check_session(session, rotation.token, datetime.now(UTC), Timeouts()) is None
    assert live_sessions(session, user.id, datetime.now(UTC), Timeouts()) == []
    login(client, user)  # a login after it is a session of its own
    assert is_logged_in(client)
