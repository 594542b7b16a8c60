"""Webhooks settle and reopen invoices exactly once, whatever the order (against the fake)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from purchasing.invoices import accounts
from purchasing.invoices.payments import record_payment
from purchasing.invoices.queries import invoice_state
from purchasing.models import Payment, PaymentMethod
from purchasing.payments.fake import FAILING_IBAN, FakeProvider
from purchasing.payments.models import AttemptStatus, PaymentAttempt
from purchasing.payments.provider import Method
from purchasing.payments.services import debit_with_mandate, start_mandate, start_payment
from purchasing.payments.webhooks import handle_event
from purchasing.reminders import due_reminders
from tests.purchasing.books import balance
from workers.bookings import book_pending

ON = date(2026, 3, 20)


@pytest.fixture
def fake() -> FakeProvider:
    return FakeProvider()


def deliver(session, fake: FakeProvider, index: int = -1):
    delivery = fake.outbox[index]
    event = fake.parse_event(delivery.payload, delivery.signature)
    handled = handle_event(session, fake, event, ON)
    session.commit()  # what the webhook's request does when it answers
    return handled


def state(session, invoice_id):
    session.expire_all()
    return invoice_state(session, invoice_id)


def test_a_card_payment_settles_the_invoice_in_both_books(engine, session, fake, invoice):
    intent = start_payment(session, fake, invoice.id, Method.CARD)
    assert intent.amount == Decimal("240.00")
    fake.confirm_card(intent.id, "4242424242424242")
    handled = deliver(session, fake)
    assert len(handled.payment_ids) == 1
    session.commit()
    book_pending(engine)
    assert state(session, invoice.id).is_settled
    assert balance(engine, invoice.bureau.tenant, accounts.RECEIVABLE) == 0
    assert balance(engine, invoice.member.tenant, accounts.PAYABLE) == 0
    # At Stripe until its payout reaches the bank; the member paid from its own bank.
    assert balance(engine, invoice.bureau.tenant, accounts.STRIPE_CLEARING) == Decimal("240.00")
    assert balance(engine, invoice.bureau.tenant, accounts.BUREAU_BANK) == 0
    assert balance(engine, invoice.member.tenant, accounts.MEMBER_BANK) == Decimal("-240.00")


def test_the_same_event_delivered_twice_is_handled_once(session, fake, invoice):
    intent = start_payment(session, fake, invoice.id, Method.IDEAL)
    fake.authorise_ideal(intent.id)
    assert not deliver(session, fake).is_duplicate
    assert deliver(session, fake).is_duplicate
    payments = session.scalar(
        select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice.id)
    )
    assert payments == 1


def test_starting_twice_reuses_the_open_intent(session, fake, invoice):
    first = start_payment(session, fake, invoice.id, Method.IDEAL)
    assert start_payment(session, fake, invoice.id, Method.IDEAL).id == first.id


def test_a_refund_arriving_before_the_success_leaves_the_invoice_open(session, fake, invoice):
    intent = fake.confirm_card(
        start_payment(session, fake, invoice.id, Method.CARD).id, "4242424242424242"
    )
    fake.refund(intent.charge_id)
    deliver(session, fake, -1)  # charge.refunded first
    deliver(session, fake, -2)  # then payment_intent.succeeded
    assert not state(session, invoice.id).is_settled
    assert state(session, invoice.id).paid == 0


@pytest.mark.parametrize("undo", ["refund", "dispute"])
def test_a_refund_or_dispute_after_payment_reopens_the_invoice_on_both_sides(
    engine, session, fake, invoice, undo
):
    intent = fake.confirm_card(
        start_payment(session, fake, invoice.id, Method.CARD).id, "4242424242424242"
    )
    deliver(session, fake)
    getattr(fake, undo)(intent.charge_id)
    deliver(session, fake)
    session.commit()
    book_pending(engine)
    assert state(session, invoice.id).open == Decimal("240.00")
    assert balance(engine, invoice.bureau.tenant, accounts.RECEIVABLE) == Decimal("240.00")
    assert balance(engine, invoice.member.tenant, accounts.PAYABLE) == Decimal("-240.00")
    attempt = session.scalar(select(PaymentAttempt).where(PaymentAttempt.intent_ref == intent.id))
    assert attempt.status == AttemptStatus.REVERSED


def test_a_mandate_debit_whose_bank_says_no_days_later_books_nothing(session, fake, invoice):
    setup = start_mandate(session, fake, invoice.member.id)
    fake.confirm_setup(setup.id, FAILING_IBAN)
    deliver(session, fake)
    intent = debit_with_mandate(session, fake, invoice.id)
    assert intent.status == "processing"
    fake.advance(days=14)
    deliver(session, fake)
    assert state(session, invoice.id).paid == 0
    attempt = session.scalar(select(PaymentAttempt).where(PaymentAttempt.intent_ref == intent.id))
    assert (attempt.status, attempt.failure_code) == ("failed", "insufficient_funds")


def test_a_sepa_debit_paid_then_returned_days_later_reopens_the_invoice(session, fake, invoice):
    intent = start_payment(session, fake, invoice.id, Method.SEPA_DEBIT)
    fake.confirm_sepa(intent.id, "NL91ABNA0417164300")
    deliver(session, fake)
    fake.advance(days=6)
    deliver(session, fake)
    assert state(session, invoice.id).is_settled
    fake.advance(days=30)
    fake.dispute(fake.retrieve_payment_intent(intent.id).charge_id)  # a refund claim, MD06
    deliver(session, fake)
    assert state(session, invoice.id).open == Decimal("240.00")


def test_a_payment_the_invoice_no_longer_needs_is_unapplied_and_its_event_stays_handled(
    session, fake, invoice
):
    intent = start_payment(session, fake, invoice.id, Method.CARD)
    record_payment(
        session, invoice.id, Decimal("240.00"), ON, PaymentMethod.BANK_TRANSFER, "bank-1"
    )
    fake.confirm_card(intent.id, "4242424242424242")
    assert deliver(session, fake).payment_ids == ()
    attempt = session.scalar(select(PaymentAttempt).where(PaymentAttempt.intent_ref == intent.id))
    assert attempt.status == AttemptStatus.UNAPPLIED
    assert deliver(session, fake).is_duplicate  # the event's record survived the rollback


def test_a_dispute_the_bureau_wins_settles_the_invoice_again_on_both_sides(
    engine, session, fake, invoice
):
    intent = fake.confirm_card(
        start_payment(session, fake, invoice.id, Method.CARD).id, "4242424242424242"
    )
    deliver(session, fake)
    fake.dispute(intent.charge_id)
    deliver(session, fake)
    assert state(session, invoice.id).open == Decimal("240.00")
    fake.win_dispute(intent.charge_id)
    assert len(deliver(session, fake).payment_ids) == 1
    session.commit()
    book_pending(engine)
    assert state(session, invoice.id).is_settled
    assert balance(engine, invoice.bureau.tenant, accounts.RECEIVABLE) == 0
    assert balance(engine, invoice.member.tenant, accounts.PAYABLE) == 0
    attempt = session.scalar(select(PaymentAttempt).where(PaymentAttempt.intent_ref == intent.id))
    assert attempt.status == AttemptStatus.PAID
    assert deliver(session, fake).is_duplicate


def test_a_sepa_debit_still_processing_gets_no_reminder(session, fake, invoice):
    late = date(2026, 6, 1)
    assert [due.invoice_id for due in due_reminders(session, late)].count(invoice.id) == 1
    intent = start_payment(session, fake, invoice.id, Method.SEPA_DEBIT)
    fake.confirm_sepa(intent.id, "NL91ABNA0417164300")
    deliver(session, fake)
    assert invoice.id not in [due.invoice_id for due in due_reminders(session, late)]
