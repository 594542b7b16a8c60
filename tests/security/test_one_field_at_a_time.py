"""One hostile value in one field, the rest of the form as a person fills it: never a 500.

The sweep in ``test_hostile_input`` puts the same hostile value in every field of a form at
once, so the first field refused hides the others: a 42-character IBAN in a bank rule reached
the database, and a 500, only when the account beside it was a real one. Here every field of
every form on the organisation's and the bureau's pages gets each value in turn while the other
fields hold what the page fills in (or a plausible value, by the field's name), so a field that
nothing refuses before the database does is found. A refusal still changes nothing.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from tests.security.probes import HOSTILE_TEXT, Fields, Probe, fingerprint, plausible_form
from tests.security.test_hostile_input import FAILURES, schemas, send
from tests.security.world import World

# Over-long text (a thousand characters and more), a number too large for any column, and
# control characters: what a database column refuses that a form might let through.
VALUES = (HOSTILE_TEXT[5], HOSTILE_TEXT[2], HOSTILE_TEXT[0])
# Forms that end the probe's own session or login, which the other probes need.
LEAVES_THE_SESSION = re.compile(r"^/account/|/logout$|/sessions")


def forms_to_probe(fields: Fields, world: World) -> list[tuple[str, str]]:
    """The POST forms of the home organisation's pages (for its owner) and the bureau's (for
    staff), each by its action."""
    home = f"/o/{world.home.slug}/"
    return sorted(
        (role, action)
        for (method, action), names in fields.forms.items()
        if method == "POST" and names and not LEAVES_THE_SESSION.search(action)
        for role in (
            ["owner"]
            if action.startswith(home)
            else ["staff"]
            if action.startswith("/bureau")
            else []
        )
    )


def test_a_hostile_value_in_one_field_of_a_plausible_form_gives_no_500(
    app: Flask, engine: Engine, world: World, clients: dict[str, FlaskClient], fields: Fields
) -> None:
    failed, changed = [], []
    forms = forms_to_probe(fields, world)
    for role, action in forms:
        form = plausible_form(fields, "POST", action)
        for name in sorted(form):
            for value in VALUES:
                probe = Probe("POST", action, form={**form, name: value})
                before = fingerprint(engine, schemas(world))
                status = send(clients[role], probe)
                if status >= 500:
                    failed.append(f"{status} {name} {probe}")
                elif status >= 400 and fingerprint(engine, schemas(world)) != before:
                    changed.append(f"{status} {name} {probe}")
    assert len(forms) > 25  # the pages were read: the organisation's and the bureau's forms
    assert failed == [], "\n".join(failed[:40] + FAILURES[-10:])
    assert changed == []
