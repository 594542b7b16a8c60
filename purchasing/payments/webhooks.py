"""Provider webhooks, handled exactly once and in any order.

A webhook arrives at least once and in no particular order. So each event id is stored first
(a unique key: a second delivery, even a concurrent one, finds it and does nothing), and the
event's own copy of the object is never trusted: the intent is read again from the provider,
and our attempt is brought to where the provider says it is now. Settling and reopening the
invoice go through the invoices' own payment services, which book both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from purchasing.errors import ValidationFailed
from purchasing.invoices.payments import record_payment, reverse_payment
from purchasing.models import PaymentMethod
from purchasing.payments.models import AttemptStatus, PaymentAttempt, ProviderEventRecord
from purchasing.payments.provider import (
    CheckoutStatus,
    IntentStatus,
    IntentView,
    PaymentProvider,
    ProviderEvent,
)
from purchasing.payments.services import sync_mandate

REINSTATED = "reinstated"


@dataclass(frozen=True)
class Handled:
    """What one delivery did: nothing (a duplicate), or these payments and reversals."""

    is_duplicate: bool
    payment_ids: tuple[int, ...] = ()


def handle_event(
    session: Session, provider: PaymentProvider, event: ProviderEvent, on: date
) -> Handled:
    """Handle a verified event once, in the caller's transaction.

    The event's row is written first and committed with everything the event did, by the
    caller; when anything fails, the caller rolls back both, so the provider's redelivery is
    handled afresh.
    """
    if not _remember(session, provider, event):
        return Handled(is_duplicate=True)
    return Handled(is_duplicate=False, payment_ids=_dispatch(session, provider, event, on))


def _remember(session: Session, provider: PaymentProvider, event: ProviderEvent) -> bool:
    """Store the event's id; False when it was stored before (a second delivery)."""
    stored = session.execute(
        insert(ProviderEventRecord)
        .values(provider=provider.name, event_id=event.id, type=event.type)
        .on_conflict_do_nothing()
        .returning(ProviderEventRecord.event_id)
    ).scalar()
    return stored is not None


def sync_checkout(
    session: Session, provider: PaymentProvider, checkout_ref: str, on: date
) -> tuple[int, ...]:
    """Move a hosted card page's attempt onto the intent it made, then sync that."""
    page = provider.retrieve_checkout(checkout_ref)
    attempt = session.scalar(
        select(PaymentAttempt)
        .where(PaymentAttempt.provider == provider.name, PaymentAttempt.intent_ref == checkout_ref)
        .with_for_update()
    )
    if page.payment_intent_id is None:
        if attempt is not None and page.status == CheckoutStatus.EXPIRED:
            attempt.status = AttemptStatus.FAILED
        return ()
    if attempt is not None:
        attempt.intent_ref = page.payment_intent_id
        session.flush()
    return sync_attempt(session, provider, page.payment_intent_id, on)


def sync_attempt(
    session: Session, provider: PaymentProvider, intent_ref: str, on: date
) -> tuple[int, ...]:
    """Bring the attempt of ``intent_ref`` to the provider's current state.

    Paid (succeeded, not refunded, not disputed) and not yet booked: record the payment. Booked
    and no longer paid (a SEPA debit that came back, a refund, a dispute): reverse it, which
    reopens the invoice on both sides. Whatever order the events come in, the end state is the
    provider's.
    """
    attempt = session.scalar(
        select(PaymentAttempt)
        .where(PaymentAttempt.provider == provider.name, PaymentAttempt.intent_ref == intent_ref)
        .with_for_update()
    )
    if attempt is None:
        return ()
    intent = provider.retrieve_payment_intent(intent_ref)
    attempt.failure_code = intent.failure_code
    if intent.is_paid and attempt.status == AttemptStatus.REVERSED:
        # Booked back for a dispute that the bureau then won: the money is ours again.
        return _settle(session, attempt, intent, on, f"{intent.id}:{REINSTATED}")
    if intent.is_paid:
        return _settle(session, attempt, intent, on, intent.id)
    if attempt.status == AttemptStatus.PAID and attempt.payment_id is not None:
        attempt.status = AttemptStatus.REVERSED
        session.flush()
        return (reverse_payment(session, attempt.payment_id, on, _reason(intent)),)
    if attempt.status in (AttemptStatus.OPEN, AttemptStatus.PROCESSING):
        attempt.status = _unpaid_status(intent)
    return ()


def _settle(
    session: Session, attempt: PaymentAttempt, intent: IntentView, on: date, reference: str
) -> tuple[int, ...]:
    if attempt.status in (AttemptStatus.PAID, AttemptStatus.UNAPPLIED):
        return ()
    try:
        # The reference (from the intent's id) makes a second recording a no-op.
        payment_id = record_payment(
            session, attempt.invoice_id, intent.amount, on, PaymentMethod.STRIPE, reference
        )
    except ValidationFailed:
        # Money came in that the invoice no longer needs (paid another way, credited); the
        # refusal wrote nothing.
        _mark(session, attempt, AttemptStatus.UNAPPLIED, None)
        return ()
    _mark(session, attempt, AttemptStatus.PAID, payment_id)
    return (payment_id,)


def _mark(
    session: Session, attempt: PaymentAttempt, status: AttemptStatus, payment_id: int | None
) -> None:
    attempt.status = status
    attempt.payment_id = payment_id
    session.flush()


def _unpaid_status(intent: IntentView) -> AttemptStatus:
    if intent.status == IntentStatus.PROCESSING:
        return AttemptStatus.PROCESSING
    if intent.status == IntentStatus.CANCELED or intent.failure_code is not None:
        return AttemptStatus.FAILED
    if intent.status == IntentStatus.SUCCEEDED:  # refunded or disputed before we booked it
        return AttemptStatus.FAILED
    return AttemptStatus.OPEN


def _reason(intent: IntentView) -> str:
    if intent.is_disputed:
        return "Stripe: betwist door de betaler"
    if intent.refunded_cents:
        return "Stripe: terugbetaald"
    return f"Stripe: betaling mislukt ({intent.failure_code or intent.status})"


def _dispatch(
    session: Session, provider: PaymentProvider, event: ProviderEvent, on: date
) -> tuple[int, ...]:
    if event.type.startswith("payment_intent."):
        return sync_attempt(session, provider, event.object_id, on)
    if event.type.startswith("charge.") and event.charge_id is not None:
        charge = provider.retrieve_charge(event.charge_id)
        if charge.payment_intent_id is not None:
            return sync_attempt(session, provider, charge.payment_intent_id, on)
    if event.type.startswith("checkout.session."):
        return sync_checkout(session, provider, event.object_id, on)
    if event.type.startswith("setup_intent."):
        sync_mandate(session, provider, event.object_id)
    return ()
