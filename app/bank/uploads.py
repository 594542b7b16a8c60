"""Large statements go to the background: the file is kept in the instance folder for the job."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import current_app
from rq.job import Job

from workers.bank_jobs import enqueue_statement_import
from workers.queues import redis_connection

BACKGROUND_BYTES = 512 * 1024


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
    return enqueue_statement_import(
        connection, organisation_id, str(path), filename, actor_id, bank_account_id
    )


def job_of(job_id: str, organisation_id: int) -> Job | None:
    """The import job, only if it belongs to this organisation (a job id is no capability)."""
    connection = redis_connection(current_app.config["REDIS_URL"])
    try:
        job = Job.fetch(job_id, connection=connection)
    except Exception:  # rq raises NoSuchJobError and Redis errors alike
        return None
    if not job.args or job.args[0] != organisation_id:
        return None
    return job


def job_state(job: Job) -> dict[str, Any]:
    status = job.get_status()
    return {
        "status": str(status.value if status else "unknown"),
        "progress": job.meta.get("progress", {"done": 0, "total": 0}),
        "result": job.return_value() if status and status.value == "finished" else None,
    }
