"""Factories shared by the billing suites: a bureau with billing details, a member, invoices."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from purchasing.invoices.documents import (
    PREMIUM_EXEMPTION,
    PREMIUM_TAX_NOTE,
    NewInvoice,
    NewLine,
    issue_invoice,
)
from purchasing.invoices.parties import Party, set_billing_details
from purchasing.models import Cadence, InvoicePurpose, LineKind
from purchasing.plans import NewPlan, create_plan
from purchasing.rating import Line

D = Decimal
EXEMPT = "Vrijgesteld van btw (art. 11 lid 1 onder f Wet OB 1968)"
BUREAU_IBAN = "NL91ABNA0417164300"
MEMBER_IBAN = "NL44RABO0123456789"


# Everything art. 35a Wet OB asks of the bureau on an invoice, VAT number included.
BUREAU_PARTY = Party(
    name="Stichting Servicebureau",
    address="Marktstraat 1",
    postcode="1234 AB",
    city="Utrecht",
    kvk_number="87654321",
    vat_number="NL000099998B57",
    iban=BUREAU_IBAN,
    email="facturen@servicebureau.example",
)


def give_billing_details(
    session: Session, bureau_id: int, payment_days: int | None = None, **fields: Any
) -> None:
    """Give the bureau complete billing details (``fields`` override ``BUREAU_PARTY``'s)."""
    set_billing_details(session, bureau_id, replace(BUREAU_PARTY, **fields), payment_days)
    session.commit()


def make_bureau(make_org: Any, session: Session, **options: Any) -> Any:
    """A bureau organisation that can issue invoices: its billing details are complete."""
    bureau = make_org(**{"name": "Servicebureau", "is_bureau": True, **options})
    give_billing_details(session, bureau.id)
    return bureau


# A member's address, which an invoice to it must show (art. 35a Wet OB); named per member.
MEMBER_PARTY = Party(
    name="Stichting De Linde",
    address="Lindelaan 4",
    postcode="3701 AA",
    city="Zeist",
    kvk_number="11223344",
)


def give_member_details(session: Session, organisation_id: int, **fields: Any) -> None:
    """Give a member the billing details an invoice to it needs (``fields`` override)."""
    set_billing_details(session, organisation_id, replace(MEMBER_PARTY, **fields))
    session.commit()


def make_member(make_org: Any, session: Session, **options: Any) -> Any:
    """A member organisation that can be invoiced: named as registered, with an address."""
    org = make_org(**options)
    give_member_details(session, org.id, name=org.name, kvk_number=None)
    return org


@pytest.fixture
def billed_bureau(session: Session, make_org: Any) -> Any:
    bureau = make_org(name="Servicebureau", is_bureau=True)
    give_billing_details(session, bureau.id, payment_days=30)
    return bureau


@pytest.fixture
def member(session: Session, make_org: Any) -> Any:
    org = make_org(name="Buurthuis De Linde")
    give_member_details(session, org.id, email=f"penningmeester-{org.id}@delinde.example")
    return org


def fee_invoice(supplier_id: int, customer_id: int, amount: str = "240.00", **fields: Any) -> int:
    """Issue a membership-fee invoice (VAT-exempt) and return its id."""
    values: dict[str, Any] = {
        "supplier_id": supplier_id,
        "customer_id": customer_id,
        "purpose": InvoicePurpose.MEMBERSHIP_FEE,
        "issued_on": date(2026, 3, 10),
        "supply_from": date(2026, 1, 1),
        "supply_until": date(2026, 12, 31),
        "lines": [NewLine(LineKind.FEE, "Contributie 2026", D(amount), vat_exemption=EXEMPT)],
    }
    session = fields.pop("session")
    return issue_invoice(session, NewInvoice(**{**values, **fields}))


def premium_invoice(
    session: Session,
    supplier_id: int,
    customer_id: int,
    *,
    issued_on: date = date(2026, 1, 15),
    supply_from: date = date(2026, 1, 1),
    supply_until: date = date(2026, 3, 31),
) -> int:
    """Issue an AVB premium invoice with costs and 21% premium tax; return its id."""
    return issue_invoice(
        session,
        NewInvoice(
            supplier_id=supplier_id,
            customer_id=customer_id,
            purpose=InvoicePurpose.PREMIUM,
            issued_on=issued_on,
            supply_from=supply_from,
            supply_until=supply_until,
            line=Line.AVB,
            lines=[
                NewLine(
                    LineKind.PREMIUM, "Premie AVB", D("300.00"), vat_exemption=PREMIUM_EXEMPTION
                ),
                NewLine(LineKind.COSTS, "Poliskosten", D("10.00"), vat_exemption=PREMIUM_EXEMPTION),
                NewLine(
                    LineKind.PREMIUM_TAX,
                    "Assurantiebelasting 21%",
                    D("65.10"),
                    vat_exemption=PREMIUM_TAX_NOTE,
                ),
            ],
        ),
    )


def fee_plan(session: Session, bureau_id: int, yearly_fee: str = "120.00") -> int:
    """A yearly, VAT-exempt membership plan of the bureau with one fee for every size."""
    return create_plan(
        session,
        NewPlan(
            bureau_id=bureau_id,
            name=f"Lidmaatschap {bureau_id}-{yearly_fee}",
            cadence=Cadence.YEARLY,
            tiers=[(D(0), D(yearly_fee))],
            vat_exemption=EXEMPT,
        ),
    )
