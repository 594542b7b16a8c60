"""Billing jobs: e-mail an invoice with its PDF, daily reminders, SEPA pre-notifications.

Thin and safe to run twice: every message is claimed under a unique key before it is sent
(``purchasing.documents.messages``), so a retried or duplicated job sends nothing twice.
Reminders run daily from rq's cron scheduler (``schedule_billing``, registered by
``workers.scheduler``), and can be queued by hand.
"""

from __future__ import annotations

from datetime import date

from redis import Redis
from rq.cron import CronJob, CronScheduler
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.clock import today as clock_today
from purchasing.documents.messages import claim_message, mark_sent, recipient_of
from purchasing.documents.pdf import invoice_pdf, pdf_filename
from purchasing.documents.texts import MailText, invoice_text, prenotification_text, reminder_text
from purchasing.errors import ValidationFailed
from purchasing.models import (
    Invoice,
    InvoiceMessage,
    MessageKind,
    RunItem,
    SepaCollection,
    SepaMandate,
)
from purchasing.payments.debits import DebitOutcome, debit_invoice
from purchasing.payments.provider import ProviderError
from purchasing.reminders import due_reminders
from purchasing.sepa.batches import get_batch
from purchasing.sepa.creditor import creditor_of
from tenants.unit_of_work import unit_of_work
from workers import runtime
from workers.mail import Attachment, Mail
from workers.queues import DEFAULT, queue

REMINDERS_CRON = "0 7 * * *"  # every morning at seven, local time of the scheduler


def send_invoice_job(invoice_id: int) -> str:
    """E-mail the invoice (or credit note) with its PDF to the member; once."""
    with unit_of_work(runtime.engine()) as session:
        invoice = session.get_one(Invoice, invoice_id)
        recipient = recipient_of(session, invoice)
        if recipient is None:
            return "no_address"
        row = claim_message(
            session, f"invoice:{invoice_id}", invoice_id, MessageKind.INVOICE, recipient
        )
        if row is None:
            return "already_sent"
        pdf = Attachment(pdf_filename(invoice), invoice_pdf(session, invoice_id))
        _send(recipient, invoice_text(invoice), (pdf,))
        mark_sent(session, row)
        return "sent"


def send_reminders_job(on: str | None = None) -> dict[str, int]:
    """Send every reminder due ``on`` (ISO date; today by default); returns the counts.

    Each reminder is claimed, sent and marked in a unit of work of its own.
    """
    today = date.fromisoformat(on) if on else clock_today()
    engine = runtime.engine()
    with unit_of_work(engine) as session:
        due = due_reminders(session, today)
    counts = {"sent": 0, "skipped": 0}
    for reminder in due:
        with unit_of_work(engine) as session:
            invoice = session.get_one(Invoice, reminder.invoice_id)
            claimed = _claim(session, invoice, reminder.key, MessageKind.REMINDER, reminder.level)
            if claimed is None:
                counts["skipped"] += 1
                continue
            row, recipient = claimed
            pdf = Attachment(pdf_filename(invoice), invoice_pdf(session, invoice.id))
            _send(recipient, reminder_text(invoice, reminder.level, reminder.open_amount), (pdf,))
            mark_sent(session, row)
            counts["sent"] += 1
    return counts


def send_prenotifications_job(batch_id: int) -> dict[str, int]:
    """Tell each debtor of a batch what will be debited, when, under which mandate; once."""
    engine = runtime.engine()
    with unit_of_work(engine) as session:
        collection_ids = [c.id for c in get_batch(session, batch_id).collections]
    counts = {"sent": 0, "skipped": 0}
    for collection_id in collection_ids:
        with unit_of_work(engine) as session:
            counts[_prenotify(session, batch_id, collection_id)] += 1
    return counts


def debit_run_job(run_id: int) -> dict[str, int]:
    """Debit the run's open invoices under the members' Stripe mandates; safe to run twice.

    Each invoice is its own unit of work: one refusal (a closed account, the provider down)
    is counted and does not stop the others.
    """
    counts = {"debited": 0, "without_mandate": 0, "refused": 0}
    provider = runtime.current().payment_provider
    if provider is None:
        return counts
    engine = runtime.engine()
    with unit_of_work(engine) as session:
        invoice_ids = list(
            session.scalars(
                select(RunItem.invoice_id).where(RunItem.run_id == run_id).order_by(RunItem.id)
            )
        )
    for invoice_id in invoice_ids:
        try:
            with unit_of_work(engine) as session:
                outcome = debit_invoice(session, provider, invoice_id)
        except (ValidationFailed, ProviderError):
            counts["refused"] += 1
            continue
        if outcome != DebitOutcome.SKIPPED:
            counts[outcome.value] += 1
    return counts


def enqueue_run_debits(connection: Redis[bytes], run_id: int) -> Job:
    return queue(DEFAULT, connection).enqueue(
        debit_run_job, run_id, job_id=f"run-debits-{run_id}", result_ttl=24 * 3600
    )


def enqueue_invoice_mail(connection: Redis[bytes], invoice_id: int) -> Job:
    return queue(DEFAULT, connection).enqueue(
        send_invoice_job, invoice_id, job_id=f"invoice-mail-{invoice_id}", result_ttl=24 * 3600
    )


def enqueue_prenotifications(connection: Redis[bytes], batch_id: int) -> Job:
    return queue(DEFAULT, connection).enqueue(
        send_prenotifications_job, batch_id, job_id=f"prenotify-{batch_id}", result_ttl=24 * 3600
    )


def schedule_billing(scheduler: CronScheduler) -> CronJob:
    """Register the daily reminders on rq's cron scheduler (``servicebureau scheduler``)."""
    return scheduler.register(
        send_reminders_job, DEFAULT, cron=REMINDERS_CRON, job_timeout=3600, name="reminders"
    )


def _claim(
    session: Session, invoice: Invoice, key: str, kind: MessageKind, level: int | None = None
) -> tuple[InvoiceMessage, str] | None:
    """The claimed message and its recipient, or None: no address, or sent already."""
    recipient = recipient_of(session, invoice)
    if recipient is None:
        return None
    row = claim_message(session, key, invoice.id, kind, recipient, level)
    return None if row is None else (row, recipient)


def _prenotify(session: Session, batch_id: int, collection_id: int) -> str:
    """Send one collection's pre-notification; ``sent`` or ``skipped``."""
    batch = get_batch(session, batch_id)
    collection = session.get_one(SepaCollection, collection_id)
    invoice = session.get_one(Invoice, collection.invoice_id)
    claimed = _claim(
        session, invoice, f"prenotification:{collection.id}", MessageKind.PRENOTIFICATION
    )
    if claimed is None:
        return "skipped"
    row, recipient = claimed
    mandate = session.get_one(SepaMandate, collection.mandate_id)
    creditor_id = creditor_of(session, batch.creditor_id).creditor_id
    _send(recipient, prenotification_text(invoice, collection, batch, mandate, creditor_id), ())
    mark_sent(session, row)
    return "sent"


def _send(recipient: str, text: MailText, attachments: tuple[Attachment, ...]) -> None:
    runtime.current().mailer.send(Mail(recipient, text.subject, text.body, attachments))
