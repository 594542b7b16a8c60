"""What the customer's browser and bank do, per provider: the other half of the contract tests."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stripe

from purchasing.payments.fake import FakeProvider
from purchasing.payments.provider import IntentView, PaymentProvider, SetupView

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # attaches, then declines when charged
GOOD_IBAN = "NL91ABNA0417164300"
FAILING_IBAN = "DE62370400440532013001"


@dataclass
class Receiver:
    """A plain HTTP endpoint that keeps every webhook delivered to it."""

    deliveries: list[tuple[bytes, str]] = field(default_factory=list)

    def start(self) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.deliveries.append((body, self.headers["Stripe-Signature"]))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/"

    def about(self, object_id: str, event_type: str, timeout: float = 5) -> tuple[bytes, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for payload, signature in list(self.deliveries):
                body = json.loads(payload)
                if body["type"] == event_type and body["data"]["object"]["id"] == object_id:
                    return payload, signature
            time.sleep(0.05)
        raise AssertionError(f"no {event_type} delivered for {object_id}")


@dataclass
class StripeDriver:
    provider: PaymentProvider
    client: stripe.StripeClient
    receiver: Receiver

    def confirm_card(self, intent_id: str, number: str) -> IntentView:
        method = self.client.v1.payment_methods.create(
            {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030,
                                      "cvc": "123"}}
        )  # fmt: skip
        self.client.v1.payment_intents.update(intent_id, {"payment_method": method.id})
        with contextlib.suppress(stripe.CardError):  # the intent tells what happened
            self.client.v1.payment_intents.confirm(intent_id)
        return self.provider.retrieve_payment_intent(intent_id)

    def confirm_sepa(self, intent_id: str, iban: str) -> IntentView:
        method = self.client.v1.payment_methods.create(
            {"type": "sepa_debit", "sepa_debit": {"iban": iban}}
        )
        self.client.v1.payment_intents.update(intent_id, {"payment_method": method.id})
        return self.provider.retrieve_payment_intent(
            self.client.v1.payment_intents.confirm(intent_id).id
        )

    def confirm_setup(self, setup_id: str, iban: str) -> SetupView:
        method = self.client.v1.payment_methods.create(
            {"type": "sepa_debit", "sepa_debit": {"iban": iban}}
        )
        self.client.v1.setup_intents.confirm(setup_id, {"payment_method": method.id})
        return self.provider.retrieve_setup_intent(setup_id)

    def is_attached(self, payment_method_id: str) -> bool:
        return self.client.v1.payment_methods.retrieve(payment_method_id).customer is not None

    def let_the_bank_answer(self, intent_id: str) -> IntentView:
        deadline = time.monotonic() + 5
        while (intent := self.provider.retrieve_payment_intent(intent_id)).status == "processing":
            assert time.monotonic() < deadline, "the SEPA debit never settled"
            time.sleep(0.1)
        return intent

    def delivery(self, object_id: str, event_type: str) -> tuple[bytes, str]:
        return self.receiver.about(object_id, event_type)


@dataclass
class FakeDriver:
    provider: FakeProvider

    def confirm_card(self, intent_id: str, number: str) -> IntentView:
        if number == DECLINED_CARD:
            number = "4000000000000002"
        return self.provider.confirm_card(intent_id, number)

    def confirm_sepa(self, intent_id: str, iban: str) -> IntentView:
        return self.provider.confirm_sepa(intent_id, iban)

    def confirm_setup(self, setup_id: str, iban: str) -> SetupView:
        return self.provider.confirm_setup(setup_id, iban)

    def is_attached(self, payment_method_id: str) -> bool:
        return payment_method_id not in self.provider.detached

    def let_the_bank_answer(self, intent_id: str) -> IntentView:
        self.provider.advance(days=14)
        return self.provider.retrieve_payment_intent(intent_id)

    def delivery(self, object_id: str, event_type: str) -> tuple[bytes, str]:
        for delivery in self.provider.outbox:
            body = json.loads(delivery.payload)
            if body["type"] == event_type and body["data"]["object"]["id"] == object_id:
                return delivery.payload, delivery.signature
        raise AssertionError(f"no {event_type} delivered for {object_id}")
