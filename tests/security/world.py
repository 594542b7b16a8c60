"""Two organisations with books, bank lines and rules, and a person for every role.

Organisation B's texts carry a marker that must never appear in an answer given to anyone of
organisation A, whatever ids they put in A's addresses.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.bank.rules import RuleSpec, add_rule
from ledger.importer import import_book
from tenants.binding import TenantRef, bind_session
from tenants.models import User
from tenants.people import add_member, create_user
from tenants.provisioning import NewOrganisation, provision_organisation
from tenants.roles import Role
from tests.bank.conftest import statement_file
from tests.conftest import PASSWORD, SECOND_FACTORS, set_up_second_factor

ING = "NL20INGB0001234567"
BOOK = """
2024-01-01 open Assets:Bank EUR
2024-01-01 open Income:Gifts EUR
2024-01-01 open Expenses:Rent EUR

2024-02-01 * "{marker} gever" "{marker} gift"
  Assets:Bank 100.00 EUR
  Income:Gifts -100.00 EUR

2024-02-02 * "{marker} verhuurder" "{marker} huur"
  Expenses:Rent 12.50 EUR
  Assets:Bank -12.50 EUR
"""
ROLES = ("owner", "bookkeeper", "viewer", "staff", "foreign", "anonymous")


@dataclass
class Organisation:
    slug: str
    tenant: TenantRef
    marker: str
    # Real ids of this organisation's objects, by the name of the path part that takes them.
    ids: dict[str, int] = field(default_factory=dict)


@dataclass
class World:
    home: Organisation
    other: Organisation
    emails: dict[str, str]


def make_world(engine: Engine) -> World:
    home, other = _organisation(engine, "thuis"), _organisation(engine, "vreemd")
    emails = {
        "owner": _person(engine, home, Role.OWNER),
        "bookkeeper": _person(engine, home, Role.BOOKKEEPER),
        "viewer": _person(engine, home, Role.VIEWER),
        "staff": _person(engine, None, None, is_bureau_admin=True),
        "foreign": _person(engine, other, Role.OWNER),
    }
    other.ids["user_id"] = user_id_of(engine, emails["foreign"])
    # A person who is no member: removing or re-rolling them is refused, whatever the role.
    home.ids["user_id"] = user_id_of(engine, emails["staff"])
    return World(home, other, emails)


def _organisation(engine: Engine, word: str) -> Organisation:
    slug = f"{word}-{secrets.token_hex(3)}"
    marker = f"MERK{secrets.token_hex(6).upper()}"
    with Session(engine) as session:
        tenant = provision_organisation(session, NewOrganisation(slug=slug, name=slug.title()))
    with Session(engine) as session:
        bind_session(session, tenant)
        import_book(session, BOOK.format(marker=marker), actor_id=None)
        session.commit()  # the test is the unit of work
    with Session(engine) as session:
        bind_session(session, tenant)
        add_bank_account(session, ING, None, account="Assets:Bank")
        import_statement(session, statement_file("ing.camt053.xml"), None)
        session.commit()
    with Session(engine) as session:
        bind_session(session, tenant)
        add_rule(session, RuleSpec("Income:Gifts", counterparty_name=marker), None)
        session.commit()
    organisation = Organisation(slug, tenant, marker)
    organisation.ids = _first_ids(engine, tenant)
    return organisation


def _first_ids(engine: Engine, tenant: TenantRef) -> dict[str, int]:
    tables = {
        "transaction_id": "transactions",
        "document_id": "documents",
        "rule_id": "bank_rules",
        "line_id": "bank_lines",
        "bank_account_id": "bank_accounts",
        "period_id": "accounting_periods",
    }
    found = {}
    with Session(engine) as session:
        bind_session(session, tenant)
        for name, table in tables.items():
            value = session.scalar(text(f"SELECT min(id) FROM {table}"))
            if value is not None:
                found[name] = int(value)
    return found


def _person(
    engine: Engine, org: Organisation | None, role: Role | None, *, is_bureau_admin: bool = False
) -> str:
    email = f"p{secrets.token_hex(4)}@example.org"
    with Session(engine) as session:
        user = create_user(session, email, PASSWORD, is_bureau_admin=is_bureau_admin)
        if org is not None and role is not None:
            add_member(session, user.id, org.tenant.organisation_id, role)
        if is_bureau_admin:  # staff without one are sent to set it up from every page
            SECOND_FACTORS[user.id] = set_up_second_factor(session, user.id)
        session.commit()
    return email


def user_id_of(engine: Engine, email: str) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(User.id).where(User.email == email)) or 0)
