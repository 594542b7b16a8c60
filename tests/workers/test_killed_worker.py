"""Workers killed with SIGKILL in the middle of a job: every job still finishes, exactly once.

Three real worker processes (``servicebureau worker``, rq's forking worker) each take a job: a
membership run, a bank statement import and a full validation of the books. A table lock held
by the test stops each one inside its unit of work, mid-transaction; then the whole process
group of each worker is killed, horse and all. Nothing of the interrupted transactions is
written. Once rq sees the executions expired, a new worker's maintenance files them as
abandoned and ``requeue_abandoned`` puts them back; the new worker runs them to the end. No
person retries anything.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.bank.accounts import add_bank_account
from ledger.bank.models import BankLine
from ledger.models import ValidationRun
from purchasing.models import Invoice, RunItem, RunKind
from purchasing.plans import subscribe
from purchasing.proration import Period
from purchasing.runs.runs import start_run
from tenants.binding import bind_session
from tests.bank.builders import camt_statement
from tests.conftest import OrgHandle, worker_runtime
from tests.purchasing.billing import fee_plan, make_bureau, make_member
from workers.bank_jobs import enqueue_statement_import
from workers.ledger_jobs import enqueue_validation
from workers.purchasing_jobs import enqueue_invoice_run
from workers.queues import redis_connection
from workers.worker import run_worker

ING = "NL20INGB0001234567"
LINES = 300
# rq keeps a job's execution alive for a minute and a half past the worker's last heartbeat.
RECOVERY_DEADLINE_SECONDS = 240


@pytest.fixture
def job_redis_url(redis_url: str) -> str:
    if not redis_url.startswith("redis://"):
        return redis_url
    return f"{redis_url.rsplit('/', 1)[0]}/12"


@pytest.fixture
def killed_redis(job_redis_url: str) -> Redis[bytes]:
    """A Redis database of this test's own (12), emptied: no other test's jobs, no stale ones."""
    connection = redis_connection(job_redis_url)
    connection.flushdb()
    return connection


def membership_run(session: Session, make_org: Callable[..., OrgHandle]) -> tuple[int, list[int]]:
    bureau = make_bureau(make_org, session)
    plan_id = fee_plan(session, bureau.id)
    members = [make_member(make_org, session) for _ in range(3)]
    for member in members:
        subscribe(session, plan_id, member.id, Decimal(3), date(2025, 1, 1))
    run_id = start_run(
        session,
        RunKind.MEMBERSHIP,
        plan_id,
        Period(date(2026, 1, 1), date(2026, 12, 31)),
        date(2026, 1, 5),
    )
    session.commit()
    return run_id, [member.id for member in members]


def start_worker(database_url: str, redis_url: str, instance_dir: Path) -> subprocess.Popen[bytes]:
    command = Path(sys.executable).parent / "servicebureau"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SB_INSTANCE_DIR": str(instance_dir),
        "SB_PUBLIC_URL": "http://127.0.0.1:5000",
    }
    return subprocess.Popen(
        [str(command), "worker"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the horse dies with it
    )


def kill_with_its_horse(worker: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and the work horse running its job (rq puts the horse in a process
    group of its own, so it would outlive a kill of the worker's group)."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    os.killpg(worker.pid, signal.SIGKILL)
    for child in children:
        with contextlib.suppress(ProcessLookupError):  # the horse had finished already
            os.killpg(int(child), signal.SIGKILL)
    worker.wait(timeout=30)


def backends_waiting_on_locks(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"waited {seconds} s for {what}")


def test_jobs_whose_workers_are_killed_mid_transaction_finish_exactly_once_by_themselves(
    app: Any,
    engine: Engine,
    session: Session,
    make_org: Callable[..., OrgHandle],
    database_url: str,
    job_redis_url: str,
    killed_redis: Redis[bytes],
    instance_dir: Path,
    tmp_path: Path,
) -> None:
    run_id, member_ids = membership_run(session, make_org)
    importer, checked = make_org(), make_org()
    with Session(engine) as books:
        bind_session(books, importer.tenant)
        add_bank_account(books, ING, None)
        books.commit()
    statement = tmp_path / "year.xml"
    statement.write_bytes(camt_statement(ING, LINES))

    blocker = engine.connect()
    blocker.execute(text("LOCK TABLE public.invoices IN SHARE MODE"))
    blocker.execute(text(f'LOCK TABLE "{importer.schema_name}".bank_lines IN SHARE MODE'))
    blocker.execute(text(f'LOCK TABLE "{checked.schema_name}".validation_runs IN SHARE MODE'))
    jobs = [
        enqueue_invoice_run(killed_redis, run_id),
        enqueue_statement_import(killed_redis, importer.id, str(statement), "year.xml", None),
        enqueue_validation(killed_redis, checked.id),
    ]
    workers = [start_worker(database_url, job_redis_url, instance_dir) for _ in jobs]
    try:
        wait_for(lambda: backends_waiting_on_locks(engine) >= 3, 120, "three jobs blocked")
    finally:
        for worker in workers:
            kill_with_its_horse(worker)
        blocker.rollback()
        blocker.close()

    assert all(Job.fetch(job.id, killed_redis).get_status() == JobStatus.STARTED for job in jobs)
    assert _invoices_of(session, run_id) == []
    assert _count(engine, importer, BankLine) == 0
    assert _count(engine, checked, ValidationRun) == 0

    def all_finished() -> bool:
        run_worker(worker_runtime(app), burst=True, fork=False, connection=killed_redis)
        return all(
            Job.fetch(job.id, killed_redis).get_status() == JobStatus.FINISHED for job in jobs
        )

    wait_for(all_finished, RECOVERY_DEADLINE_SECONDS, "the abandoned jobs to be run again")

    invoices = _invoices_of(session, run_id)
    assert sorted(invoice.customer_id for invoice in invoices) == sorted(member_ids)
    sequences = sorted(invoice.sequence for invoice in invoices)
    assert sequences == list(range(sequences[0], sequences[0] + len(member_ids)))
    assert _count(engine, importer, BankLine) == LINES
    assert _count(engine, checked, ValidationRun) == 1
    assert all(Job.fetch(job.id, killed_redis).meta["recovered"] == 1 for job in jobs)


def _invoices_of(session: Session, run_id: int) -> list[Invoice]:
    session.commit()
    items = select(RunItem.invoice_id).where(RunItem.run_id == run_id)
    return list(session.scalars(select(Invoice).where(Invoice.id.in_(items))))


def _count(engine: Engine, org: OrgHandle, model: Any) -> int:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return int(books.scalar(select(func.count()).select_from(model)) or 0)
