"""The worker entry point: one rq worker on all our queues, jobs run with the worker's runtime.

Every job runs with its id, function and organisation bound to the log context, so each line
it logs (ours and the libraries') says which job and organisation it belongs to, and it ends
with one ``job`` line with its outcome and duration.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from redis import Redis
from rq import SimpleWorker, Worker
from rq.executions import Execution
from rq.job import Job
from rq.queue import Queue
from rq.worker import BaseWorker

from workers import runtime
from workers.queues import all_queues, redis_connection
from workers.registries import organisation_of, requeue_abandoned

log = structlog.get_logger("workers.jobs")
# A working worker beats this often (rq's default); a job's execution expires two missed beats
# after its last one (rq's 60 s at this default). Every worker, idle ones too, cleans rq's
# registries every three beats (rq: ten minutes, and an idle worker sleeps seven), so a job
# whose worker died is found and requeued (``requeue_abandoned``) within about six beats.
HEARTBEAT_SECONDS = 30
BEATS_BETWEEN_MAINTENANCE = 3
# rq's idle worker blocks on its queues for its TTL less this, then beats and maintains.
_RQ_DEQUEUE_MARGIN = 15


class _JobLogging(BaseWorker):
    """A worker whose jobs log their id and organisation (mixed into both worker kinds)."""

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            job_id=job.id,
            job=job.func_name,
            queue=queue.name,
            organisation_id=_organisation_of(job),
        )
        started = time.perf_counter()
        try:
            done = bool(super().perform_job(job, queue, execution))
            log.info(
                "job",
                status="finished" if done else "failed",
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            return done
        finally:
            structlog.contextvars.clear_contextvars()

    def unsubscribe(self) -> None:
        """rq's, waiting at most a second for the thread that listens for commands.

        redis-py's ``stop`` waits for that thread's idle poll, which rq makes a minute long: a
        worker (a burst worker in tests, any worker at a deploy) could take a minute to end.
        """
        if self.pubsub_thread:
            self.pubsub.unsubscribe()
            self.pubsub_thread.stop(timeout=1)
            self.pubsub.close()

    def clean_registries(self) -> None:
        """rq's maintenance, then the jobs a dead worker left behind go back on their queues."""
        super().clean_registries()  # type: ignore[no-untyped-call]
        for job_id in requeue_abandoned(self.connection):
            log.warning("job requeued after its worker died", requeued_job_id=job_id)


class LoggingWorker(_JobLogging, Worker):
    """rq's forking worker: each job in a child process of its own, watched by this one."""

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """Until the next beat, plus two missed beats (rq adds a fixed minute instead)."""
        if job.timeout and job.timeout > 0:
            until_next = min(job.timeout - working_time, self.job_monitoring_interval)
        else:
            until_next = self.job_monitoring_interval
        return int(until_next) + 2 * int(self.job_monitoring_interval)


class LoggingSimpleWorker(_JobLogging, SimpleWorker):
    """rq's worker that runs jobs in its own process (tests, debugging); it cannot beat while
    a job runs, so a job's execution lasts its whole timeout (rq's own rule)."""


def run_worker(
    job_runtime: runtime.Runtime | None = None,
    *,
    burst: bool = False,
    fork: bool = True,
    connection: Redis[bytes] | None = None,
    heartbeat_seconds: int = HEARTBEAT_SECONDS,
) -> bool:
    """Work the queues until stopped (or, with ``burst``, until they are empty).

    ``job_runtime`` (by default built from the environment) is what the jobs use. A forking
    worker runs each job in a fresh child process, so a crashing or leaking job cannot harm
    the next one; ``fork=False`` runs jobs in this process (for tests and debugging).
    ``connection`` defaults to the runtime's Redis. A job whose worker dies is found again
    by any other worker within about six ``heartbeat_seconds``. Returns whether any job was
    done.
    """
    if job_runtime is not None:
        runtime.use(job_runtime)
    current = runtime.current()
    connection = connection or redis_connection(current.redis_url)
    worker_class = LoggingWorker if fork else LoggingSimpleWorker
    maintenance_seconds = BEATS_BETWEEN_MAINTENANCE * heartbeat_seconds
    worker = worker_class(
        all_queues(connection),
        connection=connection,
        maintenance_interval=maintenance_seconds,
        worker_ttl=maintenance_seconds + _RQ_DEQUEUE_MARGIN,
        job_monitoring_interval=heartbeat_seconds,
    )
    return bool(worker.work(burst=burst, logging_level=current.log_level))


def _organisation_of(job: Job) -> Any:
    try:
        return organisation_of(job)
    except Exception:  # a job that cannot be loaded fails in rq, not in our logging
        return None
