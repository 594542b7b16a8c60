"""A member organisation's own invoices from the bureau: list, PDF, and paying online."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template
from flask_babel import gettext as _

from app.books.params import today
from app.extensions import db
from app.invoices import reads
from app.invoices.downloads import pdf_response
from app.invoices.qr import epc_qr_data_uri
from app.payments.views import current_provider
from app.tenancy import organisation_blueprint, requires
from ledger.errors import NotFound, message
from purchasing.invoices.queries import invoice_state
from purchasing.invoices.transfer import transfer_instructions
from purchasing.models import PaymentMethod
from tenants.roles import Role

blueprint = organisation_blueprint("invoices", __name__)

# The payments area's page, offered when online payment is configured.
PAY_ENDPOINT = "pay.pay_invoice"


@blueprint.route("/invoices")
@requires(Role.VIEWER)
def index() -> Any:
    rows = reads.invoice_rows(db.session(), customer_id=g.org.id)
    return render_template(
        "invoices/member/index.html", rows=rows, can_pay=_can_pay(), pay_endpoint=PAY_ENDPOINT
    )


@blueprint.route("/invoices/<int:invoice_id>")
@requires(Role.VIEWER)
def detail(invoice_id: int) -> Any:
    """One invoice: its lines, where it stands, what was paid, and how to pay what is open."""
    session = db.session()
    invoice = reads.invoice_with_lines(session, invoice_id)
    if invoice is None or invoice.customer_id != g.org.id:
        raise NotFound(message("Deze factuur bestaat niet."))
    state = invoice_state(session, invoice_id)
    transfer = transfer_instructions(invoice, state.open)
    return render_template(
        "invoices/member/detail.html",
        invoice=invoice,
        state=state,
        payments=reads.payments_of(session, invoice_id),
        transfer=transfer,
        qr_code=epc_qr_data_uri(transfer) if transfer else None,
        can_pay=_can_pay(),
        pay_endpoint=PAY_ENDPOINT,
        today=today(),
        method_names=_method_names(),
    )


def _method_names() -> dict[str, str]:
    return {
        PaymentMethod.BANK_TRANSFER: _("overboeking"),
        PaymentMethod.SEPA_DIRECT_DEBIT: _("incasso"),
        PaymentMethod.STRIPE: _("online betaald"),
        PaymentMethod.CASH: _("contant"),
    }


def _can_pay() -> bool:
    """Online payment is offered when configured, to the owner: paying is the treasurer's."""
    return (
        PAY_ENDPOINT in current_app.view_functions
        and current_provider() is not None
        and g.org.allows(Role.OWNER)
    )


@blueprint.route("/invoices/<int:invoice_id>/pdf")
@requires(Role.VIEWER)
def pdf(invoice_id: int) -> Any:
    return pdf_response(db.session(), invoice_id, customer_id=g.org.id)
