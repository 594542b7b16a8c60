"""Bureau pages: invoices with their PDF and e-mail, runs with live progress, arrears."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from app.bureau.access import require_bureau_admin
from app.errors import translated
from app.extensions import db
from app.form_input import amount, day, is_ticked, text
from app.invoices import reads
from app.invoices.downloads import pdf_response
from app.payments.views import current_provider
from app.refusals import attempt, go_back, succeeded
from app.words import run_status
from ledger.clock import today
from ledger.days import parse_day
from purchasing.arrears import BUCKETS, NOT_DUE, arrears_overview
from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.invoices.documents import credit_invoice
from purchasing.invoices.payments import record_payment
from purchasing.invoices.queries import invoice_state
from purchasing.invoices.requirements import missing_on_invoice
from purchasing.models import PaymentMethod
from purchasing.payments.provider import ProviderError
from purchasing.payments.services import active_mandate, debit_with_mandate
from purchasing.runs.queries import recent_runs, run_invoices, run_view
from workers.billing_jobs import enqueue_invoice_mail, enqueue_run_debits
from workers.queues import redis_connection

blueprint = Blueprint("invoices_bureau", __name__, url_prefix="/bureau")
blueprint.before_request(require_bureau_admin)


@blueprint.route("/invoices")
def index() -> Any:
    only_open = is_ticked(request.args, "open", "1")
    rows = reads.invoice_rows(db.session(), only_open=only_open)
    return render_template("invoices/bureau/index.html", rows=rows, only_open=only_open)


@blueprint.route("/invoices/<int:invoice_id>")
def detail(invoice_id: int) -> Any:
    session = db.session()
    invoice = reads.invoice_with_lines(session, invoice_id)
    if invoice is None:
        raise NotFound(message("Deze factuur bestaat niet."))
    can_debit = current_provider() is not None and (
        active_mandate(session, invoice.customer_id) is not None
    )
    return render_template(
        "invoices/bureau/detail.html",
        invoice=invoice,
        can_debit=can_debit,
        state=invoice_state(session, invoice_id),
        payments=reads.payments_of(session, invoice_id),
        messages=reads.messages_of(session, invoice_id),
        missing_customer=missing_on_invoice(invoice.customer),
        payment_token=secrets.token_urlsafe(16),
        today=today(),
    )


@blueprint.route("/invoices/<int:invoice_id>/pdf")
def pdf(invoice_id: int) -> Any:
    return pdf_response(db.session(), invoice_id)


@blueprint.route("/invoices/<int:invoice_id>/mail", methods=["POST"])
def mail(invoice_id: int) -> Any:
    enqueue_invoice_mail(redis_connection(current_app.config["REDIS_URL"]), invoice_id)
    flash(_("De factuur wordt per e-mail verstuurd."))
    return redirect(url_for(".detail", invoice_id=invoice_id))


@blueprint.route("/invoices/<int:invoice_id>/debit", methods=["POST"])
def debit(invoice_id: int) -> Any:
    """Collect the open amount under the member's SEPA mandate at the payment provider."""
    provider = current_provider()
    if provider is None:
        abort(404)
    try:
        debit_with_mandate(db.session(), provider, invoice_id)
        flash(_("De incasso is aangeboden; de bank meldt binnen enkele werkdagen de uitkomst."))
    except (ValidationFailed, ProviderError) as error:
        flash(translated(error) if isinstance(error, ValidationFailed) else str(error), "error")
    return redirect(url_for(".detail", invoice_id=invoice_id))


@blueprint.route("/invoices/<int:invoice_id>/payments", methods=["POST"])
def record_payment_by_hand(invoice_id: int) -> Any:
    """A payment the bureau saw arrive outside the bank import (cash, or a transfer by hand).

    The form carries a token of its own, kept as the payment's reference, so submitting it
    twice records one payment.
    """
    form = request.form
    token = text(form, "token")[:40]
    back = url_for(".detail", invoice_id=invoice_id)
    return attempt(
        lambda: record_payment(
            db.session(),
            invoice_id,
            amount(form, "amount"),
            day(form, "paid_on", default=today()),
            _hand_method(text(form, "method")),
            f"hand-{token}" if token else None,
        ),
        succeeded(back, _("De betaling is vastgelegd en in beide boeken geboekt.")),
        go_back(back),
    )


@blueprint.route("/invoices/<int:invoice_id>/credit", methods=["POST"])
def credit(invoice_id: int) -> Any:
    """A credit note for the whole invoice, booked on both sides."""
    reason = text(request.form, "reason")[:200]

    def make_note() -> int:
        if not reason:
            raise ValidationFailed(message("Vul de reden van de creditnota in."), field="reason")
        return credit_invoice(db.session(), invoice_id, today(), reason)

    return attempt(
        make_note,
        succeeded(
            lambda note_id: url_for(".detail", invoice_id=note_id),
            _("De creditnota is gemaakt en in beide boeken geboekt."),
        ),
        go_back(url_for(".detail", invoice_id=invoice_id)),
    )


def _hand_method(value: str) -> PaymentMethod:
    if value not in (PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH):
        raise ValidationFailed(message("Kies hoe er is betaald."), field="method")
    return PaymentMethod(value)


@blueprint.route("/runs")
def runs() -> Any:
    return render_template("invoices/bureau/runs.html", runs=recent_runs(db.session()))


@blueprint.route("/runs/<int:run_id>")
def run(run_id: int) -> Any:
    return render_template(
        "invoices/bureau/run.html",
        run=run_view(db.session(), run_id),
        invoices=run_invoices(db.session(), run_id),
        can_debit=current_provider() is not None,
    )


@blueprint.route("/runs/<int:run_id>/debit", methods=["POST"])
def debit_run(run_id: int) -> Any:
    """Queue the collection of the run's invoices under the members' Stripe mandates."""
    if current_provider() is None:
        abort(404)
    run_view(db.session(), run_id)  # a 404 for an unknown run
    enqueue_run_debits(redis_connection(current_app.config["REDIS_URL"]), run_id)
    flash(_("De incasso's onder machtiging worden aangeboden."))
    return redirect(url_for(".run", run_id=run_id))


@blueprint.route("/runs/<int:run_id>/progress")
def run_progress(run_id: int) -> Any:
    """What the progress bar polls: small, and never cached."""
    view = run_view(db.session(), run_id)
    response = jsonify(
        status=view.status.value,
        status_label=run_status(view.status.value),
        done=view.done,
        total=view.total,
        percent=view.percent,
        error=view.error,
        finished=view.status.value in ("done", "failed"),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/arrears")
def arrears() -> Any:
    as_of = _date_arg("on") or today()
    return render_template(
        "invoices/bureau/arrears.html",
        overview=arrears_overview(db.session(), as_of),
        buckets=[NOT_DUE, *(name for name, _low, _high in BUCKETS)],
    )


def _date_arg(name: str) -> date | None:
    return parse_day(text(request.args, name))
