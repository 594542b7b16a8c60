"""Reminders and invoice e-mails: due levels, each sent once, scheduled daily; and arrears."""

from __future__ import annotations

import email
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from rq import SimpleWorker
from rq.cron import CronScheduler
from sqlalchemy.orm import Session

from purchasing.arrears import arrears_overview, bucket_of
from purchasing.invoices.payments import record_payment
from purchasing.models import Invoice, PaymentMethod
from purchasing.reminders import due_reminders, level_due
from purchasing.sepa.batches import create_batch
from purchasing.sepa.creditor import creditor_identifier, set_creditor
from purchasing.sepa.mandates import add_mandate
from tests.conftest import worker_runtime
from tests.purchasing import billing, books
from tests.purchasing.billing import BUREAU_IBAN, MEMBER_IBAN, fee_invoice, make_member
from workers import runtime
from workers.billing_jobs import (
    enqueue_invoice_mail,
    schedule_billing,
    send_invoice_job,
    send_prenotifications_job,
    send_reminders_job,
)
from workers.queues import DEFAULT, queue, redis_connection

billed_bureau = billing.billed_bureau
run_redis = books.run_redis
member = billing.member
DUE = date(2026, 4, 9)  # fee invoices of 10 March, 30 days to pay


@pytest.fixture
def jobs_app(app: Flask) -> Flask:
    runtime.use(worker_runtime(app))
    return app


def mails_to(app: Flask, recipient: str) -> list[EmailMessage]:
    folder = Path(app.instance_path) / "mail"
    found = []
    for path in sorted(folder.glob(f"*-{recipient}.eml")):
        found.append(email.message_from_bytes(path.read_bytes(), policy=default))
    return found  # type: ignore[return-value]


def test_reminder_levels_follow_the_days_past_the_due_date() -> None:
    assert [level_due(days) for days in (0, 6, 7, 20, 21, 34, 35, 400)] == [
        None,
        None,
        1,
        1,
        2,
        2,
        3,
        3,
    ]


def test_ageing_buckets_are_0_30_31_60_61_90_and_over_90_days() -> None:
    assert [bucket_of(days) for days in (-1, 0, 30, 31, 60, 61, 90, 91)] == [
        "not_due",
        "0-30",
        "0-30",
        "31-60",
        "31-60",
        "61-90",
        "61-90",
        "90+",
    ]


def test_the_invoice_is_mailed_once_with_its_pdf_attached(
    session: Session, jobs_app: Flask, billed_bureau, member
) -> None:
    invoice_id = fee_invoice(billed_bureau.id, member.id, session=session)
    session.commit()
    assert send_invoice_job(invoice_id) == "sent"
    session.commit()
    assert send_invoice_job(invoice_id) == "already_sent"
    [mail] = mails_to(jobs_app, f"penningmeester-{member.id}@delinde.example")
    number = session.get_one(Invoice, invoice_id).number
    assert mail["Subject"] == f"Factuur {number} van Stichting Servicebureau"
    # The IBAN in groups of four, as the member types it into its bank app.
    assert " op NL91 ABNA 0417 1643 00." in mail.get_body(("plain",)).get_content()
    [pdf] = list(mail.iter_attachments())
    assert pdf.get_filename() == f"factuur-{number}.pdf"
    assert pdf.get_content().startswith(b"%PDF")


def test_a_mail_job_runs_on_a_real_worker(
    session: Session, jobs_app: Flask, run_redis: Redis, billed_bureau, member
) -> None:
    connection = run_redis
    invoice_id = fee_invoice(billed_bureau.id, member.id, session=session)
    job = enqueue_invoice_mail(connection, invoice_id)
    session.commit()
    SimpleWorker([queue(DEFAULT, connection)], connection=connection).work(burst=True)
    job.refresh()
    assert job.return_value() == "sent"
    assert len(mails_to(jobs_app, f"penningmeester-{member.id}@delinde.example")) == 1


