"""The schedule: rq's cron scheduler enqueues reminders and the booking outbox; workers run them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from rq.cron import CronScheduler
from rq.job import Job, JobStatus
from sqlalchemy import select

from purchasing.invoices.queries import BookingStatus, invoice_state
from purchasing.models import InvoiceMessage, MessageKind
from tests.conftest import worker_runtime
from tests.purchasing import billing
from tests.purchasing.billing import fee_invoice
from tests.purchasing.books import redis_url_of, run_redis  # noqa: F401  (fixture)
from workers.mandate_jobs import DETACH, DETACH_EVERY
from workers.queues import DEFAULT, queue
from workers.release_jobs import RELEASES, RELEASES_EVERY
from workers.scheduler import BOOKINGS, BOOKINGS_EVERY, schedule
from workers.worker import run_worker

pytestmark = pytest.mark.servers  # CI runs these on the embedded servers too

billed_bureau = billing.billed_bureau
member = billing.member


def names_queued(connection) -> list[str]:
    return [job.func_name for job in queue(DEFAULT, connection).get_jobs()]


def test_the_outbox_and_the_releases_are_driven_at_once_and_then_at_intervals(
    run_redis,  # noqa: F811
):
    scheduler = CronScheduler(connection=run_redis)
    reminders, bookings, releases, _purge, detaching = schedule(scheduler)
    assert (bookings.name, bookings.interval) == (BOOKINGS, BOOKINGS_EVERY)
    assert (releases.name, releases.interval) == (RELEASES, RELEASES_EVERY)
    assert (detaching.name, detaching.interval) == (DETACH, DETACH_EVERY)
    assert [job.name for job in scheduler.enqueue_jobs()] == [BOOKINGS, RELEASES, DETACH]
    assert scheduler.enqueue_jobs() == []  # not again before the interval has passed
    assert names_queued(run_redis) == [
        "workers.purchasing_jobs.book_pending_job",
        "workers.release_jobs.release_due_job",
        "workers.mandate_jobs.detach_replaced_mandates_job",
    ]
    assert reminders.next_enqueue_time is not None
    local = reminders.next_enqueue_time.astimezone()
    assert (local.hour, local.minute) == (7, 0)
    assert reminders.next_enqueue_time - datetime.now(UTC) <= timedelta(days=1)


def test_when_the_morning_comes_a_worker_sends_reminders_and_books_what_is_pending(
    app,
    session,
    billed_bureau,
    member,
    run_redis,  # noqa: F811
):
    invoice_id = fee_invoice(billed_bureau.id, member.id, session=session)
    assert invoice_state(session, invoice_id).bureau_booking == BookingStatus.PENDING
    scheduler = CronScheduler(connection=run_redis)
    reminders, *_ = schedule(scheduler)
    reminders.next_enqueue_time = datetime.now(UTC) - timedelta(seconds=1)  # seven o'clock
    due = scheduler.enqueue_jobs()
    assert len(due) == 4

    session.commit()
    assert run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)

    for cron_job in due:
        (job_id,) = cron_job.get_job_ids(run_redis, 0, 0)
        assert Job.fetch(job_id, connection=run_redis).get_status() == JobStatus.FINISHED
    session.expire_all()
    state = invoice_state(session, invoice_id)
    assert (state.bureau_booking, state.member_booking) == ("booked", "booked")
    # Due on 9 April 2026, so long overdue by the clock: the formal notice went out.
    sent = session.scalars(
        select(InvoiceMessage.level).where(
            InvoiceMessage.invoice_id == invoice_id,
            InvoiceMessage.kind == MessageKind.REMINDER.value,
            InvoiceMessage.sent_at.is_not(None),
        )
    ).all()
    assert sent == [3]


def test_the_scheduler_command_enqueues_the_outbox_job_until_it_is_stopped(
    app,
    run_redis,  # noqa: F811
):
    environment = {
        **os.environ,
        "DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]),
        "REDIS_URL": redis_url_of(run_redis),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "scheduler"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while "workers.purchasing_jobs.book_pending_job" not in names_queued(run_redis):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the scheduler enqueued nothing"
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    job = queue(DEFAULT, run_redis).get_jobs()[0]
    assert job.get_status() == JobStatus.QUEUED
