"""One transaction as its page shows it: postings, documents, reversal links, and whether it
can still be edited (its period open) or must be corrected by a reversal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.entries import NewTransaction
from ledger.models import AccountingPeriod, Document, Transaction
from ledger.queries import load_transaction


@dataclass(frozen=True, slots=True)
class AttachedDocument:
    id: int
    path: str
    mime_type: str | None
    description: str


@dataclass(frozen=True, slots=True)
class TransactionDetail:
    id: int
    transaction: NewTransaction
    created_at: datetime
    created_by: int | None
    reverses_id: int | None
    reversed_by_id: int | None
    is_padding: bool
    is_period_closed: bool
    documents: tuple[AttachedDocument, ...]

    @property
    def is_editable(self) -> bool:
        """Edited in place only while open, and never once part of a reversal pair."""
        return not (
            self.is_period_closed
            or self.is_padding
            or self.reverses_id is not None
            or self.reversed_by_id is not None
        )

    @property
    def is_reversible(self) -> bool:
        return self.reverses_id is None and self.reversed_by_id is None and not self.is_padding


def transaction_detail(session: Session, transaction_id: int) -> TransactionDetail | None:
    row = session.get(Transaction, transaction_id)
    transaction = load_transaction(session, transaction_id)
    if row is None or transaction is None:
        return None
    reversed_by = session.scalar(
        select(Transaction.id).where(Transaction.reverses_id == transaction_id)
    )
    documents = session.scalars(
        select(Document).where(Document.transaction_id == transaction_id).order_by(Document.id)
    )
    return TransactionDetail(
        id=row.id,
        transaction=transaction,
        created_at=row.created_at,
        created_by=row.created_by,
        reverses_id=row.reverses_id,
        reversed_by_id=reversed_by,
        is_padding=row.pad_id is not None,
        is_period_closed=is_in_closed_period(session, row.date),
        documents=tuple(
            AttachedDocument(d.id, d.path, d.mime_type, d.description) for d in documents
        ),
    )


def is_in_closed_period(session: Session, day: date) -> bool:
    found = session.scalar(
        select(AccountingPeriod.id)
        .where(
            AccountingPeriod.closed_at.is_not(None),
            AccountingPeriod.starts_on <= day,
            AccountingPeriod.ends_on >= day,
        )
        .limit(1)
    )
    return found is not None


def document_path(session: Session, document_id: int) -> str | None:
    return session.scalar(select(Document.path).where(Document.id == document_id))
