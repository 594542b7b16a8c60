"""The demo content of ``servicebureau serve --demo``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.demo import install_demo
from ledger.balances import balances_on
from ledger.bank.importing import import_statement
from ledger.bank.inbox import Confirmation, confirm_lines, open_lines
from ledger.bank.reconciliation import reconciliations
from ledger.clock import today
from ledger.reports.periods import Period
from ledger.reports.projects import project_report
from ledger.validation import validate_book
from purchasing.demo_bank import DEMO_IBANS
from purchasing.invoices.demo import fill_demo_billing
from purchasing.invoices.documents import NewInvoice, NewLine, issue_invoice
from purchasing.invoices.parties import party_of, set_billing_details
from purchasing.invoices.payments import open_amount
from purchasing.invoices.requirements import missing_of_customer, missing_of_supplier
from purchasing.models import (
    Enrolment,
    Insurer,
    Invoice,
    InvoicePurpose,
    LineKind,
    MembershipPlan,
    Subscription,
)
from purchasing.sepa.payables import invoice_matcher
from tenants.binding import bind_session
from tenants.databases import connect_args, scratch_database
from tenants.demo import ORGANISATIONS, fill_demo_books
from tenants.migrations import upgrade_public
from tenants.provisioning import provision_organisation
from tenants.queries import organisation_by_slug
from tenants.unit_of_work import unit_of_work


def test_demo_books_are_posted_through_the_ledger_and_balance(engine, make_org):
    org = make_org()
    with unit_of_work(engine, org.id) as session:
        fill_demo_books(session, today())
    with Session(engine) as books:
        bind_session(books, org.tenant)
        balances = balances_on(books, today().replace(month=12, day=31))
    assert balances["Assets:Bank:Checking"] == {"EUR": Decimal("3413.15")}
    assert balances["Expenses:Housing:Rent"] == {"EUR": Decimal("350.00")}
    assert sum(sum(amounts.values()) for amounts in balances.values()) == 0


def test_the_demo_foundation_accounts_its_garden_grant_per_project(engine, make_org):
    org = make_org()
    with unit_of_work(engine, org.id) as session:
        fill_demo_books(session, today(), "groene-schakel")
    year = today().year
    with Session(engine) as books:
        bind_session(books, org.tenant)
        report = project_report(books, Period(date(year, 1, 1), date(year, 12, 31)))
    [garden] = report.projects
    assert garden.project == "Moestuin"
    assert garden.net_income == {"EUR": Decimal("-4187.60")}  # 4.500,00 in, 312,40 out


def test_the_demo_leaves_an_instance_with_organisations_of_its_own_alone(engine, make_org):
    make_org()
    assert install_demo(engine, date(2026, 12, 5)) == [
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


def import_and_book_everything(engine, organisation_id: int, path) -> int:
    """Import a demo statement as its member would and book every line as proposed."""
    with unit_of_work(engine, organisation_id) as books:
        result = import_statement(books, path.read_bytes(), None, filename=path.name)
        matcher = invoice_matcher(books, organisation_id, is_bureau=False)
        inbox = open_lines(books, invoices=matcher)
        assert inbox and all(item.proposal is not None for item in inbox), [
            item.line.description for item in inbox if item.proposal is None
        ]
        booked = confirm_lines(
            books,
            [Confirmation(i.line.id, i.proposal.account, i.proposal.narration) for i in inbox],
            None,
            invoices=matcher,
        )
        assert booked.refused == {}
        assert all(r.difference in (None, 0) and r.open_lines == 0 for r in reconciliations(books))
        assert findings_of(books) == []
        return result.imported


def findings_of(books) -> list[str]:
    return [finding.message for finding in validate_book(books)]


def test_the_demo_fills_both_sides_and_prints_the_roles_as_they_are(database_url, tmp_path):
    today = date(2026, 12, 5)
    with scratch_database(database_url) as url:
        engine = create_engine(url, connect_args=connect_args())
        try:
            upgrade_public(engine)
            lines = install_demo(engine, today, tmp_path)
            with Session(engine) as session:
                assert session.scalar(select(func.count()).select_from(Insurer)) == 1
                assert session.scalar(select(func.count()).select_from(Enrolment)) == 2
                plan = session.scalars(select(MembershipPlan)).one()
                assert plan.name == "Lidmaatschap 2026"
                assert session.scalar(select(func.count()).select_from(Subscription)) == 3
                invoices = session.scalars(select(Invoice).order_by(Invoice.id)).all()
                assert len(invoices) == 3
                open_amounts = [open_amount(session, invoice.id) for invoice in invoices]
                assert open_amounts[0] == 0 and all(amount > 0 for amount in open_amounts[1:])
                assert all(invoice.due_on < today for invoice in invoices[1:])  # overdue
            again = install_demo(engine, today, tmp_path)
            assert "  bureau@example.org           bureau admin, owner of buurtbureau" in lines
            assert "left as it is" in again[0]

            # Every member has a statement of the demo year to import; booked as the rules and
            # the invoices propose, the books agree with the bank and the overdue fees are paid.
            files = sorted(tmp_path.glob("*-2026.camt053.xml"))
            assert [path.name.split("-2026")[0] for path in files] == sorted(DEMO_IBANS)
            assert all(f"  {path.stem.split('-2026')[0]:<28} {path}" in lines for path in files)
            with Session(engine) as session:
                for path in files:
                    slug = path.name.split("-2026")[0]
                    organisation = organisation_by_slug(session, slug)
                    assert import_and_book_everything(engine, organisation.id, path) > 3
                session.expire_all()
                assert all(open_amount(session, invoice.id) == 0 for invoice in invoices)
        finally:
            engine.dispose()
