"""The payment-provider interface of our own: what the bureau needs from Stripe, in our words.

The rest of the code never sees a Stripe object. Amounts cross this boundary in whole cents
(``int``, as providers count them), converted exactly from and to ``Decimal`` here. Every call
that creates something carries an idempotency key derived from what it is for, so a retried
request (a double click, a crashed job run again) finds the first result instead of charging
twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from purchasing.money import cents_of, from_cents


class Method(StrEnum):
    """Ways to pay online that the bureau offers; the values are Stripe's names."""

    CARD = "card"
    IDEAL = "ideal"
    SEPA_DEBIT = "sepa_debit"


class IntentStatus(StrEnum):
    """Where a payment intent stands (Stripe's lifecycle, which the fake follows)."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"


class ProviderError(Exception):
    """The provider refused a call or could not be reached; nothing of ours changed."""


class SignatureInvalid(ProviderError):
    """A webhook whose signature does not match our secret: not from the provider."""


@dataclass(frozen=True)
class NewIntent:
    """A payment intent to create for one attempt to pay one invoice."""

    invoice_id: int
    attempt: int
    amount: Decimal
    customer_id: str
    method: Method
    payment_method_id: str | None = None  # a stored SEPA mandate, debited off-session
    invoice_number: str = ""

    @property
    def amount_cents(self) -> int:
        return cents_of(self.amount)

    @property
    def idempotency_key(self) -> str:
        return f"invoice-{self.invoice_id}-attempt-{self.attempt}"

    @property
    def metadata(self) -> dict[str, str]:
        return {
            "invoice_id": str(self.invoice_id),
            "attempt": str(self.attempt),
            "invoice_number": self.invoice_number,
        }


@dataclass(frozen=True)
class IntentView:
    """A payment intent as the provider reports it now, with its latest charge's fate."""

    id: str
    status: IntentStatus
    amount_cents: int
    currency: str
    customer_id: str | None
    invoice_id: int | None
    client_secret: str | None
    charge_id: str | None = None
    refunded_cents: int = 0
    is_disputed: bool = False
    failure_code: str | None = None
    redirect_url: str | None = None  # where the customer authorises it (iDEAL: the bank)

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)

    @property
    def is_paid(self) -> bool:
        """The money is ours: succeeded, and neither refunded in full nor disputed."""
        return (
            self.status == IntentStatus.SUCCEEDED
            and self.refunded_cents < self.amount_cents
            and not self.is_disputed
        )


@dataclass(frozen=True)
class SetupView:
    """A setup intent: how a SEPA mandate is given for later debits."""

    id: str
    status: IntentStatus
    customer_id: str | None
    payment_method_id: str | None
    client_secret: str | None
    organisation_id: int | None


@dataclass(frozen=True)
class MandateAcceptance:
    """A SEPA mandate as the member gives it online: the account, its holder, and the consent.

    The provider needs the acceptance (when, from which address and browser) to confirm a
    mandate server-side, as the mandate text the member agreed to says.
    """

    iban: str
    account_holder: str
    email: str
    ip_address: str
    user_agent: str
    accepted_at: datetime


class CheckoutStatus(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    EXPIRED = "expired"


@dataclass(frozen=True)
class CheckoutView:
    """A hosted payment page (Stripe Checkout) for a card payment of one invoice."""

    id: str
    status: CheckoutStatus
    url: str | None
    payment_intent_id: str | None
    invoice_id: int | None


@dataclass(frozen=True)
class ChargeView:
    """A charge: what a refund or dispute event is about."""

    id: str
    payment_intent_id: str | None


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event: which object it is about, never the object's state.

    ``charge_id`` is the charge a ``charge.*`` event concerns (the object itself, or the
    disputed charge of a dispute).
    """

    id: str
    type: str
    object_id: str
    charge_id: str | None = None


class PaymentProvider(Protocol):
    """What the bureau needs from a payment provider; Stripe and the in-memory fake provide it."""

    name: str

    def create_customer(self, organisation_id: int, name: str, email: str | None) -> str:
        """Make the provider's customer for one member organisation; returns its id."""
        ...

    def create_payment_intent(self, intent: NewIntent) -> IntentView: ...

    def retrieve_payment_intent(self, intent_id: str) -> IntentView: ...

    def confirm_ideal(self, intent_id: str, return_url: str) -> IntentView:
        """Confirm an iDEAL intent server-side; its ``redirect_url`` leads to the bank."""
        ...

    def create_checkout(self, intent: NewIntent, success_url: str, cancel_url: str) -> CheckoutView:
        """A hosted card payment page; ``success_url`` may hold ``{CHECKOUT_SESSION_ID}``."""
        ...

    def retrieve_checkout(self, checkout_id: str) -> CheckoutView: ...

    def create_setup_intent(
        self, customer_id: str, organisation_id: int, attempt: int
    ) -> SetupView:
        """Ask for a SEPA mandate, stored for later off-session debits."""
        ...

    def retrieve_setup_intent(self, setup_id: str) -> SetupView: ...

    def confirm_mandate(self, setup_id: str, acceptance: MandateAcceptance) -> SetupView:
        """Confirm a setup intent server-side with the IBAN and the mandate's acceptance."""
        ...

    def detach_payment_method(self, payment_method_id: str) -> None:
        """Detach a payment method from its customer: nothing is debited under it again (for
        a SEPA method, its mandate ends). One already detached is left as it is."""
        ...

    def retrieve_charge(self, charge_id: str) -> ChargeView: ...

    def parse_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        """Verify a webhook's signature and read it; raises ``SignatureInvalid``."""
        ...


def customer_key(organisation_id: int) -> str:
    return f"organisation-{organisation_id}-customer"


def mandate_key(organisation_id: int, attempt: int) -> str:
    return f"organisation-{organisation_id}-mandate-{attempt}"


CHECKOUT_PREFIX = "cs_"  # Stripe's prefix of a Checkout Session id


def is_checkout_ref(ref: str) -> bool:
    """Whether an attempt's reference is still a hosted page's, not yet a payment intent's."""
    return ref.startswith(CHECKOUT_PREFIX)


def checkout_key(invoice_id: int, attempt: int) -> str:
    return f"invoice-{invoice_id}-attempt-{attempt}-checkout"


def invoice_of(metadata: dict[str, str]) -> int | None:
    value = metadata.get("invoice_id")
    return int(value) if value and value.isdigit() else None
