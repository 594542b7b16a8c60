"""A populated bureau and member organisation, with real ids for every page that takes one.

Shared by the crawls that read every page (formats, accessibility): books with transactions, a
reversal and an audit trail, an imported bank statement with a rule, budget, a closed
validation, a collective insurance pool the member joined, a queued premium run, fee and
premium invoices, a membership plan and an invoice run.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.books.params import today
from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.bank.models import BankAccount
from ledger.bank.rules import RuleSpec, add_rule
from ledger.models import Transaction
from ledger.transactions import reverse_transaction
from purchasing.models import Cadence, RunKind
from purchasing.plans import NewPlan, create_plan, subscribe
from purchasing.policies import NewPolicy, add_insurer, add_policy
from purchasing.pools import join, open_pool
from purchasing.proration import Period
from purchasing.rating import Basis, Exposure, Line, TierMeasure
from purchasing.runs.runs import start_run
from tenants.binding import TenantRef, bind_session
from tenants.demo import fill_demo_books
from tenants.models import User
from tenants.people import add_member, create_user
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.roles import Role
from tests.bank.conftest import statement_file
from tests.conftest import PASSWORD, SECOND_FACTORS, SecondFactorKeys, set_up_second_factor
from tests.purchasing.billing import (
    EXEMPT,
    fee_invoice,
    give_billing_details,
    give_member_details,
    premium_invoice,
)

D = Decimal
PERSONAS = ("owner", "bookkeeper", "viewer", "bureau")


@dataclass(frozen=True)
class Populated:
    """Slugs, the e-mail of each persona and the ids the URL map's arguments take."""

    member_slug: str
    bureau_slug: str
    emails: dict[str, str]
    arguments: dict[str, str] = field(default_factory=dict)


# The second factor of each populated person who has one, by e-mail address (browser logins).
SECOND_FACTOR_OF: dict[str, SecondFactorKeys] = {}


def populate(engine: Engine) -> Populated:
    suffix = secrets.token_hex(3)
    with Session(engine) as session:
        bureau = provision_organisation(
            session, NewOrganisation(f"bureau-{suffix}", "Servicebureau Test", is_bureau=True)
        )
        member = provision_organisation(
            session,
            NewOrganisation(f"lid-{suffix}", "Stichting De Linde"),
            books_open_on=date(2020, 1, 1),
        )
        give_billing_details(session, bureau.organisation_id)
        give_member_details(session, member.organisation_id, email="lid@example.org")
        session.commit()
        emails = _people(session, member.organisation_id, bureau.organisation_id, suffix)
        owner_id = session.scalar(select(User.id).where(User.email == emails["owner"]))
        assert owner_id is not None
        arguments = _books(engine, member, owner_id)
        arguments.update(_bureau(session, bureau.organisation_id, member.organisation_id))
        session.commit()
    arguments["slug"] = f"bureau-{suffix}"
    return Populated(f"lid-{suffix}", f"bureau-{suffix}", emails, arguments)


def person_of(engine: Engine, email: str) -> SimpleNamespace:
    """The id and e-mail address ``tests.conftest.login`` needs to log this person in."""
    with Session(engine) as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
    return SimpleNamespace(id=user_id, email=email)


def _people(session: Session, member_id: int, bureau_id: int, suffix: str) -> dict[str, str]:
    emails = {}
    roles = {"owner": Role.OWNER, "bookkeeper": Role.BOOKKEEPER, "viewer": Role.VIEWER}
    for persona in PERSONAS:
        email = f"{persona}-{suffix}@example.org"
        user = create_user(
            session, email, PASSWORD, name=persona.title(), is_bureau_admin=persona == "bureau"
        )
        add_member(session, user.id, bureau_id if persona == "bureau" else member_id,
                   roles.get(persona, Role.OWNER))  # fmt: skip
        if persona == "bureau":  # bureau staff log in with a second factor
            SECOND_FACTORS[user.id] = set_up_second_factor(session, user.id)
            SECOND_FACTOR_OF[email] = SECOND_FACTORS[user.id]
        emails[persona] = email
    session.commit()
    return emails


def _books(engine: Engine, member: TenantRef, actor_id: int) -> dict[str, str]:
    with Session(engine) as session:
        bind_session(session, member)
        fill_demo_books(session, today())
        add_bank_account(session, "NL20INGB0001234567", actor_id)
        session.commit()
        bind_session(session, member)
        import_statement(session, statement_file("ing.camt053.xml"), actor_id)
        bind_session(session, member)
        rule_id = add_rule(
            session,
            RuleSpec(contra_account="Expenses:Housing:Rent", description_contains="huur"),
            actor_id,
        )
        session.commit()
        bind_session(session, member)
        first = session.scalars(select(Transaction.id).order_by(Transaction.id)).first()
        assert first is not None
        reverse_transaction(session, first, actor_id, on=today())
        session.commit()
        bind_session(session, member)
        bank_account = session.scalars(select(BankAccount.id)).one()
        return {
            "transaction_id": str(first),
            "bank_account_id": str(bank_account),
            "rule_id": str(rule_id),
            "account": "Assets:Bank:Checking",
            "kind": "expense",
        }


def _bureau(session: Session, bureau_id: int, member_id: int) -> dict[str, str]:
    year = today().year
    insurer = add_insurer(session, f"Verzekeraar {secrets.token_hex(3)}")
    policy = add_policy(
        session,
        NewPolicy(
            insurer_id=insurer,
            policyholder_id=bureau_id,
            line=Line.AVB,
            name="Collectieve AVB",
            starts_on=date(year, 1, 1),
            ends_on=date(year, 12, 31),
            basis=Basis.PER_EMPLOYEE,
            tiers=[(D(0), D("100.50")), (D(2), D(80))],
            tier_measure=TierMeasure.MEMBERS,
        ),
    )
    pool = open_pool(session, policy, "AVB-pool", 1, date(year, 1, 1))
    enrolment = join(session, pool, member_id, Exposure(employees=D(3)), date(year, 1, 1))
    premium_run = start_run(
        session, RunKind.PREMIUM, pool, Period(date(year, 1, 1), date(year, 3, 31)),
        date(year, 1, 1),
    )  # fmt: skip
    fee = fee_invoice(bureau_id, member_id, "1234.50", session=session)
    premium = premium_invoice(session, bureau_id, member_id)
    plan = create_plan(
        session,
        NewPlan(
            bureau_id=bureau_id,
            name=f"Contributie {bureau_id}",
            cadence=Cadence.YEARLY,
            tiers=[(D(0), D("120.00"))],
            vat_exemption=EXEMPT,
        ),
    )
    subscribe(session, plan, member_id, D(3), date(2025, 1, 1))
    create_plan(
        session,
        NewPlan(bureau_id=bureau_id, name=f"Advies {bureau_id}", cadence=Cadence.QUARTERLY,
                tiers=[(D(0), D("99.95"))], vat_percent=D("21.00")),
    )  # fmt: skip
    fee_run = start_run(
        session, RunKind.MEMBERSHIP, plan, Period(date(2027, 1, 1), date(2027, 12, 31)),
        date(2026, 12, 1),
    )  # fmt: skip
    session.commit()
    return {
        "policy_id": str(policy),
        "pool_id": str(pool),
        "enrolment_id": str(enrolment),
        "invoice_id": str(fee),
        "premium_invoice_id": str(premium),
        "plan_id": str(plan),
        "run_id": str(fee_run),
        "premium_run_id": str(premium_run),
        "organisation_id": str(member_id),
    }
