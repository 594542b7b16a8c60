"""An invoice from both sides: the member sees it and how to pay; the bureau records and credits.

The member's page offers the bureau's IBAN, the RF reference and an EPC QR code when no online
payment is configured (as in these tests); the bureau records a payment by hand or credits the
invoice from its page, and both sides' books follow.
"""

from __future__ import annotations

import re
from base64 import b64decode
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.invoices.payments import open_amount
from purchasing.models import Invoice, Payment
from tenants.roles import Role
from tests.purchasing import billing
from tests.purchasing.billing import fee_invoice, make_member

billed_bureau = billing.billed_bureau
member = billing.member


@pytest.fixture
def invoice(session: Session, billed_bureau: Any, member: Any) -> Invoice:
    invoice_id = fee_invoice(billed_bureau.id, member.id, session=session)
    session.commit()
    return session.get_one(Invoice, invoice_id)


@pytest.fixture
def treasurer(app: Any, make_user: Any, login_as: Any, member: Any) -> Any:
    client = app.test_client()
    login_as(client, make_user(org=member, role=Role.OWNER))
    return client


@pytest.fixture
def staff(app: Any, make_user: Any, login_as: Any) -> Any:
    client = app.test_client()
    login_as(client, make_user(is_bureau_admin=True))
    return client


def page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return str(response.get_data(as_text=True))


def test_a_member_opens_its_invoice_and_reads_how_to_pay_it_by_transfer(
    treasurer: Any, member: Any, invoice: Invoice
) -> None:
    listing = page(treasurer, f"/o/{member.slug}/invoices")
    assert f'href="/o/{member.slug}/invoices/{invoice.id}"' in listing

    html = page(treasurer, f"/o/{member.slug}/invoices/{invoice.id}")

    transfer = html.split('data-testid="transfer"', 1)[1].split("</dl>", 1)[0]
    # The IBAN in groups of four, as the member's bank app shows what was typed.
    assert "NL91 ABNA 0417 1643 00" in transfer and invoice.payment_reference in transfer
    assert "€\xa0240,00" in transfer and "Stichting Servicebureau" in transfer
    assert "Te laat: de vervaldatum was" in html  # issued in March 2026, thirty days to pay
    assert "Contributie 2026" in html


def test_the_qr_code_carries_the_epc_transfer_of_what_is_open(
    treasurer: Any, member: Any, invoice: Invoice
) -> None:
    html = page(treasurer, f"/o/{member.slug}/invoices/{invoice.id}")

    source = re.search(r'<img src="data:image/svg\+xml([^"]*)"[^>]*data-testid="epc-qr"', html)
    assert source is not None
    svg = source.group(1)
    text = b64decode(svg.split(",", 1)[1]) if svg.startswith(";base64") else unquote(svg)
    assert b"<svg" in (text if isinstance(text, bytes) else text.encode())


def test_another_organisation_cannot_open_the_invoice(
    app: Any, session: Session, make_org: Any, make_user: Any, login_as: Any, invoice: Invoice
) -> None:
    stranger = make_member(make_org, session)
    session.commit()
    client = app.test_client()
    login_as(client, make_user(org=stranger, role=Role.OWNER))

    assert client.get(f"/o/{stranger.slug}/invoices/{invoice.id}").status_code == 404


def test_staff_record_a_payment_by_hand_once_even_when_the_form_is_sent_twice(
    staff: Any, treasurer: Any, member: Any, invoice: Invoice, engine: Any
) -> None:
    form = {"amount": "100,00", "paid_on": "2026-04-01", "method": "bank_transfer", "token": "t1"}

    for _ in range(2):
        response = staff.post(f"/bureau/invoices/{invoice.id}/payments", data=form)
        assert response.status_code == 302

    with Session(engine) as session:
        payments = session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)).all()
        assert [p.amount for p in payments] == [100]
        assert open_amount(session, invoice.id) == 140
    html = page(treasurer, f"/o/{member.slug}/invoices/{invoice.id}")
    assert "1 apr 2026 · €\xa0100,00 · overboeking" in html
    assert "€\xa0140,00" in html.split('data-testid="transfer"', 1)[1]


def test_a_refused_hand_payment_changes_nothing_and_says_why(
    staff: Any, invoice: Invoice, engine: Any
) -> None:
    form = {"amount": "999,00", "paid_on": "2026-04-01", "method": "cash", "token": "t2"}

    response = staff.post(f"/bureau/invoices/{invoice.id}/payments", data=form)

    assert response.status_code == 302
    with Session(engine) as session:
        assert session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)).all() == []
    detail = page(staff, f"/bureau/invoices/{invoice.id}")
    assert "hoger dan wat er op factuur" in detail


def test_staff_credit_an_invoice_from_its_page_and_the_member_owes_nothing(
    staff: Any, treasurer: Any, member: Any, invoice: Invoice, engine: Any
) -> None:
    response = staff.post(f"/bureau/invoices/{invoice.id}/credit", data={"reason": "Dubbel"})

    assert response.status_code == 302
    with Session(engine) as session:
        note = session.scalars(
            select(Invoice).where(Invoice.credits_invoice_id == invoice.id)
        ).one()
        assert response.headers["Location"].endswith(f"/bureau/invoices/{note.id}")
        assert note.total == -invoice.total
    html = page(treasurer, f"/o/{member.slug}/invoices/{invoice.id}")
    assert "Gecrediteerd" in html and 'data-testid="how-to-pay"' not in html
