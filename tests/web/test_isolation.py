"""Every organisation route, tried by outsiders and by too-small roles: generated from the URL map.

The cases are read from the application's own URL map when the tests are collected, so a route
added tomorrow is probed tomorrow without anyone editing this file.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from unittest import mock
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app import create_app
from app.tenancy import is_organisation_endpoint
from ledger.chart import DEFAULT_CHART
from ledger.models import Account
from tenants.binding import TenantRef, bind_session
from tenants.people import add_member, create_user
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.roles import Role
from tests.conftest import PASSWORD, set_up_second_factor

PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "auth.login",
        "auth.logout",
        "auth.choose_locale",
        "auth.accept_invitation",
        "auth.second_factor",  # the code step after the password, for a pending login only
        "password.forgotten",
        "password.reset",  # opened by the single-use token in the mailed link
        "payments.stripe_webhook",  # authenticated by Stripe's signature, not by a login
        "health.healthz",  # for probes: says only that the process lives
        "health.readyz",  # for probes: says which service is down, nothing of anyone's data
    }
)
UNKNOWN_SLUG = "bestaat-niet-hier"
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
_DUMMIES = {"int": "1", "float": "1.5", "uuid": "00000000-0000-4000-8000-000000000001"}


@dataclass(frozen=True)
class Route:
    """One URL rule and one method it answers to."""

    rule: str
    endpoint: str
    method: str
    required_role: Role | None
    has_other_arguments: bool

    def url(self, slug: str) -> str:
        return _ARGUMENT.sub(lambda match: _value(match, slug), self.rule)

    @property
    def id(self) -> str:
        return f"{self.endpoint}-{self.method}"


def _value(match: re.Match[str], slug: str) -> str:
    if match["name"] == "slug":
        return slug
    converter = match["converter"] or "default"
    if converter == "any":
        return match["args"].split(",")[0].strip().strip("'\"")
    return _DUMMIES.get(converter, "x")


@cache
def routes() -> tuple[Route, ...]:
    """Every (rule, method) of the real application, read without a database or Redis."""
    with (
        tempfile.TemporaryDirectory() as instance,
        mock.patch.dict(os.environ, {"SB_INSTANCE_DIR": instance, "SECRET_KEY": "collection"}),
    ):
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://collection@127.0.0.1:1/none",
                "REDIS_URL": "redis://127.0.0.1:1/0",
                "RATELIMIT_ENABLED": False,
            }
        )
    return tuple(_routes_of(app))


def _routes_of(app: Flask) -> Iterator[Route]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield Route(
                rule=rule.rule,
                endpoint=rule.endpoint,
                method=method,
                required_role=getattr(app.view_functions[rule.endpoint], "required_role", None),
                has_other_arguments=bool(set(rule.arguments) - {"slug"}),
            )


def organisation_routes() -> list[Route]:
    return [route for route in routes() if is_organisation_endpoint(route.endpoint)]


def private_routes() -> list[Route]:
    return [
        route
        for route in routes()
        if not is_organisation_endpoint(route.endpoint) and route.endpoint not in PUBLIC_ENDPOINTS
    ]


def too_small_roles() -> list[tuple[Route, Role]]:
    return [
        (route, role)
        for route in organisation_routes()
        for role in Role
        if route.required_role is not None and not role.allows(route.required_role)
    ]


def bureau_routes() -> list[Route]:
    """Every route under ``/bureau``: bureau staff only, whatever blueprint it is in."""
    return [route for route in routes() if route.rule.split("/")[1] == "bureau"]


def readable_bureau_routes() -> list[Route]:
    return [route for route in bureau_routes() if route.method == "GET"]


def readable_routes() -> list[Route]:
    return [route for route in organisation_routes() if route.method == "GET"]


def ids(routes: list[Route]) -> list[str]:
    return [route.id for route in routes]


@dataclass(frozen=True)
class World:
    """Two organisations and the people around them, made once for this module."""

    home_slug: str
    home_id: int
    home_schema: str
    other_slug: str
    clients: dict[str, FlaskClient]


@pytest.fixture(scope="module")
def world(app: Flask, engine: Engine) -> World:
    suffix = os.urandom(3).hex()
    with Session(engine) as session:
        home = provision_organisation(session, NewOrganisation(f"thuis-{suffix}", "Thuis"))
        other = provision_organisation(session, NewOrganisation(f"elders-{suffix}", "Elders"))
    people = {
        "owner": (home, Role.OWNER),
        "bookkeeper": (home, Role.BOOKKEEPER),
        "viewer": (home, Role.VIEWER),
        "outsider": (other, Role.OWNER),
        "stranger": (None, None),
        "bureau": (None, None),
    }
    clients = {"anonymous": app.test_client()}
    for persona, (organisation, role) in people.items():
        email = f"{persona}-{suffix}@example.org"
        with Session(engine) as session:
            user = create_user(session, email, PASSWORD, is_bureau_admin=persona == "bureau")
            if organisation is not None and role is not None:
                add_member(session, user.id, organisation.organisation_id, role)
            if persona == "bureau":
                keys = set_up_second_factor(session, user.id)
            session.commit()
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, persona
        if persona == "bureau":
            response = client.post("/login/code", data={"code": keys.next_code()})
            assert response.status_code == 302, persona
        clients[persona] = client
    return World(
        home_slug=f"thuis-{suffix}",
        home_id=home.organisation_id,
        home_schema=home.schema_name,
        other_slug=f"elders-{suffix}",
        clients=clients,
    )


def request(client: FlaskClient, route: Route, slug: str) -> TestResponse:
    return client.open(route.url(slug), method=route.method)


def test_the_url_map_has_organisation_routes_to_probe(app):
    probed = {route.endpoint for route in organisation_routes()}
    live = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert probed, "no organisation endpoints found: the isolation tests would test nothing"
    assert probed <= live
    assert {route.id for route in routes()} == {route.id for route in _routes_of(app)}


def test_every_organisation_route_declares_its_role():
    assert [route.id for route in organisation_routes() if route.required_role is None] == []


@pytest.mark.parametrize("route", organisation_routes(), ids=ids(organisation_routes()))
def test_an_anonymous_visitor_is_sent_to_log_in(world, route):
    response = request(world.clients["anonymous"], route, world.home_slug)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


@pytest.mark.parametrize("route", organisation_routes(), ids=ids(organisation_routes()))
def test_a_member_of_another_organisation_gets_404(world, route):
    response = request(world.clients["outsider"], route, world.home_slug)
    assert response.status_code == 404


@pytest.mark.parametrize("route", organisation_routes(), ids=ids(organisation_routes()))
def test_a_user_without_memberships_gets_404(world, route):
    response = request(world.clients["stranger"], route, world.home_slug)
    assert response.status_code == 404


def page(response: TestResponse, slug: str) -> str:
    """The page with what always differs taken out: its own path, echoed for the language switch,
    and the CSRF token, which is signed with the time."""
    text = response.get_data(as_text=True).replace(slug, "SLUG")
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', text)


@pytest.mark.parametrize("route", organisation_routes(), ids=ids(organisation_routes()))
def test_an_unknown_slug_answers_exactly_like_a_foreign_one(world, route):
    foreign_slugs = {
        "outsider": world.home_slug,
        "stranger": world.home_slug,
        "owner": world.other_slug,
    }
    for persona, foreign_slug in foreign_slugs.items():
        unknown = request(world.clients[persona], route, UNKNOWN_SLUG)
        foreign = request(world.clients[persona], route, foreign_slug)
        assert (unknown.status_code, foreign.status_code) == (404, 404), persona
        assert page(unknown, UNKNOWN_SLUG) == page(foreign, foreign_slug), persona


@pytest.mark.parametrize(
    ("route", "role"),
    too_small_roles(),
    ids=[f"{route.id}-as-{role}" for route, role in too_small_roles()],
)
def test_a_member_whose_role_is_too_small_gets_403(world, route, role):
    response = request(world.clients[str(role)], route, world.home_slug)
    assert response.status_code == 403


@pytest.mark.parametrize("route", readable_routes(), ids=ids(readable_routes()))
def test_a_member_with_just_enough_role_is_let_in(world, route):
    assert route.required_role is not None
    response = request(world.clients[str(route.required_role)], route, world.home_slug)
    assert response.status_code < 500
    assert response.status_code != 403
    if not route.has_other_arguments:
        assert response.status_code != 404


@pytest.mark.parametrize("route", private_routes(), ids=ids(private_routes()))
def test_every_other_private_route_requires_login(world, route):
    response = request(world.clients["anonymous"], route, world.home_slug)
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/login"


def test_the_url_map_has_bureau_routes_to_probe():
    endpoints = {route.endpoint for route in bureau_routes()}
    assert {"bureau.organisations", "bureau.create_organisation"} <= endpoints


@pytest.mark.parametrize("route", bureau_routes(), ids=ids(bureau_routes()))
def test_every_bureau_route_refuses_a_logged_in_user_who_is_not_bureau_staff(world, route):
    for persona in ("owner", "stranger"):
        response = request(world.clients[persona], route, world.home_slug)
        assert response.status_code == 403, persona


@pytest.mark.parametrize("route", bureau_routes(), ids=ids(bureau_routes()))
def test_every_bureau_route_sends_an_anonymous_visitor_to_log_in(world, route):
    response = request(world.clients["anonymous"], route, world.home_slug)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


@pytest.mark.parametrize("route", readable_bureau_routes(), ids=ids(readable_bureau_routes()))
def test_bureau_staff_are_let_into_every_bureau_page(world, route):
    response = request(world.clients["bureau"], route, world.home_slug)
    assert response.status_code < 500
    assert response.status_code != 403
    if not route.has_other_arguments:
        assert response.status_code == 200


def account_count(client: FlaskClient, slug: str) -> int:
    page = client.get(f"/o/{slug}/").get_data(as_text=True)
    found = re.search(r'data-testid="account-count">\s*(\d+)', page)
    assert found, page[:500]
    return int(found[1])


def test_pages_of_two_organisations_requested_at_once_each_show_their_own_books(world, engine):
    with Session(engine) as session:
        bind_session(session, TenantRef(world.home_id, world.home_schema))
        session.add_all(
            Account(name=f"Assets:Web:Extra{index}", type="Assets", opened_on=date(2026, 1, 1))
            for index in range(3)
        )
        session.commit()
    expected = {"owner": len(DEFAULT_CHART) + 3, "outsider": len(DEFAULT_CHART)}
    slugs = {"owner": world.home_slug, "outsider": world.other_slug}
    seen: dict[str, set[int]] = {persona: set() for persona in expected}
    start = threading.Barrier(len(expected))

    def browse(persona: str) -> None:
        start.wait()
        for _ in range(20):
            seen[persona].add(account_count(world.clients[persona], slugs[persona]))

    threads = [threading.Thread(target=browse, args=(persona,)) for persona in expected]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {persona: {count} for persona, count in expected.items()}


def test_an_organisation_whose_schema_marker_disagrees_is_refused_without_details(world, engine):
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f'UPDATE "{world.home_schema}".tenant_marker SET organisation_id = -1'
        )
    try:
        response = world.clients["owner"].get(f"/o/{world.home_slug}/")
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                f'UPDATE "{world.home_schema}".tenant_marker SET organisation_id = {world.home_id}'
            )
    assert response.status_code == 500
    assert world.home_schema not in response.get_data(as_text=True)
