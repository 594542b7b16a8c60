"""The ``--demo`` of ``servicebureau serve``: fill an empty instance and say how to log in."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from purchasing.demo import fill_bureau_demo
from purchasing.invoices.demo import fill_demo_billing
from tenants.demo import (
    DEMO_PASSWORD,
    PEOPLE,
    DemoPerson,
    bureau_second_factor,
    fill_demo,
    is_empty,
)
from tenants.queries import organisations_of, user_by_email
from tenants.second_factor import provisioning_uri


def install_demo(session: Session, today: date) -> list[str]:
    """Fill an empty instance with the demo; returns the lines to print for the person serving.

    Both sides: the member organisations' books and the bureau's insurance, plan and invoices
    (``purchasing.demo``). The caller commits.
    """
    if is_empty(session):
        people = fill_demo(session)
        fill_demo_billing(session)
        fill_bureau_demo(session, today)
        lines = [f"demo: filled this new instance with {len(people)} demo logins"]
    elif user_by_email(session, PEOPLE[0].email) is not None:
        people = PEOPLE
        lines = ["demo: this instance already holds the demo data; left as it is"]
        added = fill_demo_billing(session)  # a demo made before invoices asked for these
        if fill_bureau_demo(session, today) or added:
            lines[0] = "demo: this instance already holds the demo data; added the bureau's side"
    else:
        return ["demo: skipped, this instance already has organisations of its own"]
    lines.append(f"demo: password for every demo login: {DEMO_PASSWORD}")
    lines.extend(f"  {person.email:<28} {_roles(session, person)}" for person in people)
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


def _roles(session: Session, person: DemoPerson) -> str:
    """The login's roles as the instance holds them now, not as the demo first made them."""
    user = user_by_email(session, person.email)
    if user is None:
        return "(removed)"
    roles = [
        f"{role} of {organisation.slug}"
        for organisation, role in organisations_of(session, user.id)
    ]
    if user.is_bureau_admin:
        roles.insert(0, "bureau admin")
    return ", ".join(roles) or "(no organisation)"
