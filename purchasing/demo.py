"""The bureau's side of the demo: an insurer, a collective AVB with a pool, fees with invoices.

So that a first look at the bureau pages shows the work they are for: a policy whose pool has
members, a membership plan everyone is on, and this year's fee invoices of which one is paid
and one is overdue. Filled through the same services the bureau's pages use; never commits
(the caller's unit of work does). Idempotent: an instance that has the demo insurer is left
as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.invoices.documents import NewInvoice, NewLine, issue_invoice
from purchasing.invoices.payments import record_payment
from purchasing.models import (
    Cadence,
    Insurer,
    InvoicePurpose,
    LineKind,
    PaymentMethod,
    PremiumTaxRate,
    PremiumTaxTreatment,
)
from purchasing.plans import NewPlan, create_plan, subscribe
from purchasing.policies import NewPolicy, add_insurer, add_policy, set_line_treatment, set_tax_rate
from purchasing.pools import join, open_pool
from purchasing.premium_tax import Treatment
from purchasing.rating import Basis, Exposure, Line
from tenants.models import Organisation
from tenants.queries import organisation_by_slug

INSURER = "Collectief Verzekerd N.V."
FEE_EXEMPTION = "Vrijgesteld van btw (art. 11 lid 1 onder f Wet OB 1968)"
BUREAU = "buurtbureau"


@dataclass(frozen=True, slots=True)
class DemoMember:
    """A member organisation of the demo: its size on the plan and its employees in the AVB."""

    slug: str
    volunteers: int
    employees: int | None  # None: not in the AVB pool


MEMBERS = (
    DemoMember("groene-schakel", volunteers=24, employees=3),
    DemoMember("speeltuin-klimboom", volunteers=8, employees=1),
    DemoMember("bewoners-oosterpark", volunteers=5, employees=None),
)
FEE_TIERS = ((Decimal(0), Decimal("120.00")), (Decimal(10), Decimal("240.00")))


def fill_bureau_demo(session: Session, today: date) -> bool:
    """Fill the bureau's side for the year of ``today``; False when it was there already."""
    bureau = organisation_by_slug(session, BUREAU)
    if bureau is None or session.scalar(select(Insurer.id).where(Insurer.name == INSURER)):
        return False
    year_start = date(today.year, 1, 1)
    _premium_tax(session, year_start)
    members = {m.slug: organisation_by_slug(session, m.slug) for m in MEMBERS}
    _collective_avb(session, bureau.id, year_start, members)
    _fees(session, bureau.id, year_start, today, members)
    return True


def _premium_tax(session: Session, year_start: date) -> None:
    if not session.scalar(select(PremiumTaxRate.id).where(PremiumTaxRate.valid_from <= year_start)):
        set_tax_rate(session, year_start, Decimal("21.00"), "Assurantiebelasting")
    if not session.scalar(
        select(PremiumTaxTreatment.id).where(PremiumTaxTreatment.line == Line.AVB.value)
    ):
        set_line_treatment(session, Line.AVB, year_start, Treatment.TAXED)


def _collective_avb(
    session: Session, bureau_id: int, year_start: date, members: dict[str, Organisation | None]
) -> None:
    insurer_id = add_insurer(session, INSURER, "90000010")
    policy_id = add_policy(
        session,
        NewPolicy(
            insurer_id=insurer_id,
            policyholder_id=bureau_id,
            line=Line.AVB,
            name=f"Collectieve AVB {year_start.year}",
            starts_on=year_start,
            ends_on=date(year_start.year, 12, 31),
            basis=Basis.PER_EMPLOYEE,
            tiers=[(Decimal(0), Decimal("120.00")), (Decimal(10), Decimal("100.00"))],
            annual_costs=Decimal("36.50"),
            policy_number=f"AVB-{year_start.year}-001",
        ),
    )
    pool_id = open_pool(
        session,
        policy_id,
        f"AVB {year_start.year}",
        minimum_members=2,
        enrolment_opens_on=year_start,
    )
    for member in MEMBERS:
        organisation = members[member.slug]
        if member.employees is not None and organisation is not None:
            join(
                session,
                pool_id,
                organisation.id,
                Exposure(employees=Decimal(member.employees)),
                year_start,
            )


def _fees(
    session: Session,
    bureau_id: int,
    year_start: date,
    today: date,
    members: dict[str, Organisation | None],
) -> None:
    plan_id = create_plan(
        session,
        NewPlan(
            bureau_id=bureau_id,
            name=f"Lidmaatschap {year_start.year}",
            cadence=Cadence.YEARLY,
            tiers=FEE_TIERS,
            size_label="vrijwilligers",
            vat_exemption=FEE_EXEMPTION,
        ),
    )
    issued_on = max(year_start, today - timedelta(days=60))
    for number, member in enumerate(MEMBERS):
        organisation = members[member.slug]
        if organisation is None:
            continue
        subscribe(session, plan_id, organisation.id, Decimal(member.volunteers), year_start)
        invoice_id = issue_invoice(
            session,
            NewInvoice(
                supplier_id=bureau_id,
                customer_id=organisation.id,
                purpose=InvoicePurpose.MEMBERSHIP_FEE,
                issued_on=issued_on,
                supply_from=year_start,
                supply_until=date(year_start.year, 12, 31),
                lines=[
                    NewLine(
                        LineKind.FEE,
                        f"Contributie {year_start.year}",
                        _fee(member.volunteers),
                        vat_exemption=FEE_EXEMPTION,
                    )
                ],
            ),
        )
        if number == 0:  # the first member paid by transfer; the others are open or overdue
            record_payment(
                session,
                invoice_id,
                _fee(member.volunteers),
                issued_on + timedelta(days=10),
                PaymentMethod.BANK_TRANSFER,
                "demo-transfer",
            )


def _fee(volunteers: int) -> Decimal:
    return max(fee for threshold, fee in FEE_TIERS if volunteers >= threshold)
