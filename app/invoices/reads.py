"""What the invoice pages show, read in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, select
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
    values: dict[str, Any] = {"limit": limit}
    if customer_id is not None:
        values["customer_id"] = customer_id
    if only_open:
        values["ids"] = list(open_by_id)
    query = _rows_statement(customer_id is not None, only_open)
    zero = Decimal("0.00")
    return [InvoiceRow(row, open_by_id.get(row.id, zero)) for row in session.scalars(query, values)]


@cache
def _rows_statement(customer: bool, only_open: bool) -> Select[Invoice]:
    """``invoice_rows``'s statement, built once per shape; run with ``limit``, and
    ``customer_id`` and ``ids`` (a list) as present."""
    query = (
        select(Invoice)
        .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )
    if customer:
        query = query.where(Invoice.customer_id == bindparam("customer_id"))
    if only_open:
        query = query.where(Invoice.id.in_(bindparam("ids", expanding=True)))
    return query


def payments_of(session: Session, invoice_id: int) -> list[Payment]:
    return list(session.scalars(_PAYMENTS, {"invoice_id": invoice_id}))


def messages_of(session: Session, invoice_id: int) -> list[InvoiceMessage]:
    return list(session.scalars(_MESSAGES, {"invoice_id": invoice_id}))


# Built once: the invoice page reads them on every request.
_PAYMENTS = (
    select(Payment).where(Payment.invoice_id == bindparam("invoice_id")).order_by(Payment.id)
)
_MESSAGES = (
    select(InvoiceMessage)
    .where(InvoiceMessage.invoice_id == bindparam("invoice_id"))
    .order_by(InvoiceMessage.id)
)


def invoice_with_lines(session: Session, invoice_id: int) -> Invoice | None:
    return session.scalar(_with_lines_statement(), {"invoice_id": invoice_id})


@cache
def _with_lines_statement() -> Select[Invoice]:
    """``invoice_with_lines``'s statement, built once; run with ``invoice_id``."""
    return (
        select(Invoice)
        .where(Invoice.id == bindparam("invoice_id"))
        .options(selectinload(Invoice.lines))
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
