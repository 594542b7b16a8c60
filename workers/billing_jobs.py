"""Billing jobs: e-mail an invoice with its PDF, daily reminders, SEPA pre-notifications.

Thin and safe to run twice: every message is claimed under a unique key before it is sent
(``purchasing.documents.messages``), so a retried or duplicated job sends nothing twice.
Reminders run daily from rq's cron scheduler (``schedule_billing``, registered by
``workers.scheduler``), and can be queued by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from redis import Redis
from rq.cron import CronJob, CronScheduler
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mail import Attachment, Mail, send
from purchasing.documents.messages import claim_message, mark_sent, recipient_of
from purchasing.documents.pdf import invoice_pdf, pdf_filename
from purchasing.documents.texts import MailText, invoice_text, prenotification_text, reminder_text
from purchasing.models import Invoice, InvoiceMessage, MessageKind, RunItem, SepaMandate
from purchasing.payments.debits import debit_invoices
from purchasing.reminders import due_reminders
from purchasing.sepa.batches import get_batch
from purchasing.sepa.creditor import creditor_of
from workers import runtime
from workers.queues import DEFAULT, queue

DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
REMINDERS_CRON = "0 7 * * *"  # every morning at seven, local time of the scheduler


def send_invoice_job(invoice_id: int) -> str:
    """E-mail the invoice (or credit note) with its PDF to the member; once."""
    with runtime.public_session() as session:
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
    """Send every reminder due ``on`` (ISO date; today by default); returns the counts."""
    today = date.fromisoformat(on) if on else datetime.now(DUTCH_TIME).date()
    counts = {"sent": 0, "skipped": 0}
    with runtime.public_session() as session:
        for due in due_reminders(session, today):
            invoice = session.get_one(Invoice, due.invoice_id)
            claimed = _claim(session, invoice, due.key, MessageKind.REMINDER, due.level)
            if claimed is None:
                counts["skipped"] += 1
                continue
            row, recipient = claimed
            pdf = Attachment(pdf_filename(invoice), invoice_pdf(session, invoice.id))
            _send(recipient, reminder_text(invoice, due.level, due.open_amount), (pdf,))
            mark_sent(session, row)
            counts["sent"] += 1
    return counts


def send_prenotifications_job(batch_id: int) -> dict[str, int]:
    """Tell each debtor of a batch what will be debited, when, under which mandate; once."""
    counts = {"sent": 0, "skipped": 0}
    with runtime.public_session() as session:
        batch = get_batch(session, batch_id)
        creditor_id = creditor_of(session, batch.creditor_id).creditor_id
        for collection in batch.collections:
            invoice = session.get_one(Invoice, collection.invoice_id)
            key = f"prenotification:{collection.id}"
            claimed = _claim(session, invoice, key, MessageKind.PRENOTIFICATION)
            if claimed is None:
                counts["skipped"] += 1
                continue
            row, recipient = claimed
            mandate = session.get_one(SepaMandate, collection.mandate_id)
            text = prenotification_text(invoice, collection, batch, mandate, creditor_id)
            _send(recipient, text, ())
            mark_sent(session, row)
            counts["sent"] += 1
    return counts


def debit_run_job(run_id: int) -> dict[str, int]:
    """Debit the run's open invoices under the members' Stripe mandates; safe to run twice."""
    provider = runtime.current_app().extensions.get("payment_provider")
    if provider is None:
        return {"debited": 0, "without_mandate": 0, "refused": 0}
    with runtime.public_session() as session:
        invoice_ids = list(
            session.scalars(
                select(RunItem.invoice_id).where(RunItem.run_id == run_id).order_by(RunItem.id)
            )
        )
        return debit_invoices(session, provider, invoice_ids).to_json()


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
    row = None
    if recipient is not None:
        row = claim_message(session, key, invoice.id, kind, recipient, level)
    if row is None or recipient is None:
        session.rollback()
        return None
    return row, recipient


def _send(recipient: str, text: MailText, attachments: tuple[Attachment, ...]) -> None:
    with runtime.current_app().app_context():
        send(Mail(recipient, text.subject, text.body, attachments))
