"""The validation job through a real rq worker and Redis: queued on import, bound to one tenant."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq import SimpleWorker, get_current_job
from rq.job import Job, JobStatus
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.cli import cli
from ledger.importer import import_book
from ledger.models import ValidationRun
from ledger.validation import latest_validation
from tenants.binding import bind_session
from tests.conftest import worker_runtime
from tests.ledger.test_validation import CLEAN, break_a_balance_assertion
from workers import runtime
from workers.ledger_jobs import enqueue_validation
from workers.queues import LEDGER, queue, redis_connection


@pytest.fixture
def app_redis(app: Flask) -> Iterator[Redis]:
    """The Redis the application itself queues on (REDIS_URL of the test app).

    The ledger queue is emptied first: jobs left by earlier runs name organisation ids of a
    database that is gone, and the same ids exist again in this run's database.
    """
    connection = redis_connection(app.config["REDIS_URL"])
    queue(LEDGER, connection).empty()
    yield connection
    connection.close()


@pytest.fixture
def statements_by_job(engine: Engine) -> Iterator[dict[str, list[str]]]:
    """Every SQL statement sent while a job runs, by the id of the job that sent it."""
    seen: dict[str, list[str]] = {}

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        job = get_current_job()
        if job is not None:
            seen.setdefault(job.id, []).append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def work_ledger_queue(app: Flask, connection: Redis) -> None:
    """A real rq worker, in this process, on the ledger queue only, until it is empty."""
    runtime.use(worker_runtime(app))
    SimpleWorker([queue(LEDGER, connection)], connection=connection).work(burst=True)


def runs(engine: Engine, org: Any) -> list[ValidationRun]:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return list(books.scalars(select(ValidationRun).order_by(ValidationRun.id)))


def test_an_import_queues_a_validation_that_a_worker_runs_on_that_organisation_only(
    app: Flask,
    engine: Engine,
    make_org: Callable[..., Any],
    app_redis: Redis,
    statements_by_job: dict[str, list[str]],
    tmp_path: Path,
) -> None:
    first, second = make_org(), make_org()
    source = tmp_path / "clean.beancount"
    source.write_text(CLEAN)

    imported = app.test_cli_runner().invoke(cli, ["ledger", "import", first.slug, str(source)])
    job_id = imported.output.split("queued as job ")[1].split()[0]
    work_ledger_queue(app, app_redis)

    job = Job.fetch(job_id, connection=app_redis)
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == {"organisation_id": first.id, "findings": 0}
    assert [run.finding_count for run in runs(engine, first)] == [0]
    assert runs(engine, second) == []
    sent = "\n".join(statements_by_job[job_id])
    assert first.schema_name in sent
    assert second.schema_name not in sent


def test_the_job_stores_findings_and_is_safe_to_run_twice(
    app: Flask, engine: Engine, make_org: Callable[..., Any], app_redis: Redis
) -> None:
    org = make_org()
    with Session(engine) as books:
        bind_session(books, org.tenant)
        import_book(books, CLEAN, actor_id=None)
        break_a_balance_assertion(books)
    jobs = [enqueue_validation(app_redis, org.id) for _ in range(2)]

    work_ledger_queue(app, app_redis)

    assert [job.return_value() for job in jobs] == [{"organisation_id": org.id, "findings": 1}] * 2
    assert [run.finding_count for run in runs(engine, org)] == [1, 1]
    with Session(engine) as books:
        bind_session(books, org.tenant)
        report = latest_validation(books)
    assert report is not None and [f.kind for f in report.findings] == ["BalanceError"]
