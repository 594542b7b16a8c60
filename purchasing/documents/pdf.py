"""The invoice or credit note as a PDF (WeasyPrint), with every field Dutch law asks for.

Rendered from the invoice's own snapshot of both parties, so a PDF made years later shows
what was issued, whatever the organisations have changed since.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from ledger.ibans import printed_iban
from purchasing.documents.formatting import day, euro, percent
from purchasing.errors import NotFound, message
from purchasing.models import Invoice, InvoiceKind, InvoiceLine, LineKind
from purchasing.money import from_cents

ZERO = from_cents(0)

_environment = Environment(
    loader=PackageLoader("purchasing.documents", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(euro=euro, percent=percent, day=day, iban=printed_iban)


@dataclass(frozen=True)
class VatGroup:
    """The base and VAT of one rate, or the base of one exemption reason."""

    rate: Decimal | None
    exemption: str | None
    base: Decimal
    vat: Decimal


def invoice_html(session: Session, invoice_id: int) -> str:
    """The invoice as HTML: what the PDF is made from (and what a test can read)."""
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound(message("Deze factuur bestaat niet."))
    return _environment.get_template("invoice.html").render(**_context(session, invoice))


def invoice_pdf(session: Session, invoice_id: int) -> bytes:
    """The invoice as a PDF document (A4), ready to download or attach.

    WeasyPrint is imported here, not at the top: it loads Pango when imported, and the rest of
    the application (and its start) must not need Pango until somebody asks for a PDF.
    """
    from weasyprint import HTML

    pdf = HTML(string=invoice_html(session, invoice_id)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def pdf_filename(invoice: Invoice) -> str:
    word = "creditnota" if invoice.kind == InvoiceKind.CREDIT_NOTE else "factuur"
    return f"{word}-{invoice.number}.pdf"


def vat_groups(lines: list[InvoiceLine]) -> list[VatGroup]:
    """Lines other than premium tax, grouped per VAT rate or per exemption reason."""
    bases: dict[tuple[Decimal | None, str | None], list[Decimal]] = defaultdict(
        lambda: [ZERO, ZERO]
    )
    for line in lines:
        if line.kind == LineKind.PREMIUM_TAX:
            continue
        group = bases[(line.vat_percent, line.vat_exemption)]
        group[0] += line.amount
        group[1] += line.vat_amount
    return [
        VatGroup(rate, exemption, base, vat) for (rate, exemption), (base, vat) in bases.items()
    ]


def _context(session: Session, invoice: Invoice) -> dict[str, Any]:
    original = (
        session.get(Invoice, invoice.credits_invoice_id)
        if invoice.credits_invoice_id is not None
        else None
    )
    return {
        "invoice": invoice,
        "is_credit_note": invoice.kind == InvoiceKind.CREDIT_NOTE,
        "original": original,
        "supplier": invoice.supplier,
        "customer": invoice.customer,
        "lines": [line for line in invoice.lines if line.kind != LineKind.PREMIUM_TAX],
        "premium_tax_lines": [line for line in invoice.lines if line.kind == LineKind.PREMIUM_TAX],
        "vat_groups": vat_groups(list(invoice.lines)),
    }
