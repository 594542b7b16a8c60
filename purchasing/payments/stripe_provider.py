"""The Stripe adapter: our provider interface over stripe-python, typed against its own types.

The only module that imports ``stripe``. In tests it talks to a local ``localstripe`` server
(``api_base``); in production to Stripe itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import stripe
from stripe.params import (
    CustomerCreateParams,
    PaymentIntentConfirmParams,
    PaymentIntentCreateParams,
    SetupIntentConfirmParams,
    SetupIntentCreateParams,
)
from stripe.params.checkout import SessionCreateParams

from purchasing.money import CURRENCY
from purchasing.payments.provider import (
    ChargeView,
    CheckoutStatus,
    CheckoutView,
    IntentStatus,
    IntentView,
    MandateAcceptance,
    NewIntent,
    ProviderError,
    ProviderEvent,
    SetupView,
    SignatureInvalid,
    checkout_key,
    customer_key,
    invoice_of,
    mandate_key,
)

# Every method we offer is named, rather than left to the dashboard, so an invoice is never
# offered a way to pay that the bureau cannot book.
_INTENT_EXPAND = ["latest_charge"]
# Dispute statuses in which the money is taken back (an inquiry, "warning_*", takes nothing).
MONEY_WITHHELD = frozenset({"needs_response", "under_review", "lost"})


class StripeProvider:
    """Payments through Stripe (or a Stripe-compatible server at ``api_base``)."""

    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str, api_base: str | None = None) -> None:
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else {},
            max_network_retries=2,
        )
        self._webhook_secret = webhook_secret

    def create_customer(self, organisation_id: int, name: str, email: str | None) -> str:
        params: CustomerCreateParams = {
            "name": name,
            "metadata": {"organisation_id": str(organisation_id)},
        }
        if email:
            params["email"] = email
        with _refusals():
            customer = self._client.v1.customers.create(
                params, {"idempotency_key": customer_key(organisation_id)}
            )
        return customer.id

    def create_payment_intent(self, intent: NewIntent) -> IntentView:
        params: PaymentIntentCreateParams = {
            "amount": intent.amount_cents,
            "currency": CURRENCY.lower(),
            "customer": intent.customer_id,
            "payment_method_types": [intent.method.value],
            "metadata": intent.metadata,
            "expand": _INTENT_EXPAND,
        }
        if intent.payment_method_id is not None:
            params["payment_method"] = intent.payment_method_id
            params["confirm"] = True
            params["off_session"] = True
        with _refusals():
            created = self._client.v1.payment_intents.create(
                params, {"idempotency_key": intent.idempotency_key}
            )
        return _intent_view(created)

    def retrieve_payment_intent(self, intent_id: str) -> IntentView:
        with _refusals():
            found = self._client.v1.payment_intents.retrieve(intent_id, {"expand": _INTENT_EXPAND})
        view = _intent_view(found)
        if view.is_disputed:
            view = replace(view, is_disputed=self._has_open_or_lost_dispute(intent_id))
        return view

    def _has_open_or_lost_dispute(self, intent_id: str) -> bool:
        """``charge.disputed`` stays true after a dispute the bureau won: ask the disputes."""
        with _refusals():
            disputes = self._client.v1.disputes.list({"payment_intent": intent_id, "limit": 10})
        return any(dispute.status in MONEY_WITHHELD for dispute in disputes.data)

    def confirm_ideal(self, intent_id: str, return_url: str) -> IntentView:
        params: PaymentIntentConfirmParams = {
            "payment_method_data": {"type": "ideal"},
            "return_url": return_url,
            "expand": _INTENT_EXPAND,
        }
        with _refusals():
            return _intent_view(self._client.v1.payment_intents.confirm(intent_id, params))

    def create_checkout(self, intent: NewIntent, success_url: str, cancel_url: str) -> CheckoutView:
        params: SessionCreateParams = {
            "mode": "payment",
            "customer": intent.customer_id,
            "payment_method_types": [intent.method.value],
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": CURRENCY.lower(),
                        "unit_amount": intent.amount_cents,
                        "product_data": {"name": f"Factuur {intent.invoice_number}"},
                    },
                }
            ],
            "client_reference_id": str(intent.invoice_id),
            "metadata": intent.metadata,
            "payment_intent_data": {"metadata": intent.metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        with _refusals():
            created = self._client.v1.checkout.sessions.create(
                params, {"idempotency_key": checkout_key(intent.invoice_id, intent.attempt)}
            )
        return _checkout_view(created)

    def retrieve_checkout(self, checkout_id: str) -> CheckoutView:
        with _refusals():
            return _checkout_view(self._client.v1.checkout.sessions.retrieve(checkout_id))

    def create_setup_intent(
        self, customer_id: str, organisation_id: int, attempt: int
    ) -> SetupView:
        params: SetupIntentCreateParams = {
            "customer": customer_id,
            "payment_method_types": ["sepa_debit"],
            "usage": "off_session",
            "metadata": {"organisation_id": str(organisation_id)},
        }
        with _refusals():
            created = self._client.v1.setup_intents.create(
                params, {"idempotency_key": mandate_key(organisation_id, attempt)}
            )
        return _setup_view(created)

    def retrieve_setup_intent(self, setup_id: str) -> SetupView:
        with _refusals():
            return _setup_view(self._client.v1.setup_intents.retrieve(setup_id))

    def confirm_mandate(self, setup_id: str, acceptance: MandateAcceptance) -> SetupView:
        params: SetupIntentConfirmParams = {
            "payment_method_data": {
                "type": "sepa_debit",
                "sepa_debit": {"iban": acceptance.iban},
                "billing_details": {
                    "name": acceptance.account_holder,
                    "email": acceptance.email,
                },
            },
            "mandate_data": {
                "customer_acceptance": {
                    "type": "online",
                    "online": {
                        "ip_address": acceptance.ip_address,
                        "user_agent": acceptance.user_agent,
                    },
                }
            },
        }
        with _refusals():
            return _setup_view(self._client.v1.setup_intents.confirm(setup_id, params))

    def detach_payment_method(self, payment_method_id: str) -> None:
        # Stripe refuses to detach a method that is not attached: asked first, so a second
        # call (a retry after a failed commit) is answered as done.
        with _refusals():
            method = self._client.v1.payment_methods.retrieve(payment_method_id)
            if method.customer is not None:
                self._client.v1.payment_methods.detach(payment_method_id)

    def retrieve_charge(self, charge_id: str) -> ChargeView:
        with _refusals():
            charge = self._client.v1.charges.retrieve(charge_id)
        return ChargeView(id=charge.id, payment_intent_id=_id_of(charge.payment_intent))

    def parse_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        try:
            event = stripe.Webhook.construct_event(payload, signature, self._webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise SignatureInvalid(str(error)) from error
        obj = event.data.object
        return ProviderEvent(
            id=event.id,
            type=event.type,
            object_id=str(obj["id"]) if "id" in obj else "",
            charge_id=_charge_of(obj),
        )


@contextmanager
def _refusals() -> Iterator[None]:
    """Turns stripe-python's errors into our ``ProviderError``, keeping the cause."""
    try:
        yield
    except stripe.StripeError as error:
        raise ProviderError(error.user_message or str(error)) from error


