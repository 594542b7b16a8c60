"""Purchasing jobs: invoice runs (membership fees, premiums) and driving the booking outbox.

Thin: each takes ids and calls services, each step in its own unit of work. A run is one
unit of work to begin it, one per member (its invoice, numbered, with its run item: a run
killed halfway keeps what it issued and resumes after it), and one to finish it. Safe to run
twice: a run skips members already invoiced, and the outbox posts every side once. A finished
run, of whatever kind, queues its invoices' e-mails (each sent once). Progress goes to
``job.meta["progress"]`` and to the run's row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redis import Redis
from rq import get_current_job
from rq.job import Job
from sqlalchemy import Engine, select

from purchasing.models import InvoiceRun, RunItem, RunKind
from purchasing.runs.adjustments import correction_invoices, true_up_invoices
from purchasing.runs.membership import membership_invoices
from purchasing.runs.premium import premium_invoices
from purchasing.runs.runs import (
    Planner,
    RunResult,
    begin_run,
    fail_run,
    finish_run,
    get_run,
    issue_run_item,
    run_bookings,
)
from tenants.unit_of_work import unit_of_work
from workers import runtime
from workers.billing_jobs import enqueue_invoice_mail
from workers.bookings import BookingPipeline, book_pending
from workers.queues import DEFAULT, RUNS, queue

# Issued invoices are handed to the booking threads in batches of this many.
BOOKING_BATCH = 20

PLANNERS: dict[RunKind, Planner] = {
    RunKind.MEMBERSHIP: membership_invoices,
    RunKind.PREMIUM: premium_invoices,
    RunKind.CORRECTION: correction_invoices,
    RunKind.TRUE_UP: true_up_invoices,
}


Progress = Callable[[int, int], None]


def invoice_run_job(run_id: int) -> dict[str, Any]:
    """Run (or resume) an invoice run; returns what it did."""
    job = get_current_job()
    engine = runtime.engine()
    with unit_of_work(engine) as session:
        run = get_run(session, run_id)
        kind = RunKind(run.kind)
        if job is not None:
            run.job_id = job.id

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta["progress"] = {"done": done, "total": total}
            job.save_meta()  # type: ignore[no-untyped-call]

    result = execute_run(engine, run_id, PLANNERS[kind], progress).to_json()
    if job is not None:  # every kind of run sends its invoices the same way
        result["mails_queued"] = queue_run_mails(job.connection, run_id)
    return result


def execute_run(
    engine: Engine, run_id: int, planner: Planner, on_progress: Progress | None = None
) -> RunResult:
    """Issue every invoice of the run not issued yet, each in its own unit of work, and book
    both sides of each while the next are issued (``BookingPipeline``); the run is done once
    every side is. A failure is recorded on the run, and raised."""
    try:
        with unit_of_work(engine) as session:
            planned = begin_run(session, run_id, planner)
            done_already = session.get_one(InvoiceRun, run_id).done
        made = 0
        with BookingPipeline(engine) as pipeline:
            for position, item in enumerate(planned, start=1):
                with unit_of_work(engine) as session:
                    made += issue_run_item(session, run_id, item)
                if position % BOOKING_BATCH == 0:
                    _hand_in_bookings(engine, run_id, pipeline)
                if on_progress is not None:
                    on_progress(done_already + made, len(planned))
            _hand_in_bookings(engine, run_id, pipeline)  # the rest, and those of earlier tries
        bookings = pipeline.outcome()
    except Exception as error:
        with unit_of_work(engine) as session:
            fail_run(session, run_id, error)
        raise
    with unit_of_work(engine) as session:
        return finish_run(session, run_id, made, bookings.booked, bookings.failed)


def _hand_in_bookings(engine: Engine, run_id: int, pipeline: BookingPipeline) -> None:
    with unit_of_work(engine) as session:
        pipeline.submit(run_bookings(session, run_id))


def queue_run_mails(connection: Redis[bytes], run_id: int) -> int:
    """Queue the e-mail of every invoice of the run; each is sent once, however often queued."""
    with unit_of_work(runtime.engine()) as session:
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
    result = book_pending(runtime.engine())
    return {"booked": result.booked, "failed": result.failed, "skipped": result.skipped}


def enqueue_invoice_run(connection: Redis[bytes], run_id: int) -> Job:
    """Queue a run on the runs queue; its result is kept a day for the page that watches it."""
    return queue(RUNS, connection).enqueue(
        invoice_run_job, run_id, job_timeout=2 * 3600, result_ttl=24 * 3600
    )


def enqueue_bookings(connection: Redis[bytes]) -> Job:
    return queue(DEFAULT, connection).enqueue(book_pending_job, result_ttl=3600)
