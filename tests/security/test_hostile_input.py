"""No hostile value anywhere in any request gives a 500, and a refusal changes nothing.

Generated from the URL map: every rule and method, as every role (owner, bookkeeper, viewer,
bureau staff, a member of another organisation, nobody), with hostile values in every path
part, query parameter and form field the rendered pages ask for. Allowed answers are 2xx, 3xx
and 4xx; after a refused write (4xx) the organisation's tables and the shared ones are exactly
as before.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from tests.security.probes import HOSTILE_TEXT, Fields, Probe, fingerprint, hostile_probes, rules
from tests.security.world import ROLES, World

# Every value where the role can act (an organisation's people on its pages, staff on the
# bureau's); a sample where the role is turned away at the door anyway.
SAMPLE = ("9999-12-31_99999999999999999999",)
HOME_ROLES = frozenset({"owner", "bookkeeper", "viewer"})
FAILURES: list[str] = []  # why each 500 happened, printed when the test fails


def values_for(role: str, path: str) -> tuple[str, ...]:
    is_home = path.startswith("/o/") and role in HOME_ROLES
    is_bureau = path.startswith("/bureau") and role == "staff"
    is_open = not path.startswith(("/o/", "/bureau"))
    return HOSTILE_TEXT if (role == "owner" and is_home) or is_bureau or is_open else SAMPLE


def send(client: FlaskClient, probe: Probe) -> int:
    """The answer's status; an exception (the test app propagates them) counts as a 500.

    Messages flashed by refused forms are dropped: the redirects that would show them are not
    followed, and the session cookie would otherwise grow with every probe.
    """
    try:
        if probe.method == "GET":
            return client.get(probe.path, query_string=dict(probe.query)).status_code
        return client.open(probe.path, method=probe.method, data=dict(probe.form)).status_code
    except Exception as error:  # whatever it is, it is the failure looked for
        FAILURES.append(f"{type(error).__name__}: {str(error)[:300]} at {probe}")
        return 500
    finally:
        if client.get_cookie("session") is not None:
            with client.session_transaction() as session:
                session.pop("_flashes", None)


def schemas(world: World) -> tuple[str, ...]:
    return ("public", world.home.tenant.schema_name, world.other.tenant.schema_name)


@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_value_in_any_route_gives_a_500_and_a_refusal_changes_nothing(
    app: Flask,
    engine: Engine,
    world: World,
    clients: dict[str, FlaskClient],
    fields: Fields,
    role: str,
) -> None:
    client, failed, changed = clients[role], [], []
    for rule, method in rules(app):
        path = rule.rule
        for probe in hostile_probes(
            rule, method, world.home.slug, world.home.ids, fields, values_for(role, path)
        ):
            before = fingerprint(engine, schemas(world)) if method != "GET" else None
            status = send(client, probe)
            if status >= 500:
                failed.append(f"{status} {probe}")
            elif (
                before is not None
                and status >= 400
                and fingerprint(engine, schemas(world)) != before
            ):
                changed.append(f"{status} {probe}")
    assert failed == [], "\n".join(FAILURES[-40:])
    assert changed == []


hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_mixtures_of_hostile_fields_in_any_form_never_give_a_500(
    app: Flask, world: World, clients: dict[str, FlaskClient], fields: Fields, data: st.DataObject
) -> None:
    """Each field its own value, drawn from hostile samples, any Unicode, any integer or
    decimal and any date: combinations the sweep above, one value at a time, does not make."""
    forms = sorted(
        (method, action, sorted(names))
        for (method, action), names in fields.forms.items()
        if names and (action.startswith(f"/o/{world.home.slug}/") or action.startswith("/bureau"))
    )
    method, action, names = data.draw(st.sampled_from(forms))
    filled = {name: data.draw(hostile_text, label=name) for name in names}
    role = "staff" if action.startswith("/bureau") else "owner"
    probe = Probe(method, action, query=filled if method == "GET" else {}, form=filled)
    status = send(clients[role], probe)
    assert status < 500, str(probe)
