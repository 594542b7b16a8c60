"""Which overdue invoices get which reminder today; each level goes out at most once.

Levels follow the due date: a first reminder a week after it, a second after three weeks, and
a formal notice (aanmaning) after five. Only the highest level due is sent, never a lower one
after a higher, and an invoice waiting in a direct-debit batch, or whose online debit the bank
has not answered yet (a SEPA debit takes days), is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.arrears import open_invoices
from purchasing.models import (
    CollectionStatus,
    InvoiceMessage,
    MessageKind,
    SepaCollection,
)
from purchasing.payments.models import AttemptStatus, PaymentAttempt

# (level, days after the due date)
LEVELS: tuple[tuple[int, int], ...] = ((1, 7), (2, 21), (3, 35))


@dataclass(frozen=True)
class ReminderDue:
    invoice_id: int
    level: int
    open_amount: Decimal

    @property
    def key(self) -> str:
        return reminder_key(self.invoice_id, self.level)


def reminder_key(invoice_id: int, level: int) -> str:
    return f"reminder:{invoice_id}:{level}"


def level_due(days_overdue: int) -> int | None:
    """The highest reminder level reached ``days_overdue`` days after the due date."""
    reached = [level for level, days in LEVELS if days_overdue >= days]
    return max(reached) if reached else None


def due_reminders(
    session: Session, today: date, supplier_id: int | None = None
) -> list[ReminderDue]:
    """The reminders to send today: one per overdue invoice, at a level not sent before."""
    sent = _levels_sent(session)
    collecting = _being_collected(session)
    due = []
    for item in open_invoices(session, supplier_id=supplier_id, due_before=today):
        level = level_due(item.days_overdue(today))
        if level is None or item.invoice_id in collecting:
            continue
        if sent.get(item.invoice_id, 0) >= level:
            continue
        due.append(ReminderDue(item.invoice_id, level, item.open_amount))
    return due


def _being_collected(session: Session) -> set[int]:
    """Invoices whose money is on its way: in a pending batch, or a debit not yet answered."""
    in_batch = select(SepaCollection.invoice_id).where(
        SepaCollection.status == CollectionStatus.PENDING
    )
    processing = select(PaymentAttempt.invoice_id).where(
        PaymentAttempt.status == AttemptStatus.PROCESSING
    )
    return set(session.scalars(in_batch.union(processing)))


def _levels_sent(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(InvoiceMessage.invoice_id, InvoiceMessage.level).where(
            InvoiceMessage.kind == MessageKind.REMINDER,
            InvoiceMessage.sent_at.is_not(None),
        )
    )
    highest: dict[int, int] = {}
    for invoice_id, level in rows:
        highest[invoice_id] = max(highest.get(invoice_id, 0), level or 0)
    return highest
