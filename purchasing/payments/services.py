"""Use cases of paying online: a customer per organisation, an intent per attempt, mandates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ledger.errors import Conflict
from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.invoices.payments import open_amount
from purchasing.models import Invoice, InvoiceKind
from purchasing.payments.models import (
    AttemptStatus,
    MandateStatus,
    PaymentAttempt,
    PaymentCustomer,
    PaymentMandate,
)
from purchasing.payments.provider import (
    IntentStatus,
    IntentView,
    Method,
    NewIntent,
    PaymentProvider,
    SetupView,
)
from tenants.models import Organisation

# A mandate given this recently makes another send of the mandate form a repeat (a double
# click, a retry), not a new mandate that replaces it.
MANDATE_REPEAT_WITHIN = timedelta(minutes=2)
# A setup intent at the provider that still waits for the mandate's details.
_SETUP_AWAITING = (IntentStatus.REQUIRES_PAYMENT_METHOD, IntentStatus.REQUIRES_CONFIRMATION)


class MandateJustGiven(Conflict):
    """The organisation gave a mandate moments ago: this send repeats it, and makes none."""


def customer_for(session: Session, provider: PaymentProvider, organisation_id: int) -> str:
    """The organisation's customer at the provider, made the first time it is needed.

    The provider call carries an idempotency key of the organisation, so two requests racing
    here get the same customer; the insert keeps whichever row came first.
    """
    found = _customer_ref(session, provider, organisation_id)
    if found is not None:
        return found
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(message("Deze organisatie bestaat niet."))
    customer_ref = provider.create_customer(organisation_id, organisation.name, None)
    session.execute(
        insert(PaymentCustomer)
        .values(organisation_id=organisation_id, provider=provider.name, customer_ref=customer_ref)
        .on_conflict_do_nothing()
    )
    return _customer_ref(session, provider, organisation_id) or customer_ref


def start_payment(
    session: Session, provider: PaymentProvider, invoice_id: int, method: Method
) -> IntentView:
    """A payment intent for what is open on the invoice; an open one of the same kind is reused.

    The attempt number makes the idempotency key (``invoice-<id>-attempt-<n>``): a double
    click asks the provider twice with one key, and gets one intent.
    """
    invoice = payable_invoice(session, invoice_id)
    amount = open_amount(session, invoice.id)
    if amount <= 0:
        raise ValidationFailed(message("Factuur %(number)s is al betaald."), number=invoice.number)
    reusable = _open_attempt(session, invoice.id, method, amount)
    if reusable is not None:
        return provider.retrieve_payment_intent(reusable.intent_ref)
    customer_ref = customer_for(session, provider, invoice.customer_id)
    return _create_attempt(session, provider, invoice, method, amount, customer_ref, None)


def debit_with_mandate(session: Session, provider: PaymentProvider, invoice_id: int) -> IntentView:
    """Collect what is open on the invoice by SEPA direct debit under the member's mandate.

    A debit already on its way (the bank has not answered) is returned, not repeated: the
    invoice stays locked until the caller commits the attempt (nothing in between commits),
    so a double click or a job run twice debits once.
    """
    invoice = payable_invoice(session, invoice_id)
    session.execute(select(Invoice.id).where(Invoice.id == invoice.id).with_for_update())
    in_flight = session.scalar(
        select(PaymentAttempt.intent_ref).where(
            PaymentAttempt.invoice_id == invoice.id,
            PaymentAttempt.provider == provider.name,
            PaymentAttempt.method == Method.SEPA_DEBIT,
            PaymentAttempt.status == AttemptStatus.PROCESSING,
        )
    )
    if in_flight is not None:
        return provider.retrieve_payment_intent(in_flight)
    mandate = active_mandate(session, invoice.customer_id)
    if mandate is None or mandate.payment_method_ref is None:
        raise ValidationFailed(message("Deze organisatie heeft geen machtiging voor incasso."))
    amount = open_amount(session, invoice.id)
    if amount <= 0:
        raise ValidationFailed(message("Factuur %(number)s is al betaald."), number=invoice.number)
    customer_ref = customer_for(session, provider, invoice.customer_id)
    return _create_attempt(
        session, provider, invoice, Method.SEPA_DEBIT, amount, customer_ref,
        mandate.payment_method_ref,
    )  # fmt: skip


def start_mandate(session: Session, provider: PaymentProvider, organisation_id: int) -> SetupView:
    """Ask the member for a SEPA mandate (a setup intent); the webhook activates it.

    Sends of the mandate form take turns on the organisation's customer row, held until the
    caller commits. A setup intent still waiting for its details (an earlier send the provider
    refused) is reused, as an open payment attempt is; a mandate given moments ago refuses a
    repeat (``MandateJustGiven``) rather than making a second. Only then is a new attempt
    numbered, which makes the setup intent's idempotency key.
    """
    customer_ref = customer_for(session, provider, organisation_id)
    session.execute(
        select(PaymentCustomer.customer_ref)
        .where(
            PaymentCustomer.organisation_id == organisation_id,
            PaymentCustomer.provider == provider.name,
        )
        .with_for_update()
    )
    reusable = _reusable_setup(session, provider, organisation_id)
    if reusable is not None:
        return reusable
    attempt = 1 + (
        session.scalar(
            select(func.max(PaymentMandate.attempt)).where(
                PaymentMandate.organisation_id == organisation_id
            )
        )
        or 0
    )
    setup = provider.create_setup_intent(customer_ref, organisation_id, attempt)
    session.execute(
        insert(PaymentMandate)
        .values(
            organisation_id=organisation_id,
            attempt=attempt,
            provider=provider.name,
            setup_ref=setup.id,
            status=MandateStatus.PENDING,
        )
        .on_conflict_do_nothing()
    )
    return setup


def _reusable_setup(
    session: Session, provider: PaymentProvider, organisation_id: int
) -> SetupView | None:
    """The newest mandate's setup intent if it still waits for details; refuses a repeat."""
    latest = session.scalar(
        select(PaymentMandate)
        .where(
            PaymentMandate.organisation_id == organisation_id,
            PaymentMandate.provider == provider.name,
        )
        .order_by(PaymentMandate.attempt.desc())
        .limit(1)
    )
    if latest is None:
        return None
    if latest.status == MandateStatus.PENDING:
        setup = provider.retrieve_setup_intent(latest.setup_ref)
        if setup.status in _SETUP_AWAITING:
            return setup
        sync_mandate(session, provider, latest.setup_ref)  # decided meanwhile: take it over
        return None
    given = latest.confirmed_at
    if latest.status != MandateStatus.ACTIVE or given is None:
        return None
    if datetime.now(UTC) - given <= MANDATE_REPEAT_WITHIN:
        raise MandateJustGiven(
            message(
                "Er is zojuist al een machtiging vastgelegd. Wil je die vervangen, probeer het"
                " dan over een paar minuten opnieuw."
            )
        )
    return None  # an older mandate: a new one replaces it, as the mandate page says


