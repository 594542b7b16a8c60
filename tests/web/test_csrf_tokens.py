"""A session's CSRF token is signed once and serves its later pages; it stays the session's own."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask

from app import csrf_tokens
from tests.web.test_auth import csrf_token, log_in_with_token


def choose_english(client: Any, token: str | None) -> int:
    data = {"locale": "en", "next": "/"} | ({"csrf_token": token} if token else {})
    return int(client.post("/locale", data=data).status_code)


def test_a_sessions_pages_carry_one_token_that_its_forms_are_accepted_with(
    make_app: Callable[..., Flask], make_user: Callable[..., Any]
) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    log_in_with_token(client, make_user())

    first, again = csrf_token(client, "/"), csrf_token(client, "/account")

    assert first == again
    assert first in csrf_tokens._SIGNED.values()  # signed once, kept for the later pages
    assert choose_english(client, None) == 400
    assert choose_english(client, first) == 302


def test_the_token_of_a_sessions_first_page_serves_its_pages_seconds_later(
    make_app: Callable[..., Flask], make_user: Callable[..., Any]
) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    log_in_with_token(client, make_user())

    first = csrf_token(client, "/")
    time.sleep(1.1)  # the signature's timestamp counts seconds

    assert csrf_token(client, "/account") == first


def test_another_session_has_its_own_token_and_refuses_the_first_ones(
    make_app: Callable[..., Flask], make_user: Callable[..., Any]
) -> None:
    application = make_app(WTF_CSRF_ENABLED=True)
    mine, theirs = application.test_client(), application.test_client()
    log_in_with_token(mine, make_user())
    log_in_with_token(theirs, make_user())

    my_token, their_token = csrf_token(mine, "/"), csrf_token(theirs, "/")

    assert my_token != their_token
    assert choose_english(theirs, my_token) == 400
    assert choose_english(theirs, their_token) == 302


def test_a_new_login_gets_a_new_token(
    make_app: Callable[..., Flask], make_user: Callable[..., Any]
) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    user = make_user()
    log_in_with_token(client, user)
    before = csrf_token(client, "/")

    assert client.post("/logout", data={"csrf_token": before}).status_code == 302
    log_in_with_token(client, user)
    after = csrf_token(client, "/")

    assert after != before
    assert choose_english(client, before) == 400
    assert choose_english(client, after) == 302


def test_with_an_age_limit_every_page_is_signed_anew(
    make_app: Callable[..., Flask], make_user: Callable[..., Any]
) -> None:
    client = make_app(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=3600).test_client()
    kept = dict(csrf_tokens._SIGNED)

    log_in_with_token(client, make_user())
    token = csrf_token(client, "/")

    assert kept == csrf_tokens._SIGNED
    assert choose_english(client, token) == 302
