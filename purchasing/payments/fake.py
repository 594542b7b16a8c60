"""An in-memory payment provider with Stripe's behaviour, for tests only.

It does what the local Stripe server cannot: iDEAL, SEPA outcomes that arrive days later,
idempotent replays (and the refusal of a key reused with other parameters), refunds and
disputes. It passes the same contract tests as the Stripe adapter. Customer-side steps (what
Stripe.js and the bank would do) are its extra methods; its webhooks are signed the way
Stripe signs them, so they go through the same verification.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from purchasing.money import CURRENCY
from purchasing.payments.provider import (
    ChargeView,
    CheckoutStatus,
    CheckoutView,
    IntentStatus,
    IntentView,
    MandateAcceptance,
    Method,
    NewIntent,
    ProviderError,
    ProviderEvent,
    SetupView,
    SignatureInvalid,
    checkout_key,
    customer_key,
    mandate_key,
)

DECLINED_CARD = "4000000000000002"
FAILING_IBAN = "DE62370400440532013001"  # the IBAN Stripe's test mode lets fail
SEPA_DAYS = 5  # business days are the bank's business; a fixed delay is enough to test
TOLERANCE = timedelta(minutes=5)
BANK_URL = "https://bank.fake/ideal"
CHECKOUT_URL = "https://checkout.fake/pay"

_T = TypeVar("_T")
_Create = Callable[[], str]


@dataclass(frozen=True)
class Delivery:
    """One webhook as it goes over the wire: the body and its signature header."""

    payload: bytes
    signature: str


@dataclass
class _Pending:
    intent_id: str
    iban: str
    due_at: datetime


@dataclass
class FakeProvider:
    """Payments in memory; ``now`` moves only when a test moves it."""

    webhook_secret: str = "whsec_fake"  # noqa: S105  (a test double's secret)
    now: datetime = field(default_factory=lambda: datetime(2026, 3, 20, 9, tzinfo=UTC))
    name: str = "stripe"
    outbox: list[Delivery] = field(default_factory=list)
    _intents: dict[str, IntentView] = field(default_factory=dict)
    _setups: dict[str, SetupView] = field(default_factory=dict)
    _charges: dict[str, str] = field(default_factory=dict)
    _customers: set[str] = field(default_factory=set)
    _mandates: dict[str, str] = field(default_factory=dict)  # payment method id -> IBAN
    _replies: dict[str, tuple[str, str]] = field(default_factory=dict)
    _pending: list[_Pending] = field(default_factory=list)
    _checkouts: dict[str, CheckoutView] = field(default_factory=dict)
    _checkout_intents: dict[str, NewIntent] = field(default_factory=dict)
    acceptances: dict[str, MandateAcceptance] = field(default_factory=dict)  # by setup id
    detached: list[str] = field(default_factory=list)  # payment method ids, in order
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # Ids are unique across fakes too, as Stripe's are across its accounts.
    _run: str = field(default_factory=lambda: secrets.token_hex(4))

    # The provider interface.

    def create_customer(self, organisation_id: int, name: str, email: str | None) -> str:
        def create() -> str:
            customer_id = self._new_id("cus")
            self._customers.add(customer_id)
            return customer_id

        return self._once(customer_key(organisation_id), repr((name, email)), create)

    def create_payment_intent(self, intent: NewIntent) -> IntentView:
        intent_id = self._once(intent.idempotency_key, repr(intent), lambda: self._create(intent))
        return self._intents[intent_id]

    def retrieve_payment_intent(self, intent_id: str) -> IntentView:
        return self._get(self._intents, intent_id)

    def confirm_ideal(self, intent_id: str, return_url: str) -> IntentView:
        intent = self._get(self._intents, intent_id)
        if intent.status != IntentStatus.REQUIRES_PAYMENT_METHOD:
            raise ProviderError(f"{intent_id} cannot be confirmed in status {intent.status}")
        self._intents[intent_id] = replace(
            intent,
            status=IntentStatus.REQUIRES_ACTION,
            redirect_url=f"{BANK_URL}/{intent_id}?return_url={return_url}",
        )
        return self._intents[intent_id]

    def create_checkout(self, intent: NewIntent, success_url: str, cancel_url: str) -> CheckoutView:
        def create() -> str:
            self._known_customer(intent.customer_id)
            checkout_id = self._new_id("cs")
            self._checkout_intents[checkout_id] = intent
            self._checkouts[checkout_id] = CheckoutView(
                checkout_id, CheckoutStatus.OPEN, f"{CHECKOUT_URL}/{checkout_id}", None,
                intent.invoice_id,
            )  # fmt: skip
            return checkout_id

        key = checkout_key(intent.invoice_id, intent.attempt)
        return self._checkouts[self._once(key, repr(intent), create)]

    def retrieve_checkout(self, checkout_id: str) -> CheckoutView:
        return self._get(self._checkouts, checkout_id)

    def create_setup_intent(
        self, customer_id: str, organisation_id: int, attempt: int
    ) -> SetupView:
        def create() -> str:
            self._known_customer(customer_id)
            setup_id = self._new_id("seti")
            self._setups[setup_id] = SetupView(
                setup_id, IntentStatus.REQUIRES_PAYMENT_METHOD, customer_id, None,
                f"{setup_id}_secret", organisation_id,
            )  # fmt: skip
            return setup_id

        setup_id = self._once(mandate_key(organisation_id, attempt), customer_id, create)
        return self._setups[setup_id]

    def retrieve_setup_intent(self, setup_id: str) -> SetupView:
        return self._get(self._setups, setup_id)

    def confirm_mandate(self, setup_id: str, acceptance: MandateAcceptance) -> SetupView:
        if not acceptance.account_holder.strip() or not acceptance.email:
            raise ProviderError("a SEPA mandate needs the account holder's name and e-mail")
        self.acceptances[setup_id] = acceptance
        return self.confirm_setup(setup_id, acceptance.iban)

    def retrieve_charge(self, charge_id: str) -> ChargeView:
        return ChargeView(charge_id, self._get(self._charges, charge_id))

    def detach_payment_method(self, payment_method_id: str) -> None:
        if payment_method_id not in self._mandates and payment_method_id not in self.detached:
            raise ProviderError(f"No such payment method: {payment_method_id}")
        if self._mandates.pop(payment_method_id, None) is not None:  # no debit under it again
            self.detached.append(payment_method_id)

    def parse_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        parts = dict(part.split("=", 1) for part in (signature or "").split(",") if "=" in part)
        timestamp = parts.get("t", "")
        if not timestamp.isdigit() or not hmac.compare_digest(
            parts.get("v1", ""), self._sign(timestamp, payload)
        ):
            raise SignatureInvalid("no valid signature")
        if abs(self.now - datetime.fromtimestamp(int(timestamp), UTC)) > TOLERANCE:
            raise SignatureInvalid("timestamp outside the tolerance")
        body = json.loads(payload)
        obj = body["data"]["object"]
        return ProviderEvent(body["id"], body["type"], obj["id"], obj.get("charge"))

    # What the customer, the bank and the bureau's dashboard do.

    def confirm_card(self, intent_id: str, number: str) -> IntentView:
        if number == DECLINED_CARD:
            return self._fail(intent_id, "card_declined")
        return self._succeed(intent_id)

    def pay_checkout(self, checkout_id: str, number: str) -> CheckoutView:
        """The customer pays on the hosted page: an intent is made and the card charged."""
        checkout = self._get(self._checkouts, checkout_id)
        new = self._checkout_intents[checkout_id]
        intent_id = self._create(replace(new, payment_method_id=None))
        paid = self.confirm_card(intent_id, number)
        status = CheckoutStatus.COMPLETE if paid.is_paid else CheckoutStatus.OPEN
        self._checkouts[checkout_id] = replace(checkout, status=status, payment_intent_id=intent_id)
        if paid.is_paid:
            self._emit("checkout.session.completed", checkout_id)
        return self._checkouts[checkout_id]

    def authorise_ideal(self, intent_id: str, *, approved: bool = True) -> IntentView:
        return self._succeed(intent_id) if approved else self._fail(intent_id, "payment_declined")

    def confirm_sepa(self, intent_id: str, iban: str) -> IntentView:
        """The mandate is signed; the debit is processing until the bank answers, days later."""
        self._pending.append(_Pending(intent_id, iban, self.now + timedelta(days=SEPA_DAYS)))
        return self._update(intent_id, "payment_intent.processing", status=IntentStatus.PROCESSING)

    def confirm_setup(self, setup_id: str, iban: str) -> SetupView:
        method_id = self._new_id("pm")
        self._mandates[method_id] = iban
        self._setups[setup_id] = replace(
            self._get(self._setups, setup_id),
            status=IntentStatus.SUCCEEDED,
            payment_method_id=method_id,
        )
        self._emit("setup_intent.succeeded", setup_id)
        return self._setups[setup_id]

    def advance(self, days: int) -> None:
        """Let time pass: SEPA debits whose answer is due now succeed or come back."""
        self.now += timedelta(days=days)
        due = [debit for debit in self._pending if debit.due_at <= self.now]
        self._pending = [debit for debit in self._pending if debit.due_at > self.now]
        for debit in due:
            if debit.iban.replace(" ", "") == FAILING_IBAN:
                self._fail(debit.intent_id, "insufficient_funds")
            else:
                self._succeed(debit.intent_id)

    def refund(self, charge_id: str) -> None:
        intent = self._get(self._intents, self._get(self._charges, charge_id))
        self._intents[intent.id] = replace(intent, refunded_cents=intent.amount_cents)
        self._emit("charge.refunded", charge_id, charge_id)

    def dispute(self, charge_id: str) -> None:
        intent = self._get(self._intents, self._get(self._charges, charge_id))
        self._intents[intent.id] = replace(intent, is_disputed=True)
        self._emit("charge.dispute.created", self._new_id("dp"), charge_id)

    def win_dispute(self, charge_id: str) -> None:
        """The bank decided for the bureau: the disputed money comes back."""
        intent = self._get(self._intents, self._get(self._charges, charge_id))
        self._intents[intent.id] = replace(intent, is_disputed=False)
        self._emit("charge.dispute.closed", self._new_id("dp"), charge_id)

    # Inside.

    def _create(self, intent: NewIntent) -> str:
        self._known_customer(intent.customer_id)
        intent_id = self._new_id("pi")
        status = IntentStatus.REQUIRES_PAYMENT_METHOD
        if intent.payment_method_id is not None:
            status = IntentStatus.PROCESSING
        self._intents[intent_id] = IntentView(
            intent_id, status, intent.amount_cents, CURRENCY, intent.customer_id,
            intent.invoice_id, f"{intent_id}_secret",
        )  # fmt: skip
        if intent.payment_method_id is not None and intent.method == Method.SEPA_DEBIT:
            due = self.now + timedelta(days=SEPA_DAYS)
            iban = self._get(self._mandates, intent.payment_method_id)
            self._pending.append(_Pending(intent_id, iban, due))
        return intent_id

    def _succeed(self, intent_id: str) -> IntentView:
        charge_id = self._new_id("ch")
        self._charges[charge_id] = intent_id
        return self._update(
            intent_id,
            "payment_intent.succeeded",
            status=IntentStatus.SUCCEEDED,
            charge_id=charge_id,
            redirect_url=None,
        )

    def _fail(self, intent_id: str, code: str) -> IntentView:
        return self._update(
            intent_id,
            "payment_intent.payment_failed",
            status=IntentStatus.REQUIRES_PAYMENT_METHOD,
            failure_code=code,
            redirect_url=None,
        )

    def _update(self, intent_id: str, event: str, **changes: object) -> IntentView:
        self._intents[intent_id] = replace(self._get(self._intents, intent_id), **changes)  # type: ignore[arg-type]
        self._emit(event, intent_id)
        return self._intents[intent_id]

    def _emit(self, event_type: str, object_id: str, charge_id: str | None = None) -> None:
        obj = {"id": object_id, "charge": charge_id}
        body = {"id": self._new_id("evt"), "type": event_type, "data": {"object": obj}}
        payload = json.dumps(body).encode()
        timestamp = str(int(self.now.timestamp()))
        self.outbox.append(Delivery(payload, f"t={timestamp},v1={self._sign(timestamp, payload)}"))

    def _sign(self, timestamp: str, payload: bytes) -> str:
        signed = timestamp.encode() + b"." + payload
        return hmac.new(self.webhook_secret.encode(), signed, hashlib.sha256).hexdigest()

    def _once(self, key: str, fingerprint: str, create: _Create) -> str:
        """Stripe's idempotency: the same key gives the same object; other parameters, an error."""
        if key in self._replies:
            seen, result = self._replies[key]
            if seen != fingerprint:
                raise ProviderError(f"idempotency key {key} reused with other parameters")
            return result
        result = create()
        self._replies[key] = (fingerprint, result)
        return result

    def _known_customer(self, customer_id: str) -> None:
        if customer_id not in self._customers:
            raise ProviderError(f"no such customer: {customer_id}")

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{self._run}{next(self._ids):06d}"

    @staticmethod
    def _get(table: dict[str, _T], key: str) -> _T:
        if key not in table:
            raise ProviderError(f"no such object: {key}")
        return table[key]
