"""A member pays an invoice online: iDEAL at its bank, a card on a hosted page, or a mandate.

Every way is confirmed on the server (no Stripe.js): iDEAL and the SEPA mandate are confirmed
with what the member entered, and the customer is sent to the bank or the hosted card page.
Coming back proves nothing: the return page re-reads the provider, as a webhook would, and
the webhook settles the invoice whether or not the member ever comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.invoices.payments import open_amount
from purchasing.models import Invoice
from purchasing.payments.models import AttemptStatus, PaymentAttempt
from purchasing.payments.provider import (
    CHECKOUT_PREFIX,
    CheckoutStatus,
    IntentStatus,
    MandateAcceptance,
    Method,
    NewIntent,
    PaymentProvider,
    is_checkout_ref,
)
from purchasing.payments.services import (
    active_mandate,
    customer_for,
    next_attempt,
    payable_invoice,
    start_mandate,
    start_payment,
    sync_mandate,
)
from purchasing.payments.webhooks import sync_attempt, sync_checkout
from purchasing.sepa.creditor import checked_iban


@dataclass(frozen=True)
class Outcome:
    """Where a member's payment stands after coming back, and what it booked."""

    status: AttemptStatus
    payment_ids: tuple[int, ...] = ()


def pay_by_ideal(
    session: Session, provider: PaymentProvider, invoice_id: int, return_url: str
) -> str:
    """The bank's page where the member authorises an iDEAL payment of what is open."""
    intent = start_payment(session, provider, invoice_id, Method.IDEAL)
    if intent.status == IntentStatus.REQUIRES_PAYMENT_METHOD:
        intent = provider.confirm_ideal(intent.id, return_url)
    if intent.redirect_url is None:
        raise ValidationFailed(message("De bank gaf geen betaalpagina; probeer het opnieuw."))
    return intent.redirect_url


def pay_by_card(
    session: Session, provider: PaymentProvider, invoice_id: int, success_url: str, cancel_url: str
) -> str:
    """The hosted page where the member pays what is open by card; an open one is reused.

    Until the member pays there is no payment intent yet: the attempt holds the hosted page's
    id, and is moved to the intent once the provider made it (on return or by webhook).
    """
    invoice = payable_invoice(session, invoice_id)
    amount = _open_or_refuse(session, invoice)
    for attempt in _open_card_pages(session, provider, invoice.id, amount):
        page = provider.retrieve_checkout(attempt.intent_ref)
        if page.status == CheckoutStatus.OPEN and page.url is not None:
            return page.url
    customer_ref = customer_for(session, provider, invoice.customer_id)
    number = next_attempt(session, invoice.id)
    new = NewIntent(invoice.id, number, amount, customer_ref, Method.CARD, None, invoice.number)
    page = provider.create_checkout(new, success_url, cancel_url)
    if page.url is None:
        raise ValidationFailed(message("De betaalpagina is niet beschikbaar; probeer het opnieuw."))
    session.add(
        PaymentAttempt(
            invoice_id=invoice.id, attempt=number, provider=provider.name, intent_ref=page.id,
            method=Method.CARD, amount=amount, status=AttemptStatus.OPEN,
        )
    )  # fmt: skip
    session.flush()
    return page.url


def come_back(
    session: Session, provider: PaymentProvider, invoice_id: int, reference: str, on: date
) -> Outcome:
    """The member is back from the bank or the card page: read the provider again.

    ``reference`` comes from the browser, so it only counts for an attempt of this invoice.
    """
    attempt = session.scalar(
        select(PaymentAttempt).where(
            PaymentAttempt.invoice_id == invoice_id,
            PaymentAttempt.provider == provider.name,
            PaymentAttempt.intent_ref == reference,
        )
    )
    if attempt is None:
        raise NotFound(message("Deze betaling hoort niet bij deze factuur."))
    attempt_id = attempt.id
    if is_checkout_ref(reference):
        payment_ids = sync_checkout(session, provider, reference, on)
    else:
        payment_ids = sync_attempt(session, provider, reference, on)
    session.flush()
    return Outcome(AttemptStatus(session.get_one(PaymentAttempt, attempt_id).status), payment_ids)


def give_mandate(
    session: Session, provider: PaymentProvider, organisation_id: int, acceptance: MandateAcceptance
) -> bool:
    """Record a SEPA mandate the member gave online; returns whether it is active."""
    if not acceptance.account_holder.strip():
        raise ValidationFailed(
            message("Vul de naam van de rekeninghouder in."), field="account_holder"
        )
    iban = checked_iban(acceptance.iban)
    setup = start_mandate(session, provider, organisation_id)
    provider.confirm_mandate(setup.id, replace(acceptance, iban=str(iban.compact)))
    sync_mandate(session, provider, setup.id)
    session.flush()
    return active_mandate(session, organisation_id) is not None


def _open_or_refuse(session: Session, invoice: Invoice) -> Decimal:
    amount = open_amount(session, invoice.id)
    if amount <= 0:
        raise ValidationFailed(message("Factuur %(number)s is al betaald."), number=invoice.number)
    return amount


def _open_card_pages(
    session: Session, provider: PaymentProvider, invoice_id: int, amount: Decimal
) -> list[PaymentAttempt]:
    return list(
        session.scalars(
            select(PaymentAttempt)
            .where(
                PaymentAttempt.invoice_id == invoice_id,
                PaymentAttempt.provider == provider.name,
                PaymentAttempt.method == Method.CARD,
                PaymentAttempt.amount == amount,
                PaymentAttempt.status == AttemptStatus.OPEN,
                PaymentAttempt.intent_ref.startswith(CHECKOUT_PREFIX),
            )
            .order_by(PaymentAttempt.attempt.desc())
        )
    )
