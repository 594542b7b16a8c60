"""Redis as a test finds it: every queue and every registry of the job queues empty."""

from __future__ import annotations

from redis import Redis

from workers.queues import all_queues


def empty_queues(connection: Redis) -> None:
    """Empty every queue and its registries (started, finished, failed, ...).

    Emptying the queues alone left the registries of earlier runs: a finished job's id stays
    in its registry until its result time is up, while the job itself may be gone, and a test
    reading the registry then fetched a job that no longer exists.
    """
    for each in all_queues(connection):
        each.empty()
        registries = (
            each.started_job_registry,
            each.finished_job_registry,
            each.failed_job_registry,
            each.deferred_job_registry,
            each.scheduled_job_registry,
            each.canceled_job_registry,
        )
        connection.delete(*(registry.key for registry in registries))
