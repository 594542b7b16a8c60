"""Sending each message about an invoice once: claim a key, send, mark it sent.

The claim is a row with a unique key, locked (``SKIP LOCKED``) while the message goes out, so
two workers never send the same message and a job that died before sending tries again; once
``sent_at`` is set, nobody sends it again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from purchasing.models import BillingDetails, Invoice, InvoiceMessage, MessageKind


def claim_message(
    session: Session,
    key: str,
    invoice_id: int,
    kind: MessageKind,
    recipient: str,
    level: int | None = None,
) -> InvoiceMessage | None:
    """The message row, locked for this transaction, if it still has to be sent; else None."""
    table = InvoiceMessage.__table__
    assert isinstance(table, Table)
    session.execute(
        insert(table)
        .values(key=key, invoice_id=invoice_id, kind=kind, level=level, recipient=recipient)
        .on_conflict_do_nothing(index_elements=[table.c.key])
    )
    return session.scalar(
        select(InvoiceMessage)
        .where(InvoiceMessage.key == key, InvoiceMessage.sent_at.is_(None))
        .with_for_update(skip_locked=True)
    )


def mark_sent(session: Session, row: InvoiceMessage) -> None:
    """Record that ``row`` went out; the caller's commit releases its lock."""
    row.sent_at = datetime.now(UTC)
    session.flush()


def was_sent(session: Session, key: str) -> bool:
    return (
        session.scalar(
            select(InvoiceMessage.id).where(
                InvoiceMessage.key == key, InvoiceMessage.sent_at.is_not(None)
            )
        )
        is not None
    )


def recipient_of(session: Session, invoice: Invoice) -> str | None:
    """Where the member wants its invoices now, else the address on the invoice."""
    current = session.scalar(
        select(BillingDetails.email).where(BillingDetails.organisation_id == invoice.customer_id)
    )
    return current or invoice.customer.get("email") or None
