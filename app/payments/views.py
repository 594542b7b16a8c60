"""Stripe's webhook: public, CSRF-exempt, and trusted only through Stripe's signature."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, request
from flask.blueprints import BlueprintSetupState

from app.extensions import csrf, db
from app.unit_of_work import after_commit
from purchasing.payments.provider import PaymentProvider, ProviderError, SignatureInvalid
from purchasing.payments.webhooks import handle_event
from workers.bookings import book_payments
from workers.settings import provider_from

blueprint = Blueprint("payments", __name__)


@blueprint.record_once
def _configure(state: BlueprintSetupState) -> None:
    state.app.extensions["payment_provider"] = provider_from(state.app.config)


def current_provider() -> PaymentProvider | None:
    provider: PaymentProvider | None = current_app.extensions.get("payment_provider")
    return provider


@blueprint.route("/payments/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook() -> Any:
    provider = current_provider()
    if provider is None:
        abort(404)
    try:
        event = provider.parse_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except SignatureInvalid:
        abort(400)
    try:
        handled = handle_event(db.session(), provider, event, datetime.now(UTC).date())
    except ProviderError:
        abort(503)  # Stripe delivers it again later
    book_after_commit(handled.payment_ids)
    return {"received": True, "duplicate": handled.is_duplicate}


def book_after_commit(payment_ids: tuple[int, ...]) -> None:
    """Post both sides of these payments once the request has committed them.

    What fails stays in the outbox, which the scheduled driver retries.
    """
    if payment_ids:
        engine = db.engine
        after_commit(lambda: book_payments(engine, payment_ids))
