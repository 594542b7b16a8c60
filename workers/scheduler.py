"""The schedule: rq's cron scheduler enqueues the periodic jobs that workers then run.

These must happen without anyone clicking: the daily reminders for overdue invoices,
driving the booking outbox (credit notes, payments that came in by webhook or bank file, and
any side whose booking failed earlier stay pending until it is driven), posting the
releases of prepaid and invoiced-in-advance amounts as their months come, the nightly purge
of ended login sessions and spent password-reset links (``workers.maintenance``), and
detaching replaced SEPA mandates at the payment provider every hour (``workers.mandate_jobs``).
Run exactly one scheduler per Redis (``servicebureau scheduler``; ``servicebureau serve`` starts
one); the jobs are safe to run twice, so an overlap costs a little work, never a double booking
or mail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

from redis import Redis
from rq.cron import CronJob, CronScheduler

from workers.billing_jobs import schedule_billing
from workers.maintenance import schedule_maintenance
from workers.mandate_jobs import schedule_mandate_detaching
from workers.purchasing_jobs import book_pending_job
from workers.queues import DEFAULT
from workers.release_jobs import schedule_releases_job

BOOKINGS_EVERY = 5 * 60  # seconds: a credit note or payment is in both books within minutes
BOOKINGS = "bookings"


def schedule(scheduler: CronScheduler) -> list[CronJob]:
    """Register every periodic job on ``scheduler``."""
    bookings = scheduler.register(
        book_pending_job,
        DEFAULT,
        interval=BOOKINGS_EVERY,
        job_timeout=BOOKINGS_EVERY,
        result_ttl=3600,
        name=BOOKINGS,
    )
    return [
        schedule_billing(scheduler),
        bookings,
        schedule_releases_job(scheduler),
        schedule_maintenance(scheduler),
        schedule_mandate_detaching(scheduler),
    ]


def run_scheduler(connection: Redis[bytes], log_level: str = "INFO") -> None:
    """Enqueue the periodic jobs as they fall due, until stopped (SIGTERM or SIGINT)."""
    scheduler = CronScheduler(connection=connection, logging_level=log_level)
    schedule(scheduler)
    scheduler.start()  # type: ignore[no-untyped-call]


def start_scheduler_process(environment: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """Start ``servicebureau scheduler`` beside the development server and its worker."""
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "scheduler"],
        env={**os.environ, **environment},
    )