def test_each_reminder_level_is_sent_once_and_only_the_highest_due(
    session: Session, jobs_app: Flask, billed_bureau, member
) -> None:
    invoice_id = fee_invoice(billed_bureau.id, member.id, session=session)
    recipient = f"penningmeester-{member.id}@delinde.example"
    assert [d.invoice_id for d in due_reminders(session, DUE + timedelta(days=6))].count(
        invoice_id
    ) == 0
    session.commit()
    send_reminders_job((DUE + timedelta(days=8)).isoformat())
    session.commit()
    send_reminders_job((DUE + timedelta(days=9)).isoformat())  # the next morning: nothing new
    session.commit()
    send_reminders_job((DUE + timedelta(days=40)).isoformat())  # straight to the notice, skipping 2
    session.commit()
    send_reminders_job((DUE + timedelta(days=41)).isoformat())
    subjects = [mail["Subject"] for mail in mails_to(jobs_app, recipient)]
    number = session.get_one(Invoice, invoice_id).number
    assert subjects == [f"Herinnering: factuur {number}", f"Aanmaning: factuur {number}"]


def test_a_paid_invoice_gets_no_reminder(
    session: Session, jobs_app: Flask, billed_bureau, member
) -> None:
    invoice_id = fee_invoice(billed_bureau.id, member.id, session=session)
    record_payment(session, invoice_id, Decimal("240.00"), DUE, PaymentMethod.BANK_TRANSFER, None)
    assert invoice_id not in [
        d.invoice_id for d in due_reminders(session, DUE + timedelta(days=60))
    ]


def test_reminders_run_every_morning_from_rqs_cron_scheduler(redis_url: str) -> None:
    scheduler = CronScheduler(redis_connection(redis_url))
    job = schedule_billing(scheduler)
    assert job.func is send_reminders_job and job.cron == "0 7 * * *"
    assert job.queue_name == DEFAULT
    assert job.next_enqueue_time is not None and job.next_enqueue_time.minute == 0


def test_the_arrears_overview_ages_open_amounts_per_member(
    session: Session, billed_bureau, member, make_org
) -> None:
    other = make_member(make_org, session, name="Speeltuin")
    fee_invoice(billed_bureau.id, member.id, "100.00", session=session)
    fee_invoice(billed_bureau.id, member.id, "50.00", session=session, issued_on=date(2026, 6, 1))
    paid = fee_invoice(billed_bureau.id, other.id, "80.00", session=session)
    record_payment(session, paid, Decimal("30.00"), DUE, PaymentMethod.BANK_TRANSFER, None)
    overview = arrears_overview(session, DUE + timedelta(days=45), supplier_id=billed_bureau.id)
    rows = {row.customer_id: row for row in overview.rows}
    assert rows[member.id].buckets["31-60"] == Decimal("100.00")
    assert rows[member.id].buckets["not_due"] == Decimal("50.00")
    assert rows[other.id].buckets["31-60"] == Decimal("50.00")
    assert overview.totals["31-60"] == Decimal("150.00") and overview.total == Decimal("200.00")
    assert [row.customer_id for row in overview.rows] == [member.id, other.id]


def test_each_debtor_of_a_batch_is_pre_notified_once_with_mandate_and_creditor_id(
    session: Session, jobs_app: Flask, billed_bureau, member
) -> None:
    creditor_id = creditor_identifier("87654321")
    set_creditor(session, billed_bureau.id, creditor_id, "Stichting Servicebureau", BUREAU_IBAN)
    add_mandate(session, member.id, f"PRE-{member.id}", "De Linde", MEMBER_IBAN, date(2026, 1, 5))
    invoice_id = fee_invoice(billed_bureau.id, member.id, session=session)
    batch_id = create_batch(session, billed_bureau.id, DUE, date(2026, 3, 20))
    session.commit()
    assert send_prenotifications_job(batch_id) == {"sent": 1, "skipped": 0}
    session.commit()
    assert send_prenotifications_job(batch_id) == {"sent": 0, "skipped": 1}
    [mail] = mails_to(jobs_app, f"penningmeester-{member.id}@delinde.example")
    number = session.get_one(Invoice, invoice_id).number
    assert mail["Subject"] == f"Aankondiging incasso factuur {number}"
    body = mail.get_content()
    assert "09-04-2026" in body and f"PRE-{member.id}" in body and creditor_id in body
    assert "€ 240,00" in body
