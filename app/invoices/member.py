"""A member organisation's own invoices from the bureau: list, PDF, and paying online."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template

from app.extensions import db
from app.invoices import reads
from app.invoices.downloads import pdf_response
from app.payments.views import current_provider
from app.tenancy import organisation_blueprint, requires
from tenants.roles import Role

blueprint = organisation_blueprint("invoices", __name__)

# The payments area's page, offered when online payment is configured.
PAY_ENDPOINT = "pay.pay_invoice"


@blueprint.route("/invoices")
@requires(Role.VIEWER)
def index() -> Any:
    rows = reads.invoice_rows(db.session(), customer_id=g.org.id)
    can_pay = (
        PAY_ENDPOINT in current_app.view_functions
        and current_provider() is not None
        and g.org.allows(Role.OWNER)  # paying the bureau is the treasurer's
    )
    return render_template(
        "invoices/member/index.html", rows=rows, can_pay=can_pay, pay_endpoint=PAY_ENDPOINT
    )


@blueprint.route("/invoices/<int:invoice_id>/pdf")
@requires(Role.VIEWER)
def pdf(invoice_id: int) -> Any:
    return pdf_response(db.session(), invoice_id, customer_id=g.org.id)
