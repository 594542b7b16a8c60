"""Demo content for a fresh instance: a bureau, three member organisations and their people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.projects import with_project
from ledger.transactions import post_transaction
from tenants.binding import TenantRef
from tenants.models import Organisation
from tenants.people import add_member, create_user
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.queries import user_by_email
from tenants.roles import Role
from tenants.second_factor import enable_with_secret, secret_of

# Printed with the logins; only ever used for demo data on a developer's machine.
DEMO_PASSWORD = "demo-fiets-onder-de-brug"  # noqa: S105

ORGANISATIONS = (
    NewOrganisation(
        slug="buurtbureau",
        name="Servicebureau Buurtkracht",
        is_bureau=True,
        legal_form="cooperatie",
        kvk_number="90000001",
    ),
    NewOrganisation(
        slug="groene-schakel",
        name="Stichting De Groene Schakel",
        legal_form="stichting",
        kvk_number="90000002",
    ),
    NewOrganisation(
        slug="speeltuin-klimboom",
        name="Speeltuinvereniging De Klimboom",
        legal_form="vereniging",
        kvk_number="90000003",
    ),
    NewOrganisation(
        slug="bewoners-oosterpark",
        name="Bewonersinitiatief Oosterpark",
        legal_form="informeel",
    ),
)


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """A demo login and the roles it has, by organisation slug."""

    email: str
    name: str
    roles: tuple[tuple[str, Role], ...]
    is_bureau_admin: bool = False


PEOPLE = (
    DemoPerson(
        "bureau@example.org",
        "Bea Bureau",
        (("buurtbureau", Role.OWNER),),
        is_bureau_admin=True,
    ),
    DemoPerson("penningmeester@example.org", "Anna de Groot", (("groene-schakel", Role.OWNER),)),
    DemoPerson("klimboom@example.org", "Bram Jansen", (("speeltuin-klimboom", Role.OWNER),)),
    DemoPerson("oosterpark@example.org", "Chris Bakker", (("bewoners-oosterpark", Role.OWNER),)),
    DemoPerson(
        "vrijwilliger@example.org",
        "Dewi Visser",
        (("groene-schakel", Role.BOOKKEEPER), ("speeltuin-klimboom", Role.VIEWER)),
    ),
)


def is_empty(session: Session) -> bool:
    """True for an instance without any organisation, the only kind the demo fills."""
    return not session.scalar(select(func.count()).select_from(Organisation))


def fill_demo(session: Session, today: date) -> list[TenantRef]:
    """Create the demo organisations and their people; returns the organisations made. Their
    books open on 1 January of ``today``'s year, as a new organisation's do.

    Meant for an empty instance (see ``is_empty``): it never touches existing data, and on an
    instance that already has these slugs provisioning refuses. Each organisation is
    provisioned in a transaction of its own; the people are written in the caller's. Their
    books are filled with ``fill_demo_books``, each in a unit of work bound to it.
    """
    opened_on = date(today.year, 1, 1)
    tenants = [
        provision_organisation(session, new, books_open_on=opened_on) for new in ORGANISATIONS
    ]
    ids = {
        new.slug: tenant.organisation_id for new, tenant in zip(ORGANISATIONS, tenants, strict=True)
    }
    for person in PEOPLE:
        user = create_user(
            session,
            person.email,
            DEMO_PASSWORD,
            name=person.name,
            is_bureau_admin=person.is_bureau_admin,
        )
        for slug, role in person.roles:
            add_member(session, user.id, ids[slug], role)
        if person.is_bureau_admin:
            # Bureau staff must log in with a second factor, in the demo too: the secret is
            # random per instance and printed for whoever serves the demo (``app.demo``).
            enable_with_secret(session, user.id, pyotp.random_base32(), datetime.now(UTC))
    return tenants


def bureau_second_factor(session: Session) -> tuple[str, str] | None:
    """The demo bureau login's address and TOTP secret, if the demo made that login."""
    for person in PEOPLE:
        user = user_by_email(session, person.email) if person.is_bureau_admin else None
        secret = secret_of(session, user.id) if user is not None else None
        if user is not None and secret is not None:
            return user.email, secret
    return None


