"""Bank jobs: importing a large statement in the background, with progress in the job's meta."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redis import Redis
from rq import get_current_job
from rq.job import Job

from ledger.bank.importing import import_statement
from workers.queues import LEDGER, queue
from workers.runtime import tenant_session


def import_statement_job(
    organisation_id: int,
    path: str,
    filename: str,
    actor_id: int | None,
    bank_account_id: int | None = None,
) -> dict[str, Any]:
    """Import the statement file at ``path`` (removed afterwards); returns the import's figures.

    Safe to run twice: lines already imported are recognised and skipped. Progress goes to
    ``job.meta["progress"]`` as ``{"done": n, "total": m}`` for the browser's progress bar.
    """
    job = get_current_job()

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta["progress"] = {"done": done, "total": total}
            job.save_meta()  # type: ignore[no-untyped-call]

    file = Path(path)
    with tenant_session(organisation_id) as session:
        result = import_statement(
            session,
            file.read_bytes(),
            actor_id,
            filename=filename,
            bank_account_id=bank_account_id,
            on_progress=progress,
        )
    file.unlink(missing_ok=True)
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
        result_ttl=24 * 3600,
    )
