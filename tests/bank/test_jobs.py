"""A large statement imports as an rq job, with its progress in the job's meta."""

from __future__ import annotations

from sqlalchemy import func, select

from ledger.bank.accounts import add_bank_account
from ledger.bank.models import BankLine
from tests.bank.builders import camt_statement
from workers.bank_jobs import enqueue_statement_import
from workers.worker import run_worker

ING = "NL20INGB0001234567"


def test_a_large_statement_imports_in_a_job_that_reports_its_progress(
    app, books, org, job_redis, tmp_path
):
    add_bank_account(books, ING, None)
    path = tmp_path / "year.xml"
    path.write_bytes(camt_statement(ING, 2500))

    job = enqueue_statement_import(job_redis, org.id, str(path), "year.xml", None)
    run_worker(app, burst=True, fork=False, connection=job_redis)

    job.refresh()
    assert job.return_value()["imported"] == 2500
    assert job.meta["progress"] == {"done": 2500, "total": 2500}
    assert books.scalar(select(func.count()).select_from(BankLine)) == 2500
    assert not path.exists()


def test_running_the_import_job_twice_adds_nothing_the_second_time(
    app, books, org, job_redis, tmp_path
):
    add_bank_account(books, ING, None)
    data = camt_statement(ING, 50)
    jobs = []
    for name in ("first.xml", "second.xml"):
        (tmp_path / name).write_bytes(data)
        jobs.append(enqueue_statement_import(job_redis, org.id, str(tmp_path / name), name, None))

    run_worker(app, burst=True, fork=False, connection=job_redis)

    assert [job.return_value()["imported"] for job in jobs] == [50, 0]
    assert jobs[1].return_value()["duplicates"] == 50
