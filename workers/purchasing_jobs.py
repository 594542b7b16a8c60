"""Purchasing jobs: invoice runs (membership fees, premiums) and driving the booking outbox.

Thin: each takes ids, opens sessions through the worker's runtime and calls one service.
Safe to run twice: a run resumes and skips members already invoiced, and the outbox posts
every side once. A finished membership run queues its invoices' e-mails (each sent once).
Progress goes to ``job.meta["progress"]`` and to the run's row.
"""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import get_current_job
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.invoices.bookings import book_pending
from purchasing.models import RunItem, RunKind
from purchasing.runs.adjustments import correction_invoices, true_up_invoices
from purchasing.runs.membership import membership_invoices
from purchasing.runs.premium import premium_invoices
from purchasing.runs.runs import Planner, execute_run, get_run
from workers import runtime
from workers.billing_jobs import enqueue_invoice_mail
from workers.queues import DEFAULT, RUNS, queue

PLANNERS: dict[RunKind, Planner] = {
    RunKind.MEMBERSHIP: membership_invoices,
    RunKind.PREMIUM: premium_invoices,
    RunKind.CORRECTION: correction_invoices,
    RunKind.TRUE_UP: true_up_invoices,
}


def open_session() -> Session:
    """A fresh, unbound session on the application's engine (services bind what they need)."""
    return Session(runtime.engine(), expire_on_commit=False)


def invoice_run_job(run_id: int) -> dict[str, Any]:
    """Run (or resume) an invoice run; returns what it did."""
    job = get_current_job()
    with open_session() as session:
        run = get_run(session, run_id)
        kind = RunKind(run.kind)
        if job is not None:
            run.job_id = job.id
            session.commit()

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta["progress"] = {"done": done, "total": total}
            job.save_meta()  # type: ignore[no-untyped-call]

    result = execute_run(open_session, run_id, PLANNERS[kind], progress).to_json()
    if kind == RunKind.MEMBERSHIP and job is not None:
        result["mails_queued"] = queue_run_mails(job.connection, run_id)
    return result


def queue_run_mails(connection: Redis[bytes], run_id: int) -> int:
    """Queue the e-mail of every invoice of the run; each is sent once, however often queued."""
    with open_session() as session:
        invoice_ids = list(
            session.scalars(
                select(RunItem.invoice_id).where(RunItem.run_id == run_id).order_by(RunItem.id)
            )
        )
    for invoice_id in invoice_ids:
        enqueue_invoice_mail(connection, invoice_id)
    return len(invoice_ids)


def book_pending_job() -> dict[str, int]:
    """Post every pending side of every invoice and payment; returns the counts."""
    result = book_pending(open_session)
    return {"booked": result.booked, "failed": result.failed, "skipped": result.skipped}


def enqueue_invoice_run(connection: Redis[bytes], run_id: int) -> Job:
    """Queue a run on the runs queue; its result is kept a day for the page that watches it."""
    return queue(RUNS, connection).enqueue(
        invoice_run_job, run_id, job_timeout=2 * 3600, result_ttl=24 * 3600
    )


def enqueue_bookings(connection: Redis[bytes]) -> Job:
    return queue(DEFAULT, connection).enqueue(book_pending_job, result_ttl=3600)
