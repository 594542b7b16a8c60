"""A member pays the bureau online: iDEAL, card on a hosted page, or SEPA under a mandate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.errors import translated
from app.extensions import db
from app.form_input import is_ticked, text
from app.invoices import reads
from app.payments.views import book_after_commit, current_provider
from app.tenancy import organisation_blueprint, requires
from purchasing.errors import ValidationFailed
from purchasing.invoices.queries import invoice_state
from purchasing.models import Invoice
from purchasing.payments.paying import come_back, give_mandate, pay_by_card, pay_by_ideal
from purchasing.payments.provider import MandateAcceptance, PaymentProvider, ProviderError
from purchasing.payments.services import MandateJustGiven, active_mandate, debit_with_mandate
from tenants.roles import Role

blueprint = organisation_blueprint("pay", __name__)
CHECKOUT_ID = "{CHECKOUT_SESSION_ID}"  # Stripe fills in the hosted page's id on return


@blueprint.route("/invoices/<int:invoice_id>/pay")
@requires(Role.OWNER)
def pay_invoice(invoice_id: int) -> Any:
    _provider()
    session = db.session()
    invoice = _own_invoice(invoice_id)
    return render_template(
        "payments/pay.html",
        invoice=invoice,
        state=invoice_state(session, invoice.id),
        mandate=active_mandate(session, g.org.id),
    )


@blueprint.route("/invoices/<int:invoice_id>/pay/ideal", methods=["POST"])
@requires(Role.OWNER)
def ideal(invoice_id: int) -> Any:
    provider, invoice = _provider(), _own_invoice(invoice_id)
    return_url = url_for(".returned", invoice_id=invoice.id, _external=True)
    return _redirect_or_explain(
        invoice.id, lambda: pay_by_ideal(db.session(), provider, invoice.id, return_url)
    )


@blueprint.route("/invoices/<int:invoice_id>/pay/card", methods=["POST"])
@requires(Role.OWNER)
def card(invoice_id: int) -> Any:
    provider, invoice = _provider(), _own_invoice(invoice_id)
    back = url_for(".returned", invoice_id=invoice.id, _external=True)
    cancel = url_for(".pay_invoice", invoice_id=invoice.id, _external=True)
    return _redirect_or_explain(
        invoice.id,
        lambda: pay_by_card(
            db.session(), provider, invoice.id, f"{back}?session_id={CHECKOUT_ID}", cancel
        ),
    )


@blueprint.route("/invoices/<int:invoice_id>/pay/debit", methods=["POST"])
@requires(Role.OWNER)
def debit(invoice_id: int) -> Any:
    provider, invoice = _provider(), _own_invoice(invoice_id)
    try:
        intent = debit_with_mandate(db.session(), provider, invoice.id)
    except (ValidationFailed, ProviderError) as error:
        return _explain(invoice.id, error)
    return redirect(url_for(".returned", invoice_id=invoice.id, payment_intent=intent.id))


@blueprint.route("/invoices/<int:invoice_id>/pay/return")
@requires(Role.OWNER)
def returned(invoice_id: int) -> Any:
    """Back from the bank or the card page: what the provider says now, never the URL."""
    provider, invoice = _provider(), _own_invoice(invoice_id)
    reference = text(request.args, "payment_intent") or text(request.args, "session_id")
    today = datetime.now(UTC).date()
    outcome = come_back(db.session(), provider, invoice.id, reference, today)
    book_after_commit(outcome.payment_ids)
    return render_template(
        "payments/returned.html",
        invoice=invoice,
        outcome=outcome,
        state=invoice_state(db.session(), invoice.id),
    )


@blueprint.route("/payments/mandate", methods=["GET", "POST"])
@requires(Role.OWNER)
def mandate() -> Any:
    session = db.session()
    bureau = next(iter(reads.bureaus(session)), None)
    if current_provider() is None and request.method == "GET":
        # Without online payment the page says how else to give a mandate.
        return render_template("payments/mandate.html", offered=False, bureau_name="")
    provider = _provider()
    if request.method == "POST":
        if not is_ticked(request.form, "accept", "yes"):
            flash(_("Ga akkoord met de machtiging om verder te gaan."), "error")
        else:
            try:
                give_mandate(session, provider, g.org.id, _acceptance())
                flash(_("De machtiging is vastgelegd."))
                return redirect(url_for("invoices.index"))
            except MandateJustGiven as repeat:  # a double click: the first send's mandate holds
                flash(translated(repeat))
                return redirect(url_for("invoices.index"))
            except (ValidationFailed, ProviderError) as error:
                flash(_message(error), "error")
    return render_template(
        "payments/mandate.html",
        offered=True,
        bureau_name=bureau.name if bureau else "",
        mandate=active_mandate(session, g.org.id),
        form=request.form,
    )


def _acceptance() -> MandateAcceptance:
    return MandateAcceptance(
        iban=text(request.form, "iban"),
        account_holder=text(request.form, "account_holder"),
        email=str(current_user.email),
        ip_address=request.remote_addr or "",
        user_agent=request.user_agent.string,
        accepted_at=datetime.now(UTC),
    )


def _redirect_or_explain(invoice_id: int, start: Callable[[], str]) -> Any:
    try:
        return redirect(start())
    except (ValidationFailed, ProviderError) as error:
        return _explain(invoice_id, error)


def _explain(invoice_id: int, error: ValidationFailed | ProviderError) -> Any:
    flash(_message(error), "error")
    return redirect(url_for(".pay_invoice", invoice_id=invoice_id))


def _message(error: ValidationFailed | ProviderError) -> str:
    if isinstance(error, ValidationFailed):
        return translated(error)
    return str(_("De betaaldienst weigerde het verzoek: %(reason)s", reason=str(error)))


def _provider() -> PaymentProvider:
    provider = current_provider()
    if provider is None:
        abort(404)  # no keys, no online payment
    return provider


def _own_invoice(invoice_id: int) -> Invoice:
    invoice = db.session().get(Invoice, invoice_id)
    if invoice is None or invoice.customer_id != g.org.id:
        abort(404)
    return invoice
