"""The ``--demo`` of ``servicebureau serve``: fill an empty instance and say how to log in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from purchasing.demo import fill_bureau_demo
from purchasing.demo_bank import DEMO_IBANS, demo_statement, open_fees, set_up_demo_bank
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
from tenants.queries import organisation_by_slug, organisations_of, user_by_email
from tenants.second_factor import provisioning_uri
from tenants.unit_of_work import unit_of_work
from workers.bookings import book_pending


def install_demo(engine: Engine, today: date, bank_dir: Path | None = None) -> list[str]:
    """Fill an empty instance with the demo; returns the lines to print for the person serving.

    Both sides: the organisations, people, billing details and the bureau's insurance, plan
    and invoices (``purchasing.demo``) are one unit of work (provisioning each organisation is
    a transaction of its own); each organisation's books are one more. The invoices are then
    booked on both sides at once, and each member organisation gets a bank statement to
    import, written to ``bank_dir`` (``purchasing.demo_bank``).
    """
    tenants: list[TenantRef] = []
    with unit_of_work(engine) as session:
        if is_empty(session):
            tenants = fill_demo(session, today)
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
            fill_demo_books(books, today, new.slug)
    book_pending(engine, today=today)
    if tenants and bank_dir is not None:
        lines.extend(write_bank_statements(engine, today, bank_dir))
    with unit_of_work(engine) as session:
        lines.append(f"demo: password for every demo login: {DEMO_PASSWORD}")
        lines.extend(f"  {person.email:<28} {_roles(session, person.email)}" for person in PEOPLE)
        lines.extend(_second_factor_lines(session))
    return lines


def write_bank_statements(engine: Engine, today: date, bank_dir: Path) -> list[str]:
    """Give each demo member its bank account and rules, and write its statement to import."""
    with unit_of_work(engine) as session:
        fees = open_fees(session)
        members = {slug: organisation_by_slug(session, slug) for slug in DEMO_IBANS}
    bank_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for slug, organisation in members.items():
        if organisation is None:
            continue
        with unit_of_work(engine, organisation.id) as books:
            set_up_demo_bank(books, slug)
            data = demo_statement(books, slug, today, fees.get(slug))
        if data is not None:
            path = bank_dir / f"{slug}-{today.year}.camt053.xml"
            path.write_bytes(data)
            written.append(f"  {slug:<28} {path}")
    if not written:
        return []
    return [
        "demo: bank statements to import (Bank > Afschrift inlezen, as the member's treasurer):",
        *written,
    ]


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