def sync_mandate(session: Session, provider: PaymentProvider, setup_ref: str) -> None:
    """Take over what the provider says of a setup intent (re-read, never the event's copy).

    One mandate of an organisation is active: the newest given. One that succeeds replaces the
    older ones; one that succeeds after a newer one (its webhook came late) is replaced at
    once. The organisation's mandates are locked in order first, so two confirmations at the
    same moment cannot each find the other still pending.
    """
    setup = provider.retrieve_setup_intent(setup_ref)
    found = session.scalar(
        select(PaymentMandate.organisation_id).where(
            PaymentMandate.provider == provider.name, PaymentMandate.setup_ref == setup_ref
        )
    )
    if found is None:
        return
    mandates = session.scalars(
        select(PaymentMandate)
        .where(PaymentMandate.organisation_id == found)
        .order_by(PaymentMandate.attempt)
        .with_for_update()
    ).all()
    mandate = next(m for m in mandates if m.setup_ref == setup_ref and m.provider == provider.name)
    if setup.status == "succeeded" and mandate.confirmed_at is None:
        mandate.payment_method_ref = setup.payment_method_id
        mandate.confirmed_at = datetime.now(UTC)
        newer = any(
            m.attempt > mandate.attempt and m.status == MandateStatus.ACTIVE for m in mandates
        )
        mandate.status = MandateStatus.REPLACED if newer else MandateStatus.ACTIVE
        for older in mandates:
            if older.attempt < mandate.attempt and older.status == MandateStatus.ACTIVE:
                older.status = MandateStatus.REPLACED
    elif setup.status == "canceled" and mandate.status == MandateStatus.PENDING:
        mandate.status = MandateStatus.FAILED


def active_mandate(session: Session, organisation_id: int) -> PaymentMandate | None:
    return session.scalar(
        select(PaymentMandate)
        .where(
            PaymentMandate.organisation_id == organisation_id,
            PaymentMandate.status == MandateStatus.ACTIVE,
        )
        .order_by(PaymentMandate.attempt.desc())
        .limit(1)
    )


def _create_attempt(
    session: Session,
    provider: PaymentProvider,
    invoice: Invoice,
    method: Method,
    amount: Decimal,
    customer_ref: str,
    payment_method_ref: str | None,
) -> IntentView:
    attempt = next_attempt(session, invoice.id)
    intent = provider.create_payment_intent(
        NewIntent(
            invoice_id=invoice.id,
            attempt=attempt,
            amount=amount,
            customer_id=customer_ref,
            method=method,
            payment_method_id=payment_method_ref,
            invoice_number=invoice.number,
        )
    )
    session.execute(
        insert(PaymentAttempt)
        .values(
            invoice_id=invoice.id,
            attempt=attempt,
            provider=provider.name,
            intent_ref=intent.id,
            method=method,
            amount=amount,
            # A debit under a mandate is on its way at once: no reminder while the bank decides.
            status=(
                AttemptStatus.PROCESSING
                if intent.status == IntentStatus.PROCESSING
                else AttemptStatus.OPEN
            ),
        )
        .on_conflict_do_nothing()
    )
    return intent


def next_attempt(session: Session, invoice_id: int) -> int:
    """The number of the invoice's next attempt, which makes its idempotency key."""
    latest = session.scalar(
        select(func.max(PaymentAttempt.attempt)).where(PaymentAttempt.invoice_id == invoice_id)
    )
    return 1 + (latest or 0)


def payable_invoice(session: Session, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.kind != InvoiceKind.INVOICE:
        raise NotFound(message("Deze factuur bestaat niet."))
    return invoice


def _open_attempt(
    session: Session, invoice_id: int, method: Method, amount: Decimal
) -> PaymentAttempt | None:
    return session.scalar(
        select(PaymentAttempt)
        .where(
            PaymentAttempt.invoice_id == invoice_id,
            PaymentAttempt.method == method,
            PaymentAttempt.amount == amount,
            PaymentAttempt.status == AttemptStatus.OPEN,
        )
        .order_by(PaymentAttempt.attempt.desc())
        .limit(1)
    )


def _customer_ref(session: Session, provider: PaymentProvider, organisation_id: int) -> str | None:
    return session.scalar(
        select(PaymentCustomer.customer_ref).where(
            PaymentCustomer.organisation_id == organisation_id,
            PaymentCustomer.provider == provider.name,
        )
    )
