"""When the bank statement shows a batch credited, or a debit returned, book it.

A batch is credited as one amount on the bureau's account; each of its collections then
becomes a payment of its invoice (reference: the end-to-end id, so a statement imported twice
records nothing twice). A debit that comes back (a return or refund with a reason code such
as AM04, MD06 or AC04) reverses that payment, which reopens the invoice on both sides.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.invoices.payments import record_payment, reverse_payment
from purchasing.models import CollectionStatus, PaymentMethod, SepaCollection
from purchasing.sepa.batches import get_batch

RETURN_REASONS: dict[str, str] = {
    "AC01": "Rekeningnummer onjuist",
    "AC04": "Rekening opgeheven",
    "AC06": "Rekening geblokkeerd",
    "AG01": "Incasso niet toegestaan op deze rekening",
    "AM04": "Onvoldoende saldo",
    "MD01": "Geen machtiging",
    "MD06": "Terugboeking op verzoek van de rekeninghouder",
    "MD07": "Rekeninghouder overleden",
    "MS02": "Geweigerd door de rekeninghouder",
    "MS03": "Reden niet opgegeven",
    "SL01": "Specifieke dienst van de bank van de rekeninghouder",
}


def settle_collection(session: Session, batch_id: int, credited_on: date) -> list[int]:
    """Record every still-pending collection of the batch as paid; returns the payment ids.

    Safe to call twice: a settled collection is skipped, and payments are keyed by end-to-end
    id.
    """
    batch = get_batch(session, batch_id)
    payment_ids = []
    for collection_id in [c.id for c in batch.collections]:
        collection = session.get_one(SepaCollection, collection_id, with_for_update=True)
        if collection.status != CollectionStatus.PENDING:
            continue
        payment_ids.append(_mark_collected(session, collection, credited_on))
    batch.settled_on = batch.settled_on or credited_on
    session.flush()
    return payment_ids


def collect(session: Session, end_to_end_id: str, credited_on: date) -> int:
    """One collection credited on its own (some banks show each debit): record it as paid.

    Returns the payment's id; a collection already collected returns its payment.
    """
    collection = session.scalar(
        select(SepaCollection)
        .where(SepaCollection.end_to_end_id == end_to_end_id)
        .with_for_update()
    )
    if collection is None:
        raise NotFound(message("Geen incasso met kenmerk %(reference)s."), reference=end_to_end_id)
    if collection.status == CollectionStatus.COLLECTED and collection.payment_id is not None:
        return collection.payment_id
    if collection.status != CollectionStatus.PENDING:
        raise ValidationFailed(
            message("Incasso %(reference)s is teruggeboekt."), reference=end_to_end_id
        )
    return _mark_collected(session, collection, credited_on)


def _mark_collected(session: Session, collection: SepaCollection, credited_on: date) -> int:
    """Record the collection's payment on its invoice and mark it collected; returns the id."""
    payment_id = record_payment(
        session,
        collection.invoice_id,
        collection.amount,
        credited_on,
        PaymentMethod.SEPA_DIRECT_DEBIT,
        collection.end_to_end_id,
    )
    collection.payment_id = payment_id
    collection.status = CollectionStatus.COLLECTED
    session.flush()
    return payment_id


def return_collection(session: Session, end_to_end_id: str, reason_code: str, on: date) -> int:
    """A debit came back: reverse its payment (the invoice is open again); returns its id.

    A collection returned before its batch was settled had no payment: it is only marked, so
    settling the batch later leaves it out. Returning it twice changes nothing.
    """
    code = reason_code.strip().upper()
    collection = session.scalar(
        select(SepaCollection)
        .where(SepaCollection.end_to_end_id == end_to_end_id)
        .with_for_update()
    )
    if collection is None:
        raise NotFound(message("Geen incasso met kenmerk %(reference)s."), reference=end_to_end_id)
    if collection.status == CollectionStatus.RETURNED:
        return collection.id
    if collection.payment_id is not None:
        reason = f"{code}: {RETURN_REASONS.get(code, 'Stornering')}"
        reverse_payment(session, collection.payment_id, on, reason)
    collection.status, collection.return_reason = CollectionStatus.RETURNED, code[:4]
    session.flush()
    return collection.id