def fill_demo_books(books: Session, today: date, slug: str = "") -> None:
    """Post example transactions of ``today``'s year in one organisation's default chart.

    ``books`` is bound to the organisation; posted through the ledger's own service, exactly
    as a bookkeeper's entries would be. Each demo organisation (by ``slug``) gets entries of
    its own on top of a common start, so their books differ as real ones do.
    """
    year = today.year
    for new in (*_demo_transactions(year), *_own_transactions(year, slug)):
        post_transaction(books, new, actor_id=None)


BANK = "Assets:Bank:Checking"


def _entry(
    day: date,
    narration: str,
    payee: str,
    amount: str,
    debit: str,
    credit: str,
    project: str | None = None,
) -> NewTransaction:
    units = Decimal(amount)
    return NewTransaction(
        date=day,
        narration=narration,
        payee=payee,
        meta=with_project({}, project),
        postings=(
            NewPosting(debit, Amount(units, "EUR")),
            NewPosting(credit, Amount(-units, "EUR")),
        ),
    )


def _own_transactions(year: int, slug: str) -> tuple[NewTransaction, ...]:
    """What sets one demo organisation apart: a vereniging's dues, a stichting's grant."""
    entry, bank = _entry, BANK
    own = {
        "groene-schakel": (
            entry(
                date(year, 3, 5),
                "Fondsbijdrage moestuin",
                "Oranje Fonds",
                "4500.00",
                bank,
                "Income:Funds:Grants",
                project="Moestuin",
            ),
            entry(
                date(year, 3, 20),
                "Zaden en gereedschap",
                "Tuincentrum",
                "312.40",
                "Expenses:Activities:Materials",
                bank,
                project="Moestuin",
            ),
            entry(
                date(year, 4, 2),
                "Vrijwilligersvergoeding maart",
                "Vrijwilligers",
                "180.00",
                "Expenses:Volunteers:Allowances",
                bank,
            ),
        ),
        "speeltuin-klimboom": (
            entry(
                date(year, 1, 31),
                "Contributies januari",
                "Leden",
                "860.00",
                bank,
                "Income:Members:Dues",
            ),
            entry(
                date(year, 3, 12),
                "Onderhoud klimtoestel",
                "Speelwerk B.V.",
                "1240.00",
                "Expenses:Housing:Maintenance",
                bank,
            ),
            entry(
                date(year, 4, 18),
                "Paasfeest entree",
                "Bezoekers",
                "214.50",
                bank,
                "Income:Activities:Fees",
            ),
        ),
        "bewoners-oosterpark": (
            entry(
                date(year, 2, 14),
                "Buurtbudget",
                "Gemeente Amsterdam",
                "2000.00",
                bank,
                "Income:Subsidies:Municipal",
            ),
            entry(
                date(year, 4, 27),
                "Koningsdag buurtfeest",
                "Partyverhuur",
                "645.00",
                "Expenses:Activities:Other",
                bank,
                project="Koningsdag",
            ),
        ),
    }
    return own.get(slug, ())


def _demo_transactions(year: int) -> tuple[NewTransaction, ...]:
    entry, bank = _entry, BANK
    return (
        entry(date(year, 1, 1), "Beginsaldo", "Bank", "2500.00", bank, "Equity:Opening-Balances"),
        entry(
            date(year, 1, 15),
            "Subsidie buurtactiviteiten",
            "Gemeente",
            "1200.00",
            bank,
            "Income:Subsidies:Municipal",
        ),
        entry(
            date(year, 2, 1),
            "Huur buurthuis",
            "Woonstichting",
            "350.00",
            "Expenses:Housing:Rent",
            bank,
        ),
        entry(
            date(year, 2, 10), "Gift", "Mevrouw de Vries", "75.50", bank, "Income:Donations:Gifts"
        ),
        entry(date(year, 2, 28), "Kosten bank", "Bank", "12.35", "Expenses:Bank:Fees", bank),
    )
