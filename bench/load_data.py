"""The instance the load benchmark drives: a bureau and 100 organisations of mixed size.

Each organisation's books are generated (``bench.ledger_data``) and loaded with
``ledger.importer.import_book``; each gets billing details, a few invoices from the bureau and a
bank statement waiting in its inbox. People: an owner per organisation, a bookkeeper and a viewer
for the twenty largest, and bureau staff. Everything is committed here, at this boundary.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pyotp
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bench.ledger_data import beancount_text, generate
from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.importer import import_book
from ledger.models import Transaction
from purchasing.invoices.documents import NewInvoice, NewLine, issue_invoice
from purchasing.invoices.parties import Party, set_billing_details
from purchasing.models import InvoicePurpose, LineKind
from tenants.binding import TenantRef, bind_session
from tenants.people import add_member, create_user
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.roles import Role
from tenants.second_factor import enable_with_secret
from tests.bank.builders import camt_statement

PASSWORD = "bench horse battery staple"  # noqa: S105 (throw-away users in a scratch database)
# 1 × 10,000, 4 × 2,000, 15 × 500 and 80 × 100 transactions: 33,500 in all.
SIZES = (10_000,) * 1 + (2_000,) * 4 + (500,) * 15 + (100,) * 80
STAFFED = 20  # the largest organisations also have a bookkeeper and a viewer
BUREAU_STAFF = 3
INVOICES = 3
BANK_LINES = 20
IBAN = "NL20INGB0001234567"
BUREAU_PARTY = Party(
    name="Servicebureau Bench U.A.",
    address="Wijkplein 1",
    postcode="1091 AB",
    city="Amsterdam",
    kvk_number="90000001",
    vat_number="NL859000102B01",
    iban="NL91ABNA0417164300",
    email="facturen@bench.example",
)


@dataclass(frozen=True)
class Organisation:
    """One member organisation as the requests need it."""

    slug: str
    size: int
    cursor: str  # a journal page key halfway into the history
    invoice_ids: tuple[int, ...]


@dataclass(frozen=True)
class Person:
    """A login: its role and the organisation it works in (none for bureau staff)."""

    email: str
    role: str  # owner, bookkeeper, viewer or staff
    organisation: Organisation | None
    second_factor: str | None = None  # the TOTP secret bureau staff log in with


@dataclass(frozen=True)
class Population:
    organisations: tuple[Organisation, ...]
    people: tuple[Person, ...]
    transactions: int
    seconds: float


def populate(engine: Engine, sizes: Sequence[int] = SIZES) -> Population:
    """Provision, import and staff every organisation; returns who and what the load uses."""
    started = time.perf_counter()
    bureau_id = _bureau(engine)
    organisations: list[Organisation] = []
    people: list[Person] = []
    for index, size in enumerate(sizes):
        organisation, members = _member(engine, bureau_id, index, size)
        organisations.append(organisation)
        people += members
        if index % 10 == 9:
            print(f"load: {index + 1} organisations ready", flush=True)
    people += [_staff(engine, bureau_id, number) for number in range(BUREAU_STAFF)]
    seconds = time.perf_counter() - started
    return Population(tuple(organisations), tuple(people), sum(sizes), seconds)


def _bureau(engine: Engine) -> int:
    with Session(engine) as session:
        tenant = provision_organisation(
            session, NewOrganisation(slug="bench-bureau", name="Bench bureau", is_bureau=True)
        )
        set_billing_details(session, tenant.organisation_id, BUREAU_PARTY, payment_days=14)
        session.commit()
        return tenant.organisation_id


def _staff(engine: Engine, bureau_id: int, number: int) -> Person:
    """Bureau staff, with the second factor they must have (a TOTP secret made here)."""
    email = f"staff-{number}@bench.example"
    secret = pyotp.random_base32()
    with Session(engine) as session:
        user = create_user(session, email, PASSWORD, name=f"Staff {number}", is_bureau_admin=True)
        add_member(session, user.id, bureau_id, Role.OWNER)
        enable_with_secret(session, user.id, secret, datetime.now(UTC))
        session.commit()
    return Person(email, "staff", None, second_factor=secret)


def _member(
    engine: Engine, bureau_id: int, index: int, size: int
) -> tuple[Organisation, list[Person]]:
    slug = f"org-{index:03d}"
    with Session(engine) as session:
        tenant = provision_organisation(
            session, NewOrganisation(slug=slug, name=f"Stichting Bench {index:03d}")
        )
        set_billing_details(session, tenant.organisation_id, _party(index), payment_days=14)
        session.commit()
    roles = ["owner", *(("bookkeeper", "viewer") if index < STAFFED else ())]
    people = [_person(engine, tenant, slug, role) for role in roles]
    owner_id = people[0][1]
    cursor = _load_books(engine, tenant, owner_id, index, size)
    invoice_ids = _invoices(engine, bureau_id, tenant.organisation_id)
    organisation = Organisation(slug, size, cursor, invoice_ids)
    return organisation, [Person(p.email, p.role, organisation) for p, _id in people]


def _party(index: int) -> Party:
    return Party(
        name=f"Stichting Bench {index:03d}",
        address=f"Buurtweg {index + 1}",
        postcode="3511 AB",
        city="Utrecht",
        email=f"org-{index:03d}@bench.example",
    )


def _person(engine: Engine, tenant: TenantRef, slug: str, role: str) -> tuple[Person, int]:
    email = f"{role}@{slug}.bench.example"
    with Session(engine) as session:
        user = create_user(session, email, PASSWORD, name=f"{role.title()} {slug}")
        user_id = user.id
        add_member(session, user_id, tenant.organisation_id, Role(role))
        session.commit()
    return Person(email, role, None), user_id


def _load_books(engine: Engine, tenant: TenantRef, owner_id: int, index: int, size: int) -> str:
    """Import generated books and a waiting bank statement; returns a mid-history page key."""
    text = beancount_text(generate(size, seed=2026 + index))
    with Session(engine) as session:
        bind_session(session, tenant)
        import_book(session, text, owner_id, source="bench")
        session.commit()
    with Session(engine) as session:
        bind_session(session, tenant)
        add_bank_account(session, IBAN, owner_id)
        import_statement(session, camt_statement(IBAN, BANK_LINES), owner_id, filename="bench")
        session.commit()
    with Session(engine) as session:
        bind_session(session, tenant)
        total = session.scalar(select(func.count()).select_from(Transaction)) or 0
        row = session.execute(
            select(Transaction.date, Transaction.id)
            .order_by(Transaction.date.desc(), Transaction.id.desc())
            .offset(total // 2)
            .limit(1)
        ).one()
        return f"{row.date.isoformat()}_{row.id}"


def _invoices(engine: Engine, bureau_id: int, customer_id: int) -> tuple[int, ...]:
    ids = []
    with Session(engine) as session:
        for month in range(1, INVOICES + 1):
            new = NewInvoice(
                supplier_id=bureau_id,
                customer_id=customer_id,
                purpose=InvoicePurpose.MEMBERSHIP_FEE,
                issued_on=date(2026, month, 1),
                supply_from=date(2026, month, 1),
                supply_until=date(2026, month, 28),
                lines=[
                    NewLine(LineKind.FEE, "Contributie", Decimal("45.00"), vat_percent=Decimal(21))
                ],
            )
            ids.append(issue_invoice(session, new))
            session.commit()
    return tuple(ids)
