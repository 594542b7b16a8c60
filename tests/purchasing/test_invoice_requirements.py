"""The bureau's billing details are enforced on issue: refused whole, no number used, or issued."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from purchasing.invoices.documents import NewLine, credit_invoice, issue_invoice
from purchasing.invoices.requirements import (
    CustomerDetailsIncomplete,
    MembersDetailsIncomplete,
    SupplierDetailsIncomplete,
)
from purchasing.models import (
    Cadence,
    Invoice,
    InvoiceCounter,
    InvoiceRun,
    LineKind,
    RunItem,
    RunKind,
)
from purchasing.plans import NewPlan, create_plan, subscribe
from purchasing.proration import Period
from purchasing.runs.membership import membership_invoices
from purchasing.runs.runs import start_run
from tests.purchasing import billing
from tests.purchasing.billing import EXEMPT, give_billing_details, give_member_details, make_member
from tests.purchasing.test_invoices import fee_invoice
from workers.purchasing_jobs import execute_run

D = Decimal
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
member = billing.member
ADVICE = NewLine(LineKind.FEE, "Advies", D("100.00"), vat_percent=D(21))


def last_number(session: Session) -> int:
    session.expire_all()
    found = session.scalar(
        select(InvoiceCounter.last_number).where(
            InvoiceCounter.series == "F", InvoiceCounter.year == 2026
        )
    )
    return int(found or 0)


def invoices_from(session: Session, bureau_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Invoice).where(Invoice.supplier_id == bureau_id)
        )
        or 0
    )


def test_an_invoice_from_a_bureau_without_its_address_is_refused_and_takes_no_number(
    session, bureau, member
):
    give_billing_details(session, bureau.id, address="", postcode=" ")
    before = last_number(session)
    with pytest.raises(SupplierDetailsIncomplete) as refused:
        issue_invoice(session, fee_invoice(bureau.id, member.id))
    session.rollback()
    assert refused.value.missing == ("address", "postcode")
    assert "ontbreekt adres, postcode" in str(refused.value)
    assert "Factuurgegevens" in str(refused.value) and "/bureau/billing" in str(refused.value)
    assert invoices_from(session, bureau.id) == 0
    assert last_number(session) == before

    give_billing_details(session, bureau.id)
    invoice = session.get_one(Invoice, issue_invoice(session, fee_invoice(bureau.id, member.id)))
    assert invoice.sequence == before + 1  # the refusal left no gap behind
    assert invoice.supplier["address"] == "Marktstraat 1"


def test_a_bureau_without_a_kvk_number_or_city_cannot_invoice_even_vat_exempt_fees(
    session, bureau, member
):
    give_billing_details(session, bureau.id, kvk_number=None, city="", vat_number=None)
    with pytest.raises(SupplierDetailsIncomplete) as refused:
        issue_invoice(session, fee_invoice(bureau.id, member.id))
    session.rollback()
    assert refused.value.missing == ("city", "kvk_number")
    assert invoices_from(session, bureau.id) == 0


def test_a_line_with_vat_needs_the_bureaus_vat_number_and_an_exempt_one_does_not(
    session, bureau, member
):
    give_billing_details(session, bureau.id, vat_number=None)
    before = last_number(session)
    with pytest.raises(SupplierDetailsIncomplete) as refused:
        issue_invoice(session, fee_invoice(bureau.id, member.id, lines=[ADVICE]))
    session.rollback()
    assert refused.value.missing == ("vat_number",)
    assert "ontbreekt btw-nummer" in str(refused.value)
    assert last_number(session) == before

    exempt = session.get_one(Invoice, issue_invoice(session, fee_invoice(bureau.id, member.id)))
    assert exempt.supplier["vat_number"] is None and exempt.vat_total == 0


def test_a_bureau_with_every_detail_issues_a_taxed_invoice_showing_them(session, bureau, member):
    invoice_id = issue_invoice(session, fee_invoice(bureau.id, member.id, lines=[ADVICE]))
    invoice = session.get_one(Invoice, invoice_id)
    supplier = invoice.supplier
    assert (supplier["address"], supplier["postcode"], supplier["city"]) == (
        "Marktstraat 1",
        "1234 AB",
        "Utrecht",
    )
    assert (supplier["kvk_number"], supplier["vat_number"]) == ("87654321", "NL000099998B57")
    assert invoice.vat_total == D("21.00")


def test_a_member_without_an_address_is_refused_and_takes_no_number(session, bureau, make_org):
    newcomer = make_org(name="Bewonersinitiatief Zuid")  # no billing details at all yet
    before = last_number(session)
    with pytest.raises(CustomerDetailsIncomplete) as refused:
        issue_invoice(session, fee_invoice(bureau.id, newcomer.id))
    session.rollback()
    assert refused.value.missing == ("address", "postcode", "city")
    text = str(refused.value)
    assert "Bewonersinitiatief Zuid" in text and "ontbreekt adres, postcode, plaats" in text
    assert "Factuurgegevens van het servicebureau (/bureau/billing)" in text
    assert (invoices_from(session, bureau.id), last_number(session)) == (0, before)

    give_member_details(session, newcomer.id, name="Bewonersinitiatief Zuid", city=" ")
    with pytest.raises(CustomerDetailsIncomplete, match="ontbreekt plaats"):
        issue_invoice(session, fee_invoice(bureau.id, newcomer.id))
    session.rollback()

    give_member_details(session, newcomer.id, name="Bewonersinitiatief Zuid")
    invoice = session.get_one(Invoice, issue_invoice(session, fee_invoice(bureau.id, newcomer.id)))
    assert invoice.sequence == before + 1  # the refusals left no gap behind
    customer = invoice.customer
    assert (customer["name"], customer["address"], customer["postcode"], customer["city"]) == (
        "Bewonersinitiatief Zuid",
        "Lindelaan 4",
        "3701 AA",
        "Zeist",
    )


def test_a_credit_note_to_a_member_that_since_lost_its_address_keeps_the_invoices_details(
    session, bureau, member
):
    invoice_id = issue_invoice(session, fee_invoice(bureau.id, member.id))
    give_member_details(session, member.id, address="", postcode="", city="")
    note = session.get_one(Invoice, credit_invoice(session, invoice_id, date(2026, 4, 1), "Dubbel"))
    assert note.customer["address"] == "Lindelaan 4"


@pytest.fixture
def plan(session, bureau, member):
    plan_id = create_plan(
        session,
        NewPlan(
            bureau_id=bureau.id,
            name=f"Lidmaatschap {bureau.slug}",
            cadence=Cadence.YEARLY,
            tiers=[(D(0), D("120.00"))],
            vat_exemption=EXEMPT,
        ),
    )
    subscribe(session, plan_id, member.id, D(3), date(2025, 1, 1))
    session.commit()
    return plan_id


def test_a_membership_run_of_a_bureau_without_details_does_not_start(session, bureau, plan):
    give_billing_details(session, bureau.id, kvk_number=None)
    with pytest.raises(SupplierDetailsIncomplete, match="KvK-nummer"):
        start_run(session, RunKind.MEMBERSHIP, plan, YEAR, date(2026, 1, 5))
    session.rollback()
    assert session.scalar(select(InvoiceRun.id).where(InvoiceRun.plan_id == plan)) is None


def test_a_run_whose_bureau_lost_its_details_fails_whole_with_the_reason_on_the_run(
    engine, session, bureau, plan
):
    run_id = start_run(session, RunKind.MEMBERSHIP, plan, YEAR, date(2026, 1, 5))
    give_billing_details(session, bureau.id, address="")
    before = last_number(session)
    with pytest.raises(SupplierDetailsIncomplete):
        session.commit()
        execute_run(engine, run_id, membership_invoices)
    session.expire_all()
    run = session.get_one(InvoiceRun, run_id)
    assert run.status == "failed" and "ontbreekt adres" in (run.error or "")
    assert session.scalar(select(func.count()).where(RunItem.run_id == run_id)) == 0
    assert (invoices_from(session, bureau.id), last_number(session)) == (0, before)

    give_billing_details(session, bureau.id)
    session.commit()
    result = execute_run(engine, run_id, membership_invoices)
    assert (result.made_now, result.invoiced) == (1, 1)


def test_a_membership_run_with_members_lacking_an_address_does_not_start_and_names_them(
    engine, session, bureau, plan, make_org
):
    bare = [make_org(name="Speeltuin Oost"), make_org(name="Buurtmoestuin")]
    for organisation in bare:
        subscribe(session, plan, organisation.id, D(1), date(2025, 1, 1))
    session.commit()
    before = last_number(session)
    with pytest.raises(MembersDetailsIncomplete) as refused:
        start_run(session, RunKind.MEMBERSHIP, plan, YEAR, date(2026, 1, 5))
    session.rollback()
    assert refused.value.names == ("Buurtmoestuin", "Speeltuin Oost")
    assert "Buurtmoestuin, Speeltuin Oost" in str(refused.value)
    assert "Stichting De Linde" not in str(refused.value)
    assert "/bureau/billing" in str(refused.value)
    assert session.scalar(select(InvoiceRun.id).where(InvoiceRun.plan_id == plan)) is None
    assert (invoices_from(session, bureau.id), last_number(session)) == (0, before)

    for organisation in bare:
        give_member_details(session, organisation.id, name=organisation.name)
    run_id = start_run(session, RunKind.MEMBERSHIP, plan, YEAR, date(2026, 1, 5))
    session.commit()
    result = execute_run(engine, run_id, membership_invoices)
    assert (result.made_now, result.invoiced) == (3, 3)


def test_a_run_whose_member_lost_its_address_fails_whole_naming_it_and_issues_nothing(
    engine, session, bureau, plan, make_org
):
    other = make_member(make_org, session, name="Speeltuin Oost")
    subscribe(session, plan, other.id, D(1), date(2025, 1, 1))
    run_id = start_run(session, RunKind.MEMBERSHIP, plan, YEAR, date(2026, 1, 5))
    give_member_details(session, other.id, name="Speeltuin Oost", postcode="")
    before = last_number(session)
    with pytest.raises(MembersDetailsIncomplete, match="Speeltuin Oost"):
        session.commit()
        execute_run(engine, run_id, membership_invoices)
    session.expire_all()
    run = session.get_one(InvoiceRun, run_id)
    assert run.status == "failed" and "Speeltuin Oost" in (run.error or "")
    assert session.scalar(select(func.count()).where(RunItem.run_id == run_id)) == 0
    assert (invoices_from(session, bureau.id), last_number(session)) == (0, before)

    give_member_details(session, other.id, name="Speeltuin Oost")
    session.commit()
    result = execute_run(engine, run_id, membership_invoices)
    assert (result.made_now, result.invoiced) == (2, 2)


def test_a_premium_run_of_a_bureau_without_details_does_not_start(session, bureau, make_pool):
    pool_id = make_pool()
    give_billing_details(session, bureau.id, city="")
    with pytest.raises(SupplierDetailsIncomplete, match="plaats"):
        start_run(session, RunKind.PREMIUM, pool_id, YEAR, date(2026, 1, 5))
    session.rollback()
    assert session.scalar(select(InvoiceRun.id).where(InvoiceRun.pool_id == pool_id)) is None
