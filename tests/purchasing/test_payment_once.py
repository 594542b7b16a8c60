"""The same payment recorded at the same moment (a form sent twice, a webhook twice) counts once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from purchasing.invoices.payments import record_payment
from purchasing.invoices.queries import invoice_state
from purchasing.models import Payment, PaymentMethod
from tenants.unit_of_work import unit_of_work
from tests.at_once import at_once
from tests.purchasing import billing
from tests.purchasing.billing import fee_invoice

billed_bureau = billing.billed_bureau
member = billing.member
SENDS = 4


def test_one_payment_sent_four_times_at_once_is_recorded_once_and_each_send_finds_it(
    engine: Engine, session, billed_bureau, member
) -> None:
    invoice_id = fee_invoice(billed_bureau.id, member.id, "240.00", session=session)
    session.commit()

    def send() -> int:
        with unit_of_work(engine) as units:
            return record_payment(
                units,
                invoice_id,
                Decimal("240.00"),
                date(2026, 3, 20),
                PaymentMethod.BANK_TRANSFER,
                "form:hand-payment-1",
            )

    outcomes = at_once(SENDS, send)  # a unique violation or "more than is open" is the bug

    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert len(set(outcomes)) == 1
    with unit_of_work(engine) as units:
        count = units.scalar(
            select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice_id)
        )
        assert count == 1
        assert invoice_state(units, invoice_id).open == Decimal(0)
