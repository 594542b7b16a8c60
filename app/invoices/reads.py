"""What the invoice pages show, read in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from purchasing.arrears import open_invoices
from purchasing.models import Invoice, InvoiceMessage, Payment, SepaCreditor, SepaMandate
from tenants.models import Organisation


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    open_amount: Decimal


def invoice_rows(
    session: Session, *, customer_id: int | None = None, only_open: bool = False, limit: int = 200
) -> list[InvoiceRow]:
    """Invoices and credit notes, newest first, each with what is still open on it."""
    open_by_id = {
        item.invoice_id: item.open_amount
        for item in open_invoices(session, customer_id=customer_id)
    }
    query = select(Invoice).order_by(Invoice.issued_on.desc(), Invoice.id.desc()).limit(limit)
    if customer_id is not None:
        query = query.where(Invoice.customer_id == customer_id)
    if only_open:
        query = query.where(Invoice.id.in_(list(open_by_id)))
    zero = Decimal("0.00")
    return [InvoiceRow(row, open_by_id.get(row.id, zero)) for row in session.scalars(query)]


def payments_of(session: Session, invoice_id: int) -> list[Payment]:
    return list(
        session.scalars(
            select(Payment).where(Payment.invoice_id == invoice_id).order_by(Payment.id)
        )
    )


def messages_of(session: Session, invoice_id: int) -> list[InvoiceMessage]:
    return list(
        session.scalars(
            select(InvoiceMessage)
            .where(InvoiceMessage.invoice_id == invoice_id)
            .order_by(InvoiceMessage.id)
        )
    )


def invoice_with_lines(session: Session, invoice_id: int) -> Invoice | None:
    return session.scalar(
        select(Invoice).where(Invoice.id == invoice_id).options(selectinload(Invoice.lines))
    )


def bureaus(session: Session) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation).where(Organisation.is_bureau).order_by(Organisation.id)
        )
    )


def creditors(session: Session) -> list[SepaCreditor]:
    return list(session.scalars(select(SepaCreditor).order_by(SepaCreditor.organisation_id)))


def active_mandates(session: Session) -> list[tuple[SepaMandate, str]]:
    rows = session.execute(
        select(SepaMandate, Organisation.name)
        .join(Organisation, Organisation.id == SepaMandate.organisation_id)
        .where(SepaMandate.revoked_on.is_(None))
        .order_by(Organisation.name)
    )
    return [(mandate, name) for mandate, name in rows]


def member_organisations(session: Session) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.is_bureau.is_(False))
            .order_by(Organisation.name)
        )
    )
