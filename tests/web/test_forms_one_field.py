"""One hostile value in one field of every form of a populated member and bureau: no 500.

The hostile-input suite's world is small: forms that only show with data (an invoice, a pool,
a plan, a run, a policy) are not on its pages. Here the pages of ``tests.web.populated`` are
read as the member's owner and as bureau staff, and every POST form they show is swept as in
``tests.security.one_field``: each field in turn holds an over-long text, a huge number and
control characters while the rest is filled as the page fills it. A refusal changes nothing.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tenants.models import Organisation
from tests.security.one_field import post_forms, sweep
from tests.security.probes import Fields
from tests.security.test_hostile_input import FAILURES, send
from tests.web.populated import Populated
from tests.web.test_dutch_formats import clients, pages, url_of, world  # noqa: F401 (fixtures)

PROBING = ("owner", "bureau")


@pytest.fixture(scope="module")
def fields(clients: dict[str, FlaskClient], world: Populated) -> Fields:  # noqa: F811
    found = Fields()
    for route in pages():
        url = url_of(route, world)
        for persona in PROBING if url is not None else ():
            response = clients[persona].get(url)
            body = response.get_data()  # every answer read: a download streams
            if response.status_code == 200 and response.mimetype == "text/html":
                found.read(url, body.decode())
    return found


def schemas_of(engine: Engine, world: Populated) -> tuple[str, ...]:  # noqa: F811
    with Session(engine) as session:
        found = session.scalars(
            select(Organisation.schema_name).where(
                Organisation.slug.in_([world.member_slug, world.bureau_slug])
            )
        ).all()
    return ("public", *sorted(found))


def test_a_hostile_value_in_one_field_of_any_populated_form_gives_no_500(
    engine: Engine,
    world: Populated,  # noqa: F811
    clients: dict[str, FlaskClient],  # noqa: F811
    fields: Fields,
) -> None:
    member, bureau = f"/o/{world.member_slug}/", f"/o/{world.bureau_slug}/"
    forms = post_forms(
        fields,
        lambda action: (
            "owner"
            if action.startswith(member)
            else "bureau"
            if action.startswith(("/bureau", bureau))
            else None
        ),
    )

    outcome = sweep(forms, fields, clients, send, engine, schemas_of(engine, world))

    assert len(forms) > 35  # the pages were read: the member's and the bureau's forms
    assert outcome.failed == [], "\n".join(outcome.failed[:40] + FAILURES[-10:])
    assert outcome.changed == []
