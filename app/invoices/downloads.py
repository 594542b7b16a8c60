"""An invoice PDF as a download response, for the bureau's pages and the member's."""

from __future__ import annotations

from flask import Response, abort
from sqlalchemy.orm import Session

from purchasing.documents.pdf import invoice_pdf, pdf_filename
from purchasing.models import Invoice


def pdf_response(session: Session, invoice_id: int, *, customer_id: int | None = None) -> Response:
    """The PDF; a 404 for an unknown invoice or (with ``customer_id``) someone else's."""

    invoice = session.get(Invoice, invoice_id)
    if invoice is None or (customer_id is not None and invoice.customer_id != customer_id):
        abort(404)
    response = Response(invoice_pdf(session, invoice_id), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(invoice)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
