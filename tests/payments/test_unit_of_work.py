"""Paying on a real local Stripe within one unit of work: a lock held until the attempt is
saved, and a webhook whose event row is committed with what it did, or not at all."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

import pytest
import stripe
from sqlalchemy import delete, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from purchasing.models import Invoice
from purchasing.payments.models import (
    AttemptStatus,
    PaymentAttempt,
    PaymentCustomer,
    ProviderEventRecord,
)
from purchasing.payments.paying import give_mandate
from purchasing.payments.provider import IntentView, MandateAcceptance, Method, NewIntent
from purchasing.payments.services import debit_with_mandate, start_payment
from purchasing.payments.stripe_provider import StripeProvider
from purchasing.payments.webhooks import handle_event
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET
from tests.payments.drivers import GOOD_CARD, GOOD_IBAN, StripeDriver

ON = date(2026, 3, 20)


class WatchedStripe(StripeProvider):
    """Stripe on localstripe; while it creates a payment intent, another debit of the same
    invoice is started in a thread of its own, and we note whether it had to wait."""

    def __init__(self, api_base: str, engine: Engine, plain: StripeProvider) -> None:
        super().__init__(SECRET_KEY, WEBHOOK_SECRET, api_base=api_base)
        self.engine, self.plain = engine, plain
        self.second: threading.Thread | None = None
        self.second_waited: bool | None = None
        self.invoice_locked: bool | None = None

    def create_payment_intent(self, intent: NewIntent) -> IntentView:
        self.invoice_locked = _is_locked(self.engine, intent.invoice_id)
        self.second = threading.Thread(target=_debit, args=(self.engine, self.plain, intent))
        self.second.start()
        self.second.join(timeout=1.5)
        self.second_waited = self.second.is_alive()
        return super().create_payment_intent(intent)


def _is_locked(engine: Engine, invoice_id: int) -> bool:
    with Session(engine) as other:
        try:
            other.execute(
                select(Invoice.id).where(Invoice.id == invoice_id).with_for_update(nowait=True)
            )
        except OperationalError:
            return True
        finally:
            other.rollback()
    return False


def _debit(engine: Engine, provider: StripeProvider, intent: NewIntent) -> None:
    with Session(engine) as session:
        debit_with_mandate(session, provider, intent.invoice_id)
        session.commit()


def _acceptance() -> MandateAcceptance:
    return MandateAcceptance(
        iban=GOOD_IBAN,
        account_holder="Stichting De Linde",
        email="penningmeester@delinde.example",
        ip_address="127.0.0.1",
        user_agent="pytest",
        accepted_at=datetime.now(UTC),
    )


def test_a_debit_keeps_the_invoice_locked_until_its_attempt_is_saved(
    engine, session, localstripe, stripe_provider, invoice
):
    """The member's customer at Stripe is made during the debit (here: its row was lost);
    that may not end the transaction that holds the invoice, or a second debit slips in."""
    assert give_mandate(session, stripe_provider, invoice.member.id, _acceptance())
    session.execute(
        delete(PaymentCustomer).where(PaymentCustomer.organisation_id == invoice.member.id)
    )
    session.commit()
    watched = WatchedStripe(localstripe, engine, stripe_provider)

    debit_with_mandate(session, watched, invoice.id)
    session.commit()
    assert watched.second is not None
    watched.second.join(timeout=10)

    assert watched.invoice_locked is True
    assert watched.second_waited is True
    # Having waited, the second saw the first one's attempt and numbered its own after it.
    numbers = session.scalars(
        select(PaymentAttempt.attempt).where(PaymentAttempt.invoice_id == invoice.id)
    )
    assert sorted(numbers) == [1, 2]


@pytest.fixture
def paid_by_card(session, localstripe, stripe_provider, receiver, invoice) -> Any:
    """A card payment of the invoice that Stripe took, and its ``succeeded`` event."""
    intent = start_payment(session, stripe_provider, invoice.id, Method.CARD)
    session.commit()
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe})
    driver = StripeDriver(stripe_provider, client, receiver)
    driver.confirm_card(intent.id, GOOD_CARD)
    payload, signature = driver.delivery(intent.id, "payment_intent.succeeded")
    return intent, stripe_provider.parse_event(payload, signature)


def test_a_webhook_whose_request_fails_after_handling_is_handled_again_when_redelivered(
    session, stripe_provider, paid_by_card
):
    intent, succeeded = paid_by_card
    first = handle_event(session, stripe_provider, succeeded, ON)
    assert not first.is_duplicate and len(first.payment_ids) == 1
    session.rollback()  # the request failed after handling: nothing of it may stay

    again = handle_event(session, stripe_provider, succeeded, ON)
    session.commit()

    assert not again.is_duplicate and len(again.payment_ids) == 1
    attempt = session.scalar(select(PaymentAttempt).where(PaymentAttempt.intent_ref == intent.id))
    assert attempt is not None and attempt.status == AttemptStatus.PAID
    assert attempt.payment_id == again.payment_ids[0]


def test_a_webhook_writes_its_event_row_once(engine, session, stripe_provider, paid_by_card):
    _, succeeded = paid_by_card
    table = ProviderEventRecord.__tablename__
    inserts: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().startswith("INSERT INTO") and table in statement.split("(")[0]:
            inserts.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        handled = handle_event(session, stripe_provider, succeeded, ON)
        session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(handled.payment_ids) == 1
    assert len(inserts) == 1
    stored = session.scalar(
        select(func.count()).where(ProviderEventRecord.event_id == succeeded.id)
    )
    assert stored == 1
