"""Every POST the URL map has is refused without a CSRF token, and the refusal changes nothing.

The shared test application switches CSRF off so other tests can post plainly; this suite
builds a second application on the same database with it on, as production runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from app import create_app
from tests.conftest import PASSWORD
from tests.security.probes import fingerprint, path_of, rules
from tests.security.world import World

# Endpoints that prove who calls them another way, and why.
EXEMPT = {"payments.stripe_webhook": "Stripe signs each call; a browser never posts it"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def protected_app(app: Flask) -> Iterator[Flask]:
    """The application as production runs it: CSRF on (rate limits stay off for the suite)."""
    config = {
        key: app.config[key]
        for key in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "SECRET_KEY", "TESTING")
    }
    protected = create_app(
        config
        | {
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
        }
    )
    yield protected


def logged_in(app: Flask, email: str) -> FlaskClient:
    """A client logged in through the real form, with the token the form carries."""
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True))
    assert token, "the login form carries no CSRF token"
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302
    return client


def test_the_login_form_itself_is_refused_without_its_token(protected_app: Flask) -> None:
    response = protected_app.test_client().post(
        "/login", data={"email": "x@example.org", "password": "x"}
    )
    assert response.status_code == 400


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(
    protected_app: Flask, engine: Engine, world: World
) -> None:
    owner = logged_in(protected_app, world.emails["owner"])
    staff = logged_in(protected_app, world.emails["staff"])
    schemas = ("public", world.home.tenant.schema_name)
    accepted, changed = [], []
    for rule, method in rules(protected_app):
        if method != "POST" or rule.endpoint in EXEMPT:
            continue
        path = path_of(rule, world.home.slug, world.home.ids)
        client = staff if path.startswith("/bureau") else owner
        before = fingerprint(engine, schemas)
        response = client.post(path, data={"name": "zonder token"})
        if response.status_code != 400:
            accepted.append(f"{response.status_code} POST {path}")
        if fingerprint(engine, schemas) != before:
            changed.append(path)
    assert accepted == []
    assert changed == []


def test_only_the_signed_webhook_is_exempt_from_csrf(protected_app: Flask) -> None:
    from app.extensions import csrf

    exempt = {view for view in csrf._exempt_views}
    assert {name.rsplit(".", 1)[-1] for name in exempt} == {"stripe_webhook"}
