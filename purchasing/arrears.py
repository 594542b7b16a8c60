"""What members still owe: open invoices, how long overdue, and the bureau's aged overview."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from ledger.statements import read
from purchasing.models import Invoice, InvoiceKind, Payment
from purchasing.money import from_cents

ZERO = from_cents(0)

# Days overdue, inclusive, per bucket; the last one is open-ended.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)
NOT_DUE = "not_due"


@dataclass(frozen=True)
class OpenItem:
    """An invoice with money still to be paid (total, less payments, less a credit note)."""

    invoice_id: int
    number: str
    customer_id: int
    customer_name: str
    issued_on: date
    due_on: date
    total: Decimal
    open_amount: Decimal

    def days_overdue(self, on: date) -> int:
        return (on - self.due_on).days


@dataclass
class ArrearsRow:
    """One member's open amounts per bucket."""

    customer_id: int
    customer_name: str
    buckets: dict[str, Decimal] = field(default_factory=dict)
    invoices: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


@dataclass(frozen=True)
class ArrearsOverview:
    as_of: date
    rows: list[ArrearsRow]
    totals: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)


def open_invoices(
    session: Session,
    *,
    supplier_id: int | None = None,
    customer_id: int | None = None,
    due_before: date | None = None,
) -> list[OpenItem]:
    """Open invoices, oldest due first; one query whatever the number of invoices."""
    values = {"supplier_id": supplier_id, "customer_id": customer_id, "due_before": due_before}
    query = _open_statement(
        supplier_id is not None, customer_id is not None, due_before is not None
    )
    return [
        OpenItem(*row)
        for row in read(session, query, {k: v for k, v in values.items() if v is not None})
    ]


@cache
def _open_statement(
    supplier: bool, customer: bool, due_before: bool
) -> Select[int, str, int, str, date, date, Decimal, Decimal]:
    """``_open_query`` with the conditions asked for, built once per shape (the dashboard and the
    invoice pages run it on every request); run with ``supplier_id``, ``customer_id`` and
    ``due_before`` as present."""
    query = _open_query()
    if supplier:
        query = query.where(Invoice.supplier_id == bindparam("supplier_id"))
    if customer:
        query = query.where(Invoice.customer_id == bindparam("customer_id"))
    if due_before:
        query = query.where(Invoice.due_on < bindparam("due_before"))
    return query


def bucket_of(days_overdue: int) -> str:
    """The bucket of an invoice ``days_overdue`` days past its due date (0 is due today)."""
    if days_overdue < 0:
        return NOT_DUE
    for name, low, high in BUCKETS:
        if days_overdue >= low and (high is None or days_overdue <= high):
            return name
    raise AssertionError(days_overdue)


def arrears_overview(
    session: Session, as_of: date, supplier_id: int | None = None
) -> ArrearsOverview:
    """Open amounts per member in aged buckets, largest total first, with column totals."""
    rows: dict[int, ArrearsRow] = {}
    names = [NOT_DUE, *(name for name, _, _ in BUCKETS)]
    totals = dict.fromkeys(names, ZERO)
    for item in open_invoices(session, supplier_id=supplier_id):
        row = rows.setdefault(
            item.customer_id,
            ArrearsRow(item.customer_id, item.customer_name, dict.fromkeys(names, ZERO)),
        )
        bucket = bucket_of(item.days_overdue(as_of))
        row.buckets[bucket] += item.open_amount
        row.invoices += 1
        totals[bucket] += item.open_amount
    ordered = sorted(rows.values(), key=lambda row: (-row.total, row.customer_name))
    return ArrearsOverview(as_of, ordered, totals)


def _open_query() -> Select[int, str, int, str, date, date, Decimal, Decimal]:
    paid = (
        select(Payment.invoice_id, func.sum(Payment.amount).label("amount"))
        .group_by(Payment.invoice_id)
        .subquery()
    )
    note = aliased(Invoice)
    credited = (
        select(note.credits_invoice_id.label("invoice_id"), func.sum(note.total).label("amount"))
        .where(note.credits_invoice_id.is_not(None))
        .group_by(note.credits_invoice_id)
        .subquery()
    )
    remaining = (
        Invoice.total + func.coalesce(credited.c.amount, 0) - func.coalesce(paid.c.amount, 0)
    )
    return (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.customer_id,
            Invoice.customer["name"].astext,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.total,
            remaining,
        )
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .outerjoin(credited, credited.c.invoice_id == Invoice.id)
        .where(Invoice.kind == InvoiceKind.INVOICE, remaining > 0)
        .order_by(Invoice.due_on, Invoice.id)
    )
