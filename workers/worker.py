"""The worker entry point: one rq worker on all our queues, jobs run with the worker's runtime."""

from __future__ import annotations

from redis import Redis
from rq import SimpleWorker, Worker

from workers import runtime
from workers.queues import all_queues, redis_connection


def run_worker(
    job_runtime: runtime.Runtime | None = None,
    *,
    burst: bool = False,
    fork: bool = True,
    connection: Redis[bytes] | None = None,
) -> bool:
    """Work the queues until stopped (or, with ``burst``, until they are empty).

    ``job_runtime`` (by default built from the environment) is what the jobs use. A forking
    worker runs each job in a fresh child process, so a crashing or leaking job cannot harm
    the next one; ``fork=False`` runs jobs in this process (for tests and debugging).
    ``connection`` defaults to the runtime's Redis. Returns whether any job was done.
    """
    if job_runtime is not None:
        runtime.use(job_runtime)
    current = runtime.current()
    connection = connection or redis_connection(current.redis_url)
    worker_class = Worker if fork else SimpleWorker
    worker = worker_class(all_queues(connection), connection=connection)
    return bool(worker.work(burst=burst, logging_level=current.log_level))
