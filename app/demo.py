"""The ``--demo`` of ``servicebureau serve``: fill an empty instance and say how to log in."""

from __future__ import annotations

from sqlalchemy import Engine

from purchasing.invoices.demo import fill_demo_billing
from tenants.binding import TenantRef
from tenants.demo import DEMO_PASSWORD, PEOPLE, DemoPerson, fill_demo, fill_demo_books, is_empty
from tenants.queries import user_by_email
from tenants.unit_of_work import unit_of_work


def install_demo(engine: Engine) -> list[str]:
    """Fill an empty instance with the demo; returns the lines to print for the person serving.

    The organisations, people and billing details are one unit of work (provisioning each
    organisation is a transaction of its own); each organisation's books are one more.
    """
    tenants: list[TenantRef] = []
    with unit_of_work(engine) as session:
        if is_empty(session):
            tenants = fill_demo(session)
            fill_demo_billing(session)
            lines = [f"demo: filled this new instance with {len(PEOPLE)} demo logins"]
        elif user_by_email(session, PEOPLE[0].email) is not None:
            lines = ["demo: this instance already holds the demo data; left as it is"]
            if fill_demo_billing(session):  # a demo made before invoices asked for these
                lines[0] = "demo: this instance already holds the demo data; added billing details"
        else:
            return ["demo: skipped, this instance already has organisations of its own"]
    for tenant in tenants:
        with unit_of_work(engine, tenant.organisation_id) as books:
            fill_demo_books(books)
    lines.append(f"demo: password for every demo login: {DEMO_PASSWORD}")
    lines.extend(f"  {person.email:<28} {_roles(person)}" for person in PEOPLE)
    return lines


def _roles(person: DemoPerson) -> str:
    roles = [f"{role.value} of {slug}" for slug, role in person.roles]
    if person.is_bureau_admin:
        roles.insert(0, "bureau admin")
    return ", ".join(roles)
