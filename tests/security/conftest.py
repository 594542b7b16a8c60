"""The world the hostile-input suite attacks, built once per module, and a client per role."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from tests.conftest import PASSWORD, SECOND_FACTORS
from tests.security.probes import Fields, path_of, rules
from tests.security.world import ROLES, World, make_world, user_id_of


@pytest.fixture(scope="module")
def world(engine: Engine) -> World:
    return make_world(engine)


@pytest.fixture(scope="module")
def clients(app: Flask, engine: Engine, world: World) -> dict[str, FlaskClient]:
    """A logged-in client for every role; ``anonymous`` never logs in."""
    found = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            response = client.post(
                "/login", data={"email": world.emails[role], "password": PASSWORD}
            )
            if response.headers.get("Location") == "/login/code":  # bureau staff
                code = SECOND_FACTORS[user_id_of(engine, world.emails[role])].next_code()
                response = client.post("/login/code", data={"code": code})
            assert response.status_code == 302, role
            assert response.headers["Location"] != "/account/second-factor", role
        found[role] = client
    return found


@pytest.fixture(scope="module")
def fields(app: Flask, world: World, clients: dict[str, FlaskClient]) -> Fields:
    """Form fields and query names, read from every page the owner and bureau staff can open."""
    found = Fields()
    for rule, method in rules(app):
        if method != "GET":
            continue
        path = path_of(rule, world.home.slug, world.home.ids)
        for role in ("owner", "staff"):
            response = clients[role].get(path)
            body = response.get_data()  # every answer read: a download streams
            if response.status_code == 200 and response.mimetype == "text/html":
                found.read(path, body.decode())
    return found
