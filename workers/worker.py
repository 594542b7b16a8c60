"""The worker entry point: one rq worker on all our queues, jobs run with the app's settings."""

from __future__ import annotations

from flask import Flask
from redis import Redis
from rq import SimpleWorker, Worker

from workers import runtime
from workers.queues import all_queues, redis_connection


def run_worker(
    app: Flask, *, burst: bool = False, fork: bool = True, connection: Redis[bytes] | None = None
) -> bool:
    """Work the queues until stopped (or, with ``burst``, until they are empty).

    A forking worker runs each job in a fresh child process, so a crashing or leaking job cannot
    harm the next one; ``fork=False`` runs jobs in this process (for tests and debugging).
    ``connection`` defaults to the app's REDIS_URL. Returns whether any job was done.
    """
    runtime.use_app(app)
    connection = connection or redis_connection(app.config["REDIS_URL"])
    worker_class = Worker if fork else SimpleWorker
    worker = worker_class(all_queues(connection), connection=connection)
    return bool(worker.work(burst=burst, logging_level=app.config.get("LOG_LEVEL", "INFO")))
