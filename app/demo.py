"""The ``--demo`` of ``servicebureau serve``: fill an empty instance and say how to log in."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from purchasing.demo import fill_bureau_demo
from purchasing.invoices.demo import fill_demo_billing
from tenants.binding import TenantRef
from tenants.demo import (
    DEMO_PASSWORD,
    ORGANISATIONS,
    PEOPLE,
    bureau_second_factor,
    fill_demo,
    fill_demo_books,
    is_empty,
)
from tenants.queries import organisations_of, user_by_email
from tenants.second_factor import provisioning_uri
from tenants.unit_of_work import unit_of_work


def install_demo(engine: Engine, today: date) -> list[str]:
    """Fill an empty instance with the demo; returns the lines to print for the person serving.

    Both sides: the organisations, people, billing details and the bureau's insurance, plan
    and invoices (``purchasing.demo``) are one unit of work (provisioning each organisation is
    a transaction of its own); each organisation's books are one more.
    """
    tenants: list[TenantRef] = []
    with unit_of_work(engine) as session:
        if is_empty(session):
            tenants = fill_demo(session)
            fill_demo_billing(session)
            fill_bureau_demo(session, today)
            lines = [f"demo: filled this new instance with {len(PEOPLE)} demo logins"]
        elif user_by_email(session, PEOPLE[0].email) is not None:
            lines = ["demo: this instance already holds the demo data; left as it is"]
            added = fill_demo_billing(session)  # a demo made before invoices asked for these
            if fill_bureau_demo(session, today) or added:
                lines[0] = (
                    "demo: this instance already holds the demo data; added the bureau's side"
                )
        else:
            return ["demo: skipped, this instance already has organisations of its own"]
    for new, tenant in zip(ORGANISATIONS, tenants, strict=False):
        with unit_of_work(engine, tenant.organisation_id) as books:
            fill_demo_books(books, new.slug)
    with unit_of_work(engine) as session:
        lines.append(f"demo: password for every demo login: {DEMO_PASSWORD}")
        lines.extend(f"  {person.email:<28} {_roles(session, person.email)}" for person in PEOPLE)
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


def _roles(session: Session, email: str) -> str:
    """The login's roles as the instance holds them now, not as the demo first made them."""
    user = user_by_email(session, email)
    if user is None:
        return "(removed)"
    roles = [
        f"{role} of {organisation.slug}"
        for organisation, role in organisations_of(session, user.id)
    ]
    if user.is_bureau_admin:
        roles.insert(0, "bureau admin")
    return ", ".join(roles) or "(no organisation)"
