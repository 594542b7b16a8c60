"""What rq's registries say: the workers seen lately, and the failed jobs with a retry.

A failed job stays in its queue's ``FailedJobRegistry`` (a year, rq's default) with the
traceback of its last attempt; retrying puts it back on its own queue, where the next worker
runs it again (jobs are safe to run twice).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis import Redis
from rq import Worker
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry

from workers.queues import QUEUE_NAMES, all_queues, queue

# Our idle worker beats every 90 s (``workers.worker``; rq's own, every 405 s): allow for
# workers of either kind, and a late beat, before calling them gone.
WORKER_SEEN_WITHIN = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class FailedJob:
    """One failed job, as the bureau's page shows it."""

    id: str
    function: str
    description: str
    queue: str
    organisation_id: int | None
    reason: str
    failed_at: datetime | None


def last_worker_seen_at(connection: Redis[bytes]) -> datetime | None:
    """The latest heartbeat of any worker in rq's worker registry (None: no worker there)."""
    beats = [w.last_heartbeat for w in Worker.all(connection=connection) if w.last_heartbeat]
    return max(beats, default=None)


def failed_jobs(connection: Redis[bytes], limit: int = 200) -> list[FailedJob]:
    """The failed jobs of every queue, the latest first (at most ``limit``)."""
    found = []
    for each in all_queues(connection):
        registry = FailedJobRegistry(queue=each)
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        for job in Job.fetch_many(ids, connection=connection):
            if job is not None:
                found.append(_failed(job, each.name))
    return sorted(found, key=_latest_first)[:limit]


def retry_failed_job(connection: Redis[bytes], job_id: str) -> bool:
    """Put a failed job back on its queue; False when it is not (or no longer) failed."""
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    if job.origin not in QUEUE_NAMES:
        return False
    try:
        FailedJobRegistry(queue=queue(job.origin, connection)).requeue(job)
    except InvalidJobOperation:  # retried already, by another person or tab
        return False
    return True


def organisation_of(job: Job) -> int | None:
    """The organisation a job names: jobs about one organisation take ``organisation_id`` first."""
    if "organisation_id" in job.kwargs:
        return int(job.kwargs["organisation_id"])
    try:
        parameters = list(inspect.signature(job.func).parameters)
    except (ValueError, TypeError, AttributeError, ImportError):
        return None
    if parameters[:1] == ["organisation_id"] and job.args:
        return int(job.args[0])
    return None


def reason_of(job: Job) -> str:
    """The last line of the failure (``Error: what happened``), not the whole traceback."""
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _failed(job: Job, queue_name: str) -> FailedJob:
    return FailedJob(
        id=job.id,
        function=job.func_name or "",
        description=job.description or "",
        queue=queue_name,
        organisation_id=organisation_of(job),
        reason=reason_of(job),
        failed_at=job.ended_at.replace(tzinfo=UTC) if job.ended_at else None,
    )


def _latest_first(job: FailedJob) -> float:
    return -(job.failed_at.timestamp() if job.failed_at else 0.0)


# How often a job whose worker died under it is put back on its queue before a person decides.
RECOVERIES = 3


def requeue_abandoned(connection: Redis[bytes]) -> list[str]:
    """Put back on their queues the jobs whose worker died under them; returns their ids.

    When a worker process is killed mid-job (out of memory, a deploy, a crash of the machine),
    rq finds the job's execution expired when it next cleans its registries and files the job
    under failed, "due to AbandonedJobError". Our jobs are safe to run twice, so such a job is
    requeued at once, up to ``RECOVERIES`` times (counted in its meta); a job that failed by
    raising stays failed for a person to read and retry.
    """
    requeued = []
    for each in all_queues(connection):
        registry = FailedJobRegistry(queue=each)
        for job in Job.fetch_many(registry.get_job_ids(), connection=connection):
            if job is None or not _was_abandoned(job):
                continue
            recovered = int(job.meta.get("recovered", 0))
            if recovered >= RECOVERIES:
                continue
            job.meta["recovered"] = recovered + 1
            job.save_meta()  # type: ignore[no-untyped-call]
            try:
                registry.requeue(job)
            except InvalidJobOperation:  # another worker requeued it a moment ago
                continue
            requeued.append(job.id)
    return requeued


def _was_abandoned(job: Job) -> bool:
    result = job.latest_result()
    return result is not None and "AbandonedJobError" in (result.exc_string or "")
