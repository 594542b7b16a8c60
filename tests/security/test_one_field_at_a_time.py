"""One hostile value in one field, the rest of the form as a person fills it: never a 500.

The sweep in ``test_hostile_input`` puts the same hostile value in every field of a form at
once, so the first field refused hides the others: a 42-character IBAN in a bank rule reached
the database, and a 500, only when the account beside it was a real one. Here every field of
every form on the organisation's and the bureau's pages gets each value in turn while the other
fields hold what the page fills in (or a plausible value, by the field's name), so a field that
nothing refuses before the database does is found. A refusal still changes nothing.
"""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from tests.security.one_field import post_forms, sweep
from tests.security.probes import Fields
from tests.security.test_hostile_input import FAILURES, schemas, send
from tests.security.world import World


def test_a_hostile_value_in_one_field_of_a_plausible_form_gives_no_500(
    engine: Engine, world: World, clients: dict[str, FlaskClient], fields: Fields
) -> None:
    home = f"/o/{world.home.slug}/"
    forms = post_forms(
        fields,
        lambda action: (
            "owner"
            if action.startswith(home)
            else "staff"
            if action.startswith("/bureau")
            else None
        ),
    )

    outcome = sweep(forms, fields, clients, send, engine, schemas(world))

    assert len(forms) > 25  # the pages were read: the organisation's and the bureau's forms
    assert outcome.failed == [], "\n".join(outcome.failed[:40] + FAILURES[-10:])
    assert outcome.changed == []
