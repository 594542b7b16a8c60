"""Workers killed with SIGKILL in the middle of a job: every job still finishes, exactly once.

Five real worker processes (``servicebureau worker``, rq's forking worker) each take a job of
another kind: a premium run, a membership run, a bank statement import, a bulk confirmation
of bank lines and a full validation of the books. Locks held by the test stop each one inside
its unit of work, mid-transaction; then the whole process group of each worker is killed,
horse and all. Nothing of the interrupted transactions is written. A new worker started
afterwards finds the executions expired in rq's registries, files them as abandoned and
``requeue_abandoned`` puts them back; it runs them to the end. No person retries anything.
The workers beat every second here (``--heartbeat``), so this takes seconds, not minutes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import Worker
from rq.job import Job, JobStatus
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.bank.models import BankLine
from ledger.models import Transaction, ValidationRun
from purchasing.models import Booking, BookingStatus, Invoice, RunItem, RunKind
from purchasing.plans import subscribe
from purchasing.policies import NewPolicy, add_insurer, add_policy
from purchasing.pools import join, open_pool
from purchasing.proration import Period
from purchasing.rating import Basis, Exposure, Line
from purchasing.runs.runs import start_run
from tenants.binding import bind_session
from tests.bank.builders import camt_statement
from tests.conftest import OrgHandle
from tests.faults import assert_books_validate, opened_in_2020, wait_for
from tests.purchasing.billing import fee_plan, make_bureau, make_member
from workers.bank_jobs import enqueue_confirmations, enqueue_statement_import
from workers.ledger_jobs import enqueue_validation
from workers.purchasing_jobs import enqueue_invoice_run
from workers.queues import all_queues, redis_connection
from workers.worker import LoggingWorker

pytestmark = pytest.mark.servers  # CI runs this on the embedded servers too

D = Decimal
ING = "NL20INGB0001234567"
IMPORTED = 300
CONFIRMED = 120  # three units of work of a bulk confirmation
HEARTBEAT_SECONDS = 1
# Deadlines, not expectations: five workers start on two shared cores; a killed job is found
# again about six heartbeats after its worker's last one.
START_DEADLINE = 120
RECOVERY_DEADLINE = 120


@pytest.fixture
def job_redis_url(redis_url: str) -> str:
    """Database 12 of the test server (of the embedded one: over its Unix socket)."""
    if redis_url.startswith("unix://"):
        return f"{redis_url.split('?', 1)[0]}?db=12"
    return f"{redis_url.rsplit('/', 1)[0]}/12"


@pytest.fixture
def killed_redis(job_redis_url: str) -> Iterator[Redis[bytes]]:
    """A Redis database of this test's own (12), emptied: no other test's jobs, no stale ones."""
    connection = redis_connection(job_redis_url)
    connection.flushdb()
    yield connection
    connection.close()


def membership_run(session: Session, bureau: OrgHandle, members: list[OrgHandle]) -> int:
    plan_id = fee_plan(session, bureau.id)
    for member in members:
        subscribe(session, plan_id, member.id, D(3), date(2025, 1, 1))
    run_id = start_run(
        session,
        RunKind.MEMBERSHIP,
        plan_id,
        Period(date(2026, 1, 1), date(2026, 12, 31)),
        date(2026, 1, 5),
    )
    session.commit()
    return run_id


def premium_run(session: Session, bureau: OrgHandle, members: list[OrgHandle]) -> int:
    """A liability pool at €100 per employee a year, each member with two employees, Q1."""
    insurer_id = add_insurer(session, f"Verzekeraar {secrets.token_hex(3)}", kvk_number="12345678")
    policy_id = add_policy(
        session,
        NewPolicy(
            insurer_id=insurer_id,
            policyholder_id=bureau.id,
            line=Line.AVB,
            name="Collectieve AVB 2026",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            basis=Basis.PER_EMPLOYEE,
            tiers=[(D(0), D(100))],
            annual_costs=D("36.50"),
        ),
    )
    pool_id = open_pool(
        session, policy_id, "AVB-pool 2026", 2, date(2025, 11, 1), date(2026, 10, 31)
    )
    for member in members:
        join(session, pool_id, member.id, Exposure(employees=D(2)), date(2025, 12, 1))
    run_id = start_run(
        session,
        RunKind.PREMIUM,
        pool_id,
        Period(date(2026, 1, 1), date(2026, 3, 31)),
        date(2026, 1, 15),
    )
    session.commit()
    return run_id


def start_worker(
    database_url: str, redis_url: str, instance_dir: Path, log: Path
) -> subprocess.Popen[bytes]:
    """``servicebureau worker``, as deployed, its log in ``log`` (for when this test fails)."""
    command = Path(sys.executable).parent / "servicebureau"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SB_INSTANCE_DIR": str(instance_dir),
        "SB_PUBLIC_URL": "http://127.0.0.1:5000",
        "SB_WORKER_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
    }
    with log.open("wb") as output:
        return subprocess.Popen(
            [str(command), "worker"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the horse dies with it
        )


def kill_with_its_horse(worker: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and the work horse running its job (rq puts the horse in a process
    group of its own, so it would outlive a kill of the worker's group)."""
    children: list[str] = []
    with contextlib.suppress(FileNotFoundError):  # the worker died already
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    for group in (worker.pid, *map(int, children)):
        with contextlib.suppress(ProcessLookupError):  # the horse had finished already
            os.killpg(group, signal.SIGKILL)
    worker.wait(timeout=30)


