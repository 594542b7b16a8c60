"""Putting due invoices of members with a mandate into one direct-debit batch.

The bureau must notify each debtor at least ``NOTICE_DAYS`` before the debit (pre-notification);
a batch therefore cannot be dated sooner, and the notice date is recorded with it. An invoice
sits in at most one pending collection, so two batches never debit it twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.arrears import open_invoices
from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.models import CollectionStatus, SepaBatch, SepaCollection
from purchasing.money import from_cents
from purchasing.sepa.creditor import creditor_of
from purchasing.sepa.mandates import active_mandate, next_sequence_type

NOTICE_DAYS = 14


def earliest_collection_day(today: date) -> date:
    """The first day a batch made today may be collected on: after the members' notice."""
    return today + timedelta(days=NOTICE_DAYS)


def create_batch(session: Session, creditor_id: int, collection_on: date, today: date) -> int:
    """A batch of every open invoice due by ``collection_on`` whose member has a mandate.

    Commits; returns the batch id. Refuses a date within the notice period, and a batch with
    nothing in it.
    """
    creditor_of(session, creditor_id)
    if collection_on < earliest_collection_day(today):
        raise ValidationFailed(
            message("Een incasso moet minstens %(days)s dagen vooraf aangekondigd zijn."),
            field="collection_on",
            days=NOTICE_DAYS,
        )
    batch = SepaBatch(
        creditor_id=creditor_id,
        reference="",
        collection_on=collection_on,
        notified_on=today,
        total=from_cents(0),
    )
    session.add(batch)
    session.flush()
    batch.reference = f"SDD-{collection_on.year}-{batch.id:06d}"
    pending = set(
        session.scalars(
            select(SepaCollection.invoice_id).where(
                SepaCollection.status == CollectionStatus.PENDING
            )
        )
    )
    for item in open_invoices(
        session, supplier_id=creditor_id, due_before=collection_on + timedelta(days=1)
    ):
        mandate = active_mandate(session, item.customer_id)
        if mandate is None or item.invoice_id in pending:
            continue
        session.add(
            SepaCollection(
                batch_id=batch.id,
                invoice_id=item.invoice_id,
                mandate_id=mandate.id,
                amount=item.open_amount,
                sequence_type=next_sequence_type(session, mandate.id).value,
                end_to_end_id=f"{batch.reference}-{item.invoice_id}"[:35],
            )
        )
        session.flush()
        batch.total += item.open_amount
    if batch.total == 0:
        raise ValidationFailed(message("Er zijn geen facturen om te incasseren."))
    return batch.id


def get_batch(session: Session, batch_id: int) -> SepaBatch:
    batch = session.get(SepaBatch, batch_id)
    if batch is None:
        raise NotFound(message("Deze incassobatch bestaat niet."))
    return batch


def recent_batches(session: Session, limit: int = 50) -> list[SepaBatch]:
    return list(session.scalars(select(SepaBatch).order_by(SepaBatch.id.desc()).limit(limit)))
