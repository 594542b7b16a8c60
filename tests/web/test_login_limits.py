"""Login limits behind a proxy: per address, and per account across addresses, in Redis."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import redis

from tests.conftest import PASSWORD, login

PROXY = "10.0.0.1"
WRONG = "not the password at all"


@pytest.fixture
def limited(make_app, redis_url) -> Iterator:
    """An application with limits on, behind one proxy unless told otherwise."""
    prefix = f"test-limits-{secrets.token_hex(4)}"

    def make(**overrides):
        settings = {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_KEY_PREFIX": prefix,
            "PROXY_HOPS": 1,
            "LOGIN_RATE_LIMIT": "100 per minute",
            "LOGIN_ACCOUNT_RATE_LIMIT": "100 per minute",
            **overrides,
        }
        return make_app(**settings)

    yield make
    store = redis.Redis.from_url(redis_url)
    keys = store.keys(f"*{prefix}*")
    if keys:
        store.delete(*keys)


def attempt(client, email: str, password: str, visitor: str) -> int:
    response = client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": PROXY},
        headers={"X-Forwarded-For": visitor},
    )
    return response.status_code


def test_behind_the_proxy_one_outsider_locks_out_only_their_own_address(limited, make_user):
    client = limited(LOGIN_RATE_LIMIT="3 per minute").test_client()
    victim, bystander = make_user(), make_user()
    answers = [attempt(client, victim.email, WRONG, "203.0.113.5") for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert attempt(client, bystander.email, PASSWORD, "198.51.100.7") == 302


def test_without_a_proxy_a_forged_forwarded_for_header_does_not_escape_the_limit(
    limited, make_user
):
    client = limited(LOGIN_RATE_LIMIT="3 per minute", PROXY_HOPS=0).test_client()
    user = make_user()
    answers = [attempt(client, user.email, WRONG, f"203.0.113.{n}") for n in range(4)]
    assert answers == [200, 200, 200, 429]


def test_a_slow_guess_from_many_addresses_is_stopped_per_account(limited, make_user):
    client = limited(LOGIN_ACCOUNT_RATE_LIMIT="3 per hour").test_client()
    target, other = make_user(), make_user()
    answers = [attempt(client, target.email, WRONG, f"203.0.113.{n}") for n in range(3)]
    assert answers == [200, 200, 200]
    assert attempt(client, target.email, PASSWORD, "198.51.100.7") == 429
    assert attempt(client, other.email, PASSWORD, "203.0.113.1") == 302


def test_the_account_limit_counts_only_failures_and_treats_unknown_addresses_alike(
    limited, make_user
):
    client = limited(LOGIN_ACCOUNT_RATE_LIMIT="2 per hour").test_client()
    user = make_user()
    for n in range(4):
        assert attempt(client, user.email, PASSWORD, f"198.51.100.{n}") == 302
    unknown = f"nobody-{secrets.token_hex(4)}@example.org"
    for email in (user.email, unknown):
        answers = [attempt(client, email, WRONG, "203.0.113.9") for _ in range(3)]
        assert answers == [200, 200, 429]


def test_guessing_the_current_password_on_the_change_form_counts_against_the_account(
    limited, make_user
):
    client = limited(LOGIN_ACCOUNT_RATE_LIMIT="2 per hour").test_client()
    user = make_user()
    login(client, user)
    new = "paarse fiets onder de brug"
    guess = {"current": WRONG, "password": new, "repeat": new}
    answers = [client.post("/account/password", data=guess).status_code for _ in range(3)]
    assert answers == [422, 422, 429]
    right = {**guess, "current": PASSWORD}
    assert client.post("/account/password", data=right).status_code == 429


@pytest.mark.parametrize("setting", ["RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION"])
def test_a_limit_on_every_route_is_refused_at_start_rather_than_left_unchecked(limited, setting):
    with pytest.raises(RuntimeError, match=setting):
        limited(**{setting: "1000 per minute"})


def test_limits_do_not_slow_or_count_the_pages_without_a_limit(limited, make_user):
    app = limited(LOGIN_RATE_LIMIT="3 per minute")
    limiter = app.extensions["login_limiter"]
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])
    client = app.test_client()
    user = make_user()
    login(client, user)
    for _ in range(5):
        assert client.get("/account").status_code == 200
    answers = [attempt(client, user.email, WRONG, "203.0.113.5") for _ in range(4)]
    assert answers == [200, 200, 200, 429]
