"""Stripe's webhook over HTTP: localstripe signs and POSTs to the app served by werkzeug."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import stripe
from werkzeug.serving import make_server

from app import create_app
from purchasing.invoices.queries import InvoiceState, invoice_state
from purchasing.payments.provider import Method
from purchasing.payments.services import start_payment
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET, register_webhook
from tests.payments.drivers import GOOD_CARD
from workers.bookings import book_pending


@pytest.fixture(scope="module")
def served_app(app, localstripe) -> Iterator[object]:
    """The application with Stripe configured, listening on a free port; webhooks point at it."""
    stripe_app = create_app(
        {
            **{key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL")},
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": localstripe,
        }
    )
    server = make_server("127.0.0.1", 0, stripe_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    register_webhook(
        localstripe, "app", f"http://127.0.0.1:{server.server_port}/payments/stripe/webhook"
    )
    yield stripe_app
    server.shutdown()


def test_a_card_payment_on_stripe_settles_the_invoice_through_the_signed_webhook(
    served_app, engine, session, invoice, localstripe
):
    session.commit()
    book_pending(engine)  # the invoice itself, in both books
    provider = served_app.extensions["payment_provider"]
    intent = start_payment(session, provider, invoice.id, Method.CARD)
    session.commit()  # what the request that started the payment does
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe})
    card = client.v1.payment_methods.create(
        {"type": "card", "card": {"number": GOOD_CARD, "exp_month": 12, "exp_year": 2030,
                                  "cvc": "123"}}
    )  # fmt: skip
    client.v1.payment_intents.update(intent.id, {"payment_method": card.id})
    client.v1.payment_intents.confirm(intent.id)
    deadline = time.monotonic() + 10
    while not _settled_and_booked(state := invoice_state(session, invoice.id)):
        assert time.monotonic() < deadline, "the webhook never settled the invoice"
        time.sleep(0.2)
        session.expire_all()
    assert state.is_settled
    assert (state.bureau_booking, state.member_booking) == ("booked", "booked")


def _settled_and_booked(state: InvoiceState) -> bool:
    return state.is_settled and (state.bureau_booking, state.member_booking) == ("booked",) * 2


def test_a_webhook_without_a_valid_signature_is_refused(served_app):
    client = served_app.test_client()
    response = client.post(
        "/payments/stripe/webhook",
        data=b'{"id": "evt_x", "type": "payment_intent.succeeded"}',
        headers={"Stripe-Signature": "t=1,v1=00"},
    )
    assert response.status_code == 400


def test_without_stripe_keys_the_webhook_endpoint_does_not_exist(client):
    assert client.post("/payments/stripe/webhook", data=b"{}").status_code == 404
