"""Logging in and out, against the real Redis and with CSRF on: what an attacker would try."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import update

from app.extensions import csrf
from tenants.models import User
from tenants.roles import Role
from tests.conftest import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FAILED_LOGIN = "Onbekend e-mailadres of verkeerd wachtwoord."


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    found = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def log_in_with_token(client: FlaskClient, user: User) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_the_right_password_opens_a_session_and_a_wrong_one_shows_the_message(client, make_user):
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    assert wrong.status_code == 200
    assert FAILED_LOGIN in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302

    right = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert right.status_code == 302
    assert client.get("/").status_code == 200


def test_a_login_form_that_cannot_be_read_is_shown_again_without_the_password(client):
    typed = {"email": "geen-adres", "password": "mijn geheime wachtwoord"}
    response = client.post("/login", data=typed)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="geen-adres"' in page and "Vul een geldig e-mailadres in." in page
    assert "mijn geheime wachtwoord" not in page
    empty = client.post("/login", data={"email": "iemand@example.org", "password": "  "})
    assert empty.status_code == 422 and "Vul dit veld in." in empty.get_data(as_text=True)


def test_an_unknown_address_gets_exactly_the_answer_a_wrong_password_gets(client, make_user):
    user = make_user()
    unknown = f"nobody-{secrets.token_hex(4)}@example.org"

    def answer(email: str) -> tuple[int, str]:
        response = client.post("/login", data={"email": email, "password": "wrong password!"})
        page = response.get_data(as_text=True).replace(email, "EMAIL")
        # CSRF tokens carry a timestamp, so they differ between any two pages.
        return response.status_code, re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", page)

    assert answer(user.email) == answer(unknown)
    assert FAILED_LOGIN in answer(unknown)[1]


def test_a_deactivated_user_cannot_log_in(client, session, make_user):
    user = make_user()
    session.execute(update(User).where(User.id == user.id).values(is_active=False))
    session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert FAILED_LOGIN in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_new_password_is_stored_as_an_argon2id_hash(session, make_user):
    user = make_user()
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


def test_logout_answers_only_post(client, make_user, login_as):
    login_as(client, make_user())
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_logout_without_a_csrf_token_is_refused_and_keeps_the_session(make_app, make_user):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    log_in_with_token(client, make_user())
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert client.get("/").status_code == 302


def test_every_post_route_refuses_a_request_without_a_csrf_token(make_app, make_org, make_user):
    application = make_app(WTF_CSRF_ENABLED=True)
    org = make_org()
    owner = make_user(org=org, role=Role.OWNER, is_bureau_admin=True)
    client = application.test_client()
    log_in_with_token(client, owner)
    urls = application.url_map.bind("localhost")
    checked = set()
    for rule in application.url_map.iter_rules():
        view = application.view_functions[rule.endpoint]
        if "POST" not in (rule.methods or set()) or _is_csrf_exempt(view, rule.endpoint):
            continue
        values = {name: org.slug if name == "slug" else 1 for name in rule.arguments}
        response = client.post(urls.build(rule.endpoint, values, method="POST"), data={})
        assert response.status_code == 400, rule.rule
        checked.add(rule.endpoint)
    assert {"auth.login", "auth.logout", "auth.choose_locale", "members.invite"} <= checked
    assert {"members.change_role", "members.remove", "bureau.create_organisation"} <= checked


def _is_csrf_exempt(view: Any, endpoint: str) -> bool:
    """Routes that other parties post to (signed webhooks) are exempt by design."""
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else None
    return (
        f"{view.__module__}.{view.__name__}" in csrf._exempt_views
        or blueprint in csrf._exempt_blueprints
    )


def test_login_is_rate_limited_in_redis(make_app, make_user, redis_url):
    prefix = f"test-login-{secrets.token_hex(4)}"
    application = make_app(
        RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", RATELIMIT_KEY_PREFIX=prefix
    )
    client = application.test_client()
    user = make_user()
    answers = [
        client.post("/login", data={"email": user.email, "password": "wrong password!"})
        for _ in range(4)
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert "Te veel pogingen" in answers[-1].get_data(as_text=True)
    assert client.get("/login").status_code == 200
    store = redis.Redis.from_url(redis_url)
    keys = store.keys(f"*{prefix}*")
    assert keys, "the limit should be counted in Redis"
    store.delete(*keys)


def test_cookies_are_http_only_same_site_and_secure_by_default(make_app, make_user, monkeypatch):
    monkeypatch.delenv("SB_COOKIE_SECURE", raising=False)
    client = make_app().test_client()
    response = client.post("/login", data={"email": make_user().email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie


def test_cookies_drop_secure_only_when_sb_cookie_secure_is_off(make_app, make_user, monkeypatch):
    monkeypatch.setenv("SB_COOKIE_SECURE", "0")
    client = make_app().test_client()
    response = client.post("/login", data={"email": make_user().email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "Secure" not in cookie


def test_logging_in_starts_a_fresh_session_and_keeps_only_the_chosen_language(client, make_user):
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = "fixation"
        planted["locale"] = "en"
    client.post("/login", data={"email": make_user().email, "password": PASSWORD})
    with client.session_transaction() as after:
        assert "planted_by_attacker" not in after
        assert after["locale"] == "en"
        assert "_user_id" in after


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "javascript:alert(1)",
        "http:/evil.example",
    ],
)
def test_next_never_sends_anyone_to_another_site_after_login(client, make_user, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": make_user().email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_keeps_a_path_on_this_site(client, make_user):
    response = client.post(
        "/login?next=/bureau/organisations",
        data={"email": make_user().email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/bureau/organisations"


def test_a_page_behind_login_sends_a_visitor_to_the_login_form_with_a_message(client):
    response = client.get("/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/login"
    assert "Log in om verder te gaan." in page
