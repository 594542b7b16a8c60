"""The ``--demo`` of ``servicebureau serve``: fill an empty instance and say how to log in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from purchasing.invoices.demo import fill_demo_billing
from tenants.demo import (
    DEMO_PASSWORD,
    PEOPLE,
    DemoPerson,
    bureau_second_factor,
    fill_demo,
    is_empty,
)
from tenants.queries import user_by_email
from tenants.second_factor import provisioning_uri


def install_demo(session: Session) -> list[str]:
    """Fill an empty instance with the demo; returns the lines to print for the person serving."""
    if is_empty(session):
        people = fill_demo(session)
        fill_demo_billing(session)
        lines = [f"demo: filled this new instance with {len(people)} demo logins"]
    elif user_by_email(session, PEOPLE[0].email) is not None:
        people = PEOPLE
        lines = ["demo: this instance already holds the demo data; left as it is"]
        if fill_demo_billing(session):  # a demo made before invoices asked for these
            lines[0] = "demo: this instance already holds the demo data; added billing details"
    else:
        return ["demo: skipped, this instance already has organisations of its own"]
    lines.append(f"demo: password for every demo login: {DEMO_PASSWORD}")
    lines.extend(f"  {person.email:<28} {_roles(person)}" for person in people)
    lines.extend(_second_factor_lines(session))
    return lines


def _second_factor_lines(session: Session) -> list[str]:
    """Bureau staff log in with a code too: say how, for the demo's bureau login."""
    found = bureau_second_factor(session)
    if found is None:
        return []
    email, secret = found
    return [
        f"demo: {email} (bureau staff) also asks for a code from an authenticator app.",
        f"  add this key to the app (Google Authenticator, FreeOTP, ...): {secret}",
        f"  or scan/open: {provisioning_uri(secret, email)}",
        f"  or on this machine: oathtool --totp -b {secret}",
    ]


def _roles(person: DemoPerson) -> str:
    roles = [f"{role.value} of {slug}" for slug, role in person.roles]
    if person.is_bureau_admin:
        roles.insert(0, "bureau admin")
    return ", ".join(roles)