def stop(worker: subprocess.Popen[bytes]) -> None:
    """Stop a worker as a deploy does (rq's warm shutdown), or kill it if it will not go."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_with_its_horse(worker)


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


def test_jobs_whose_workers_are_killed_mid_transaction_finish_exactly_once_by_themselves(
    engine: Engine,
    session: Session,
    make_org: Callable[..., OrgHandle],
    database_url: str,
    job_redis_url: str,
    killed_redis: Redis[bytes],
    instance_dir: Path,
    tmp_path: Path,
) -> None:
    bureau = make_bureau(make_org, session)
    members = [make_member(make_org, session) for _ in range(3)]
    premium_id = premium_run(session, bureau, members)
    membership_id = membership_run(session, bureau, members)
    importer, checked = make_org(), make_org()
    confirmer = opened_in_2020(engine)  # the statement is of 2024
    with Session(engine) as books:
        bind_session(books, importer.tenant)
        add_bank_account(books, ING, None)
        books.commit()
    statement = tmp_path / "year.xml"
    statement.write_bytes(camt_statement(ING, IMPORTED))
    with Session(engine) as books:
        bind_session(books, confirmer.tenant)
        add_bank_account(books, ING, None)
        import_statement(books, camt_statement(ING, CONFIRMED), None)
        books.commit()
        confirmations = [
            (line, "Expenses:Bank:Fees") for line in books.scalars(select(BankLine.id))
        ]
    transactions_before = _count(engine, confirmer, Transaction)

    blocker = engine.connect()
    blocker.execute(text("LOCK TABLE public.invoices IN SHARE MODE"))
    blocker.execute(text(f'LOCK TABLE "{importer.schema_name}".bank_lines IN SHARE MODE'))
    blocker.execute(text(f'LOCK TABLE "{confirmer.schema_name}".transactions IN SHARE MODE'))
    blocker.execute(text(f'LOCK TABLE "{checked.schema_name}".validation_runs IN SHARE MODE'))
    jobs = [
        enqueue_invoice_run(killed_redis, premium_id),
        enqueue_invoice_run(killed_redis, membership_id),
        enqueue_statement_import(killed_redis, importer.id, str(statement), "year.xml", None),
        enqueue_confirmations(killed_redis, confirmer.id, confirmations, None),
        enqueue_validation(killed_redis, checked.id),
    ]
    workers = [
        start_worker(database_url, job_redis_url, instance_dir, tmp_path / f"killed-{n}.log")
        for n in range(len(jobs))
    ]
    try:
        wait_for(
            lambda: backends_waiting_on_locks(engine) >= len(jobs),
            START_DEADLINE,
            "every job blocked inside its transaction",
        )
    finally:
        for worker in workers:
            kill_with_its_horse(worker)
        blocker.rollback()
        blocker.close()

    assert [Job.fetch(job.id, killed_redis).get_status() for job in jobs] == [JobStatus.STARTED] * 5
    assert _invoices_of(session, premium_id) == []
    assert _invoices_of(session, membership_id) == []
    assert _count(engine, importer, BankLine) == 0
    assert _count(engine, confirmer, Transaction) == transactions_before
    assert _count(engine, checked, ValidationRun) == 0

    def all_finished() -> bool:
        fetched = [Job.fetch(job.id, killed_redis) for job in jobs]
        assert [_failure(job) for job in fetched] == [""] * len(jobs)
        return [job.get_status() for job in fetched] == [JobStatus.FINISHED] * len(jobs)

    new_worker = start_worker(database_url, job_redis_url, instance_dir, tmp_path / "new.log")
    try:
        wait_for(all_finished, RECOVERY_DEADLINE, "the abandoned jobs to be run again")
    finally:
        stop(new_worker)

    assert [Job.fetch(job.id, killed_redis).meta["recovered"] for job in jobs] == [1] * 5
    premium, membership = _invoices_of(session, premium_id), _invoices_of(session, membership_id)
    member_ids = sorted(member.id for member in members)
    assert sorted(invoice.customer_id for invoice in premium) == member_ids
    assert sorted(invoice.customer_id for invoice in membership) == member_ids
    numbers = sorted(invoice.sequence for invoice in premium + membership)
    assert numbers == list(range(numbers[0], numbers[0] + 2 * len(members)))  # none twice or lost
    statuses = session.scalars(
        select(Booking.status).where(Booking.invoice_id.in_([i.id for i in premium + membership]))
    ).all()
    assert len(statuses) == 2 * 2 * len(members)  # both sides of every invoice
    assert set(statuses) == {BookingStatus.BOOKED}
    assert _count(engine, importer, BankLine) == IMPORTED
    assert _count(engine, confirmer, Transaction) == transactions_before + CONFIRMED
    assert _unbooked(engine, confirmer) == 0
    assert _count(engine, checked, ValidationRun) == 1
    assert_books_validate(engine, [bureau, *members, importer, confirmer, checked])


def _failure(job: Job) -> str:
    """Why a job failed, unless it failed only as abandoned (to be requeued) or did not."""
    result = job.latest_result() if job.get_status() == JobStatus.FAILED else None
    reason = (result.exc_string or "") if result is not None else ""
    return "" if "AbandonedJobError" in reason else reason


def _invoices_of(session: Session, run_id: int) -> list[Invoice]:
    session.commit()
    items = select(RunItem.invoice_id).where(RunItem.run_id == run_id)
    return list(session.scalars(select(Invoice).where(Invoice.id.in_(items))))


def _count(engine: Engine, org: OrgHandle, model: Any) -> int:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        return int(books.scalar(select(func.count()).select_from(model)) or 0)


def _unbooked(engine: Engine, org: OrgHandle) -> int:
    with Session(engine) as books:
        bind_session(books, org.tenant)
        unbooked = select(func.count()).select_from(BankLine).where(BankLine.booked_at.is_(None))
        return int(books.scalar(unbooked) or 0)


def test_a_job_is_found_abandoned_three_heartbeats_after_its_worker_last_beat(
    killed_redis: Redis[bytes],
) -> None:
    """rq's own rule at the default beat (a minute past the next beat); shorter beats, sooner."""
    job = enqueue_validation(killed_redis, 1)
    queues = all_queues(killed_redis)
    deployed = LoggingWorker(queues, connection=killed_redis, job_monitoring_interval=30)
    quick = LoggingWorker(queues, connection=killed_redis, job_monitoring_interval=1)

    assert deployed.get_heartbeat_ttl(job) == Worker.get_heartbeat_ttl(deployed, job) == 90
    assert quick.get_heartbeat_ttl(job) == 3
    assert quick.get_heartbeat_ttl(job, working_time=30 * 60 - 0.5) == 2  # near its timeout
