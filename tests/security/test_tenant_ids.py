"""Another organisation's ids in one's own addresses reach nothing of theirs; its members reach
nothing of ours. Generated from the URL map, for every organisation route and method."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.security.probes import fingerprint, path_of, rules
from tests.security.world import World


def test_the_other_organisations_ids_in_our_addresses_show_and_change_nothing_of_theirs(
    app: Flask, engine: Engine, world: World, clients: dict[str, FlaskClient]
) -> None:
    home, other = world.home, world.other
    theirs_before = fingerprint(engine, (other.tenant.schema_name,))
    leaked, failed = [], []
    for role in ("owner", "bookkeeper", "viewer"):
        for rule, method in rules(app):
            if not rule.rule.startswith("/o/<slug>/") or not (rule.arguments - {"slug"}):
                continue
            path = path_of(rule, home.slug, other.ids)
            response = clients[role].open(path, method=method, data={})
            body = response.get_data(as_text=True)
            if response.status_code >= 500:
                failed.append(f"{role} {method} {path}: {response.status_code}")
            if other.marker in body:
                leaked.append(f"{role} {method} {path}")
    assert failed == []
    assert leaked == []
    assert fingerprint(engine, (other.tenant.schema_name,)) == theirs_before
    with engine.connect() as connection:
        still_member = connection.scalar(
            text("SELECT count(*) FROM public.memberships WHERE user_id = :user"),
            {"user": other.ids["user_id"]},
        )
    assert still_member == 1


def test_a_member_of_another_organisation_gets_404_on_every_route_of_ours(
    app: Flask, engine: Engine, world: World, clients: dict[str, FlaskClient]
) -> None:
    home = world.home
    ours_before = fingerprint(engine, (home.tenant.schema_name,))
    answered = []
    for rule, method in rules(app):
        if not rule.rule.startswith("/o/<slug>/"):
            continue
        path = path_of(rule, home.slug, home.ids)
        response = clients["foreign"].open(path, method=method, data={})
        if response.status_code != 404 or home.marker in response.get_data(as_text=True):
            answered.append(f"{response.status_code} {method} {path}")
    assert answered == []
    assert fingerprint(engine, (home.tenant.schema_name,)) == ours_before