def _intent_view(intent: stripe.PaymentIntent) -> IntentView:
    charge = intent.latest_charge
    failure = intent.last_payment_error
    return IntentView(
        id=intent.id,
        status=IntentStatus(intent.status),
        amount_cents=intent.amount,
        currency=intent.currency.upper(),
        customer_id=_id_of(intent.customer),
        invoice_id=invoice_of(intent.metadata.to_dict()),
        client_secret=intent.client_secret,
        charge_id=_id_of(charge),
        refunded_cents=charge.amount_refunded if isinstance(charge, stripe.Charge) else 0,
        is_disputed=isinstance(charge, stripe.Charge) and _flag(charge, "disputed"),
        failure_code=None if failure is None else failure.code,
        redirect_url=_redirect_of(intent),
    )


def _redirect_of(intent: stripe.PaymentIntent) -> str | None:
    action = intent.next_action
    if action is None or action.redirect_to_url is None:
        return None
    return action.redirect_to_url.url


def _checkout_view(checkout: stripe.checkout.Session) -> CheckoutView:
    metadata = checkout.metadata.to_dict() if checkout.metadata is not None else {}
    return CheckoutView(
        id=checkout.id,
        status=CheckoutStatus(checkout.status or CheckoutStatus.OPEN),
        url=checkout.url,
        payment_intent_id=_id_of(checkout.payment_intent),
        invoice_id=invoice_of(metadata),
    )


def _setup_view(setup: stripe.SetupIntent) -> SetupView:
    metadata = setup.metadata.to_dict() if setup.metadata is not None else {}
    organisation = metadata.get("organisation_id", "")
    return SetupView(
        id=setup.id,
        status=IntentStatus(setup.status),
        customer_id=_id_of(setup.customer),
        payment_method_id=_id_of(setup.payment_method),
        client_secret=setup.client_secret,
        organisation_id=int(organisation) if organisation.isdigit() else None,
    )


def _id_of(field: str | stripe.StripeObject | None) -> str | None:
    """The id of an expandable field, whether Stripe sent the id or the whole object."""
    if field is None or isinstance(field, str):
        return field
    return str(field["id"])


def _charge_of(obj: stripe.StripeObject) -> str | None:
    if "object" in obj and obj["object"] == "charge":
        return str(obj["id"])
    return str(obj["charge"]) if "charge" in obj else None


def _flag(obj: stripe.StripeObject, name: str) -> bool:
    # Stripe always sends these flags; a Stripe-compatible test server may leave them out.
    return bool(obj[name]) if name in obj else False
