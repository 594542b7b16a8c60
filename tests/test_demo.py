"""The demo content of ``servicebureau serve --demo``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.demo import install_demo
from ledger.balances import balances_on
from ledger.clock import today
from purchasing.invoices.demo import fill_demo_billing
from purchasing.invoices.documents import NewInvoice, NewLine, issue_invoice
from purchasing.invoices.parties import party_of, set_billing_details
from purchasing.invoices.requirements import missing_of_customer, missing_of_supplier
from purchasing.models import Invoice, InvoicePurpose, LineKind
from tenants.binding import bind_session
from tenants.demo import ORGANISATIONS, fill_demo_books
from tenants.provisioning import provision_organisation
from tenants.unit_of_work import unit_of_work


def test_demo_books_are_posted_through_the_ledger_and_balance(engine, make_org):
    org = make_org()
    with unit_of_work(engine, org.id) as books:
        fill_demo_books(books)
    with Session(engine) as books:
        bind_session(books, org.tenant)
        balances = balances_on(books, today().replace(month=12, day=31))
    assert balances["Assets:Bank:Checking"] == {"EUR": Decimal("3413.15")}
    assert balances["Expenses:Housing:Rent"] == {"EUR": Decimal("350.00")}
    assert sum(sum(amounts.values()) for amounts in balances.values()) == 0


def test_the_demo_leaves_an_instance_with_organisations_of_its_own_alone(engine, make_org):
    make_org()
    assert install_demo(engine) == [
        "demo: skipped, this instance already has organisations of its own"
    ]


def test_the_demo_bureau_and_members_get_the_billing_details_an_invoice_needs(session):
    ids = {new.slug: provision_organisation(session, new).organisation_id for new in ORGANISATIONS}
    assert fill_demo_billing(session) == len(ORGANISATIONS)
    bureau = ids.pop("buurtbureau")
    assert missing_of_supplier(party_of(session, bureau), has_vat=True) == []
    assert all(missing_of_customer(party_of(session, id_)) == [] for id_ in ids.values())
    taxed = NewInvoice(
        supplier_id=bureau,
        customer_id=ids["groene-schakel"],
        purpose=InvoicePurpose.MEMBERSHIP_FEE,
        issued_on=date(2026, 3, 1),
        supply_from=date(2026, 3, 1),
        supply_until=date(2026, 3, 31),
        lines=[NewLine(LineKind.FEE, "Advies", Decimal("50.00"), vat_percent=Decimal(21))],
    )
    invoice = session.get_one(Invoice, issue_invoice(session, taxed))
    assert invoice.supplier["vat_number"] == "NL859000102B01"
    assert invoice.customer["address"] == "Linnaeusstraat 12"

    edited = replace(party_of(session, bureau), city="Amstelveen")
    set_billing_details(session, bureau, edited)
    assert fill_demo_billing(session) == 0  # what someone entered since is left alone
    assert party_of(session, bureau).city == "Amstelveen"
