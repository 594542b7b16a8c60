"""Bank jobs: importing a large statement in the background, with progress in the job's meta."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from redis import Redis
from rq import get_current_job
from rq.job import Job
from sqlalchemy.orm import Session

from ledger.bank.importing import import_statement
from ledger.bank.inbox import BulkResult, Confirmation, confirm_lines, in_booking_order
from ledger.bank.matching import InvoiceMatcher
from ledger.bank.statement import Progress
from ledger.errors import DomainError
from purchasing.sepa.payables import invoice_matcher
from tenants.models import Organisation
from tenants.unit_of_work import unit_of_work
from workers import runtime
from workers.ledger_jobs import enqueue_validation
from workers.purchasing_jobs import enqueue_bookings
from workers.queues import LEDGER, queue

BATCH = 50  # lines per unit of work in a bulk confirmation


def import_statement_job(
    organisation_id: int,
    path: str,
    filename: str,
    actor_id: int | None,
    bank_account_id: int | None = None,
) -> dict[str, Any]:
    """Import the statement file at ``path`` (removed afterwards); returns the import's figures.

    One unit of work: the file lands whole or not at all (the phases show in the progress bar,
    not in the books). Safe to run twice: lines already imported are recognised and skipped.
    Progress goes to ``job.meta["progress"]`` as ``{"phase": "parse" | "save", "done": n,
    "total": m}`` for the browser's progress bar; a refused file leaves its reason in
    ``job.meta["refused"]``. A successful import queues the full validation of the books.
    """
    job = get_current_job()
    progress = _progress_of(job)
    file = Path(path)
    try:
        with unit_of_work(runtime.engine(), organisation_id) as session:
            result = import_statement(
                session,
                file.read_bytes(),
                actor_id,
                filename=filename,
                bank_account_id=bank_account_id,
                on_progress=progress,
            )
    except DomainError as error:
        if job is not None:
            job.meta["refused"] = str(error)
            job.save_meta()  # type: ignore[no-untyped-call]
        raise
    finally:
        file.unlink(missing_ok=True)
    if job is not None and result.imported:
        enqueue_validation(job.connection, organisation_id)
    return result.to_json()


def enqueue_statement_import(
    connection: Redis[bytes],
    organisation_id: int,
    path: str,
    filename: str,
    actor_id: int | None,
    bank_account_id: int | None = None,
) -> Job:
    """Queue an import on the ledger queue; the result is kept a day for the browser to show."""
    return queue(LEDGER, connection).enqueue(
        import_statement_job,
        organisation_id,
        path,
        filename,
        actor_id,
        bank_account_id,
        job_timeout=30 * 60,
        meta={"organisation_id": organisation_id},  # whose job: the status page checks it
        result_ttl=24 * 3600,
        failure_ttl=24 * 3600,
    )


def confirm_lines_job(
    organisation_id: int,
    confirmations: Sequence[Sequence[Any]],
    actor_id: int | None,
) -> dict[str, Any]:
    """Book many inbox lines (``(line id, contra account, project)``, the project None when
    the page did not ask it; a job queued before projects holds pairs) with progress.

    The lines are booked oldest first, ``BATCH`` lines per unit of work: what is booked
    becomes visible as the job goes, and no transaction holds the accounts locked for long.
    Safe to run twice, and resumable after a crash: a line booked already is refused as such
    and books nothing again. Lines that pay an invoice settle it, as in the browser.
    """
    progress = _progress_of(get_current_job())
    wanted = [_confirmation(*confirmation) for confirmation in confirmations]
    with unit_of_work(runtime.engine(), organisation_id) as session:
        ordered = in_booking_order(session, wanted)
    result = BulkResult()
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start : start + BATCH]
        with unit_of_work(runtime.engine(), organisation_id) as session:
            done = confirm_lines(
                session,
                batch,
                actor_id,
                invoices=_invoices(session, organisation_id),
                on_progress=_shifted(progress, start, len(ordered)),
            )
        result.booked.update(done.booked)
        result.refused.update(done.refused)
    job = get_current_job()
    if job is not None and result.booked:
        enqueue_bookings(job.connection)  # the other side of the invoices these lines paid
    return {
        "booked": len(result.booked),
        "refused": {str(line_id): str(error) for line_id, error in result.refused.items()},
    }


def _invoices(session: Session, organisation_id: int) -> InvoiceMatcher:
    organisation = session.get_one(Organisation, organisation_id)
    return invoice_matcher(session, organisation_id, is_bureau=organisation.is_bureau)


def _confirmation(line_id: int, account: str, project: str | None = None) -> Confirmation:
    return Confirmation(int(line_id), account, project=project)


def enqueue_confirmations(
    connection: Redis[bytes],
    organisation_id: int,
    confirmations: Sequence[tuple[int, str, str | None]],
    actor_id: int | None,
) -> Job:
    """Queue a bulk confirmation on the ledger queue; its result is kept a day."""
    return queue(LEDGER, connection).enqueue(
        confirm_lines_job,
        organisation_id,
        confirmations,
        actor_id,
        job_timeout=30 * 60,
        meta={"organisation_id": organisation_id},  # whose job: the status page checks it
        result_ttl=24 * 3600,
        failure_ttl=24 * 3600,
    )


def _shifted(progress: Progress, start: int, total: int) -> Progress:
    """A batch's progress as progress through the whole job."""

    def report(phase: str, done: int, _batch_total: int) -> None:
        progress(phase, start + done, total)

    return report


def _progress_of(job: Job | None) -> Callable[[str, int, int], None]:
    """Progress into ``job.meta["progress"]`` as ``{"phase", "done", "total"}``."""

    def progress(phase: str, done: int, total: int) -> None:
        if job is not None:
            job.meta["progress"] = {"phase": phase, "done": done, "total": total}
            job.save_meta()  # type: ignore[no-untyped-call]

    return progress
