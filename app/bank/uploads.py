"""Large statements go to the background: the file is kept in the instance folder for the job."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from rq.job import Job

from workers.bank_jobs import enqueue_confirmations, enqueue_statement_import
from workers.ledger_jobs import enqueue_validation
from workers.purchasing_jobs import enqueue_bookings
from workers.queues import redis_connection

BACKGROUND_BYTES = 512 * 1024
BACKGROUND_LINES = 100  # confirming more lines at once runs as a job with progress


def is_large(data: bytes) -> bool:
    """Files above half a megabyte (a few thousand lines) import as a job with progress."""
    return len(data) > BACKGROUND_BYTES


def start_import(
    data: bytes, filename: str, organisation_id: int, actor_id: int, bank_account_id: int | None
) -> Job:
    folder = Path(current_app.instance_path) / "bank-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{organisation_id}-{secrets.token_hex(8)}"
    path.write_bytes(data)
    connection = redis_connection(current_app.config["REDIS_URL"])
    try:
        return enqueue_statement_import(
            connection, organisation_id, str(path), filename, actor_id, bank_account_id
        )
    except BaseException:
        path.unlink(missing_ok=True)  # no job will ever read it
        raise


def start_confirmations(
    confirmations: list[tuple[int, str, str | None]], organisation_id: int, actor_id: int
) -> Job:
    connection = redis_connection(current_app.config["REDIS_URL"])
    return enqueue_confirmations(connection, organisation_id, confirmations, actor_id)


def job_of(job_id: str, organisation_id: int) -> Job | None:
    """The import job, only if it belongs to this organisation (a job id is no capability)."""
    connection = redis_connection(current_app.config["REDIS_URL"])
    try:
        job = Job.fetch(job_id, connection=connection)
    except Exception:  # rq raises NoSuchJobError and Redis errors alike
        return None
    # The organisation is in the job's meta from the moment it is queued; a job of another
    # organisation, or one queued without it, answers as if it did not exist.
    if job.meta.get("organisation_id") != organisation_id:
        return None
    return job


def job_state(job: Job) -> dict[str, Any]:
    """What the job page shows: status, progress per phase, the figures or why it failed."""
    status = job.get_status()
    value = str(status.value if status else "unknown")
    refused = job.meta.get("refused")
    if value == "failed" and not refused:
        refused = _("Het inlezen is mislukt door een fout in de verwerking; probeer het opnieuw.")
    return {
        "kind": "confirm" if (job.func_name or "").endswith("confirm_lines_job") else "import",
        "status": value,
        "progress": job.meta.get("progress", {"phase": "", "done": 0, "total": 0}),
        "result": job.return_value() if value == "finished" else None,
        "refused": refused,
    }


def validate_later(organisation_id: int) -> None:
    """After an import, Beancount's full validation of the books runs in the background."""
    enqueue_validation(redis_connection(current_app.config["REDIS_URL"]), organisation_id)


def book_other_sides() -> None:
    """Payments settled from this bank are booked in the other organisation's books too."""
    enqueue_bookings(redis_connection(current_app.config["REDIS_URL"]))
