"""Attach receipts and other files to an account or a transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ledger.audit import record_change
from ledger.checks import check_text
from ledger.errors import NotFound, message
from ledger.models import Account, Document, Posting


@dataclass(frozen=True, slots=True)
class NewDocument:
    """Where the file is kept and what it is; the file itself is stored by the caller."""

    date: date
    path: str
    account: str | None = None
    transaction_id: int | None = None
    content_sha256: str | None = None
    mime_type: str | None = None
    description: str = ""


def attach_document(session: Session, new: NewDocument, actor_id: int | None) -> int:
    """Record a document; with only a transaction, it hangs on that transaction's first account.

    It lands in the caller's transaction, so it commits with what it documents.
    """
    check_text(new.path, "path")
    check_text(new.description, "description")
    account_id = _account_id(session, new)
    document_id = session.scalar(
        insert(Document)
        .values(
            date=new.date,
            account_id=account_id,
            transaction_id=new.transaction_id,
            path=new.path,
            content_sha256=new.content_sha256,
            mime_type=new.mime_type,
            description=new.description,
            created_by=actor_id,
        )
        .returning(Document.id)
    )
    assert document_id is not None
    after = {"path": new.path, "account_id": account_id, "transaction_id": new.transaction_id}
    record_change(session, actor_id, "attach", "document", document_id, after=after)
    return int(document_id)


def _account_id(session: Session, new: NewDocument) -> int:
    if new.account is not None:
        found = session.scalar(select(Account.id).where(Account.name == new.account))
    else:
        found = session.scalar(
            select(Posting.account_id)
            .where(Posting.transaction_id == new.transaction_id)
            .order_by(Posting.position)
            .limit(1)
        )
    if found is None:
        raise NotFound(message("Geen rekening of boeking gevonden voor dit document."))
    return found
