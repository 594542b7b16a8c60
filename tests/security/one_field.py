"""One hostile value in one field, the rest of the form as a person fills it.

Shared by the sweep over the hostile-input suite's small world
(``test_one_field_at_a_time``) and the one over the populated member and bureau
(``tests/web/test_forms_one_field``), whose pages show the forms that need data to appear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from tests.security.probes import HOSTILE_TEXT, Fields, Probe, fingerprint, plausible_form

# Over-long text (a thousand characters and more), a number too large for any column, and
# control characters: what a database column refuses that a form might let through.
VALUES = (HOSTILE_TEXT[5], HOSTILE_TEXT[2], HOSTILE_TEXT[0])
# Forms that end the probe's own session or login, which the other probes need.
LEAVES_THE_SESSION = re.compile(r"^/account/|/logout$|/sessions")


@dataclass
class Outcome:
    """The probes that failed (a 500) and the refusals that changed a table."""

    failed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def post_forms(fields: Fields, who: Callable[[str], str | None]) -> list[tuple[str, str]]:
    """(persona, action) of every POST form the pages showed, for the persona ``who`` names
    for its action (None: nobody probes it); forms that end the session are left out."""
    found = []
    for (method, action), names in fields.forms.items():
        persona = who(action)
        if method == "POST" and names and persona and not LEAVES_THE_SESSION.search(action):
            found.append((persona, action))
    return sorted(found)


def sweep(
    forms: Sequence[tuple[str, str]],
    fields: Fields,
    clients: dict[str, FlaskClient],
    send: Callable[[FlaskClient, Probe], int],
    engine: Engine,
    schemas: tuple[str, ...],
) -> Outcome:
    """Each field of each form in turn holds each of ``VALUES``; the others are plausible."""
    outcome = Outcome()
    for persona, action in forms:
        form = plausible_form(fields, "POST", action)
        for name in sorted(form):
            for value in VALUES:
                probe = Probe("POST", action, form={**form, name: value})
                before = fingerprint(engine, schemas)
                status = send(clients[persona], probe)
                if status >= 500:
                    outcome.failed.append(f"{status} {name} {probe}")
                elif status >= 400 and fingerprint(engine, schemas) != before:
                    outcome.changed.append(f"{status} {name} {probe}")
    return outcome
