"""A large statement imports as an rq job, with its progress in the job's meta."""

from __future__ import annotations

from rq.job import Job
from rq.registry import FinishedJobRegistry
from sqlalchemy import func, select

from ledger.bank.accounts import add_bank_account
from ledger.bank.importing import import_statement
from ledger.bank.models import BankLine
from ledger.models import Transaction
from tenants.roles import Role
from tests.bank.builders import camt_statement
from tests.bank.conftest import statement_file
from tests.conftest import worker_runtime
from workers.bank_jobs import enqueue_confirmations, enqueue_statement_import
from workers.queues import LEDGER
from workers.worker import run_worker

ING = "NL20INGB0001234567"


def test_a_large_statement_imports_in_a_job_that_reports_its_progress(
    app, books, org, job_redis, tmp_path
):
    add_bank_account(books, ING, None)
    books.commit()
    path = tmp_path / "year.xml"
    path.write_bytes(camt_statement(ING, 2500))

    job = enqueue_statement_import(job_redis, org.id, str(path), "year.xml", None)
    run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)

    job.refresh()
    assert job.return_value()["imported"] == 2500
    assert job.meta["progress"] == {"phase": "save", "done": 2500, "total": 2500}
    assert books.scalar(select(func.count()).select_from(BankLine)) == 2500
    assert not path.exists()


def test_running_the_import_job_twice_adds_nothing_the_second_time(
    app, books, org, job_redis, tmp_path
):
    add_bank_account(books, ING, None)
    books.commit()
    data = camt_statement(ING, 50)
    jobs = []
    for name in ("first.xml", "second.xml"):
        (tmp_path / name).write_bytes(data)
        jobs.append(enqueue_statement_import(job_redis, org.id, str(tmp_path / name), name, None))

    run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)

    assert [job.return_value()["imported"] for job in jobs] == [50, 0]
    assert jobs[1].return_value()["duplicates"] == 50


def test_an_import_reports_progress_while_parsing_and_then_while_saving(books):
    add_bank_account(books, ING, None)
    books.commit()
    seen: list[tuple[str, int, int]] = []

    import_statement(books, camt_statement(ING, 2500), None, on_progress=lambda *p: seen.append(p))
    books.commit()

    assert seen == [
        ("parse", 1000, 2500),
        ("parse", 2000, 2500),
        ("parse", 2500, 2500),
        ("save", 1000, 2500),
        ("save", 2000, 2500),
        ("save", 2500, 2500),
    ]


def test_a_refused_job_shows_its_reason_on_the_job_page_and_removes_the_file(
    app, client, make_user, login_as, books, org, job_redis, job_redis_url, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "REDIS_URL", job_redis_url)
    add_bank_account(books, ING, None)
    books.commit()
    path = tmp_path / "other.xml"
    path.write_bytes(statement_file("other_iban.camt053.xml"))
    login_as(client, make_user(org=org, role=Role.BOOKKEEPER))

    job = enqueue_statement_import(job_redis, org.id, str(path), "other.xml", None, None)
    run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)
    page = client.get(f"/o/{org.slug}/bank/jobs/{job.id}").get_data(as_text=True)
    state = client.get(f"/o/{org.slug}/bank/jobs/{job.id}.json").get_json()

    assert state["status"] == "failed"
    assert "NL36INGB0007654321" in state["refused"]
    assert "NL36INGB0007654321" in page
    assert not path.exists()


def test_a_successful_import_queues_the_full_validation_of_the_books(
    app, books, org, job_redis, tmp_path
):
    add_bank_account(books, ING, None)
    books.commit()
    path = tmp_path / "small.xml"
    path.write_bytes(camt_statement(ING, 20))

    enqueue_statement_import(job_redis, org.id, str(path), "small.xml", None)
    run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)

    finished = FinishedJobRegistry(LEDGER, connection=job_redis)
    functions = [Job.fetch(i, connection=job_redis).func_name for i in finished.get_job_ids()]
    assert "workers.ledger_jobs.validate_books" in functions


def test_confirming_many_lines_runs_as_a_job_with_progress_and_books_them_all(
    app, client, make_user, login_as, books, org, job_redis, job_redis_url, monkeypatch
):
    monkeypatch.setitem(app.config, "REDIS_URL", job_redis_url)
    add_bank_account(books, ING, None)
    import_statement(books, camt_statement(ING, 150), None)
    books.commit()
    ids = books.scalars(select(BankLine.id)).all()
    login_as(client, make_user(org=org, role=Role.BOOKKEEPER))
    form = {"line": [str(i) for i in ids], **{f"account-{i}": "Expenses:Bank:Fees" for i in ids}}

    response = client.post(f"/o/{org.slug}/bank/inbox/confirm", data=form)
    run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)
    state = client.get(response.headers["Location"] + ".json").get_json()

    assert "/bank/jobs/" in response.headers["Location"]
    assert state["kind"] == "confirm" and state["status"] == "finished"
    assert state["progress"] == {"phase": "confirm", "done": 150, "total": 150}
    assert state["result"] == {"booked": 150, "refused": {}}
    books.expire_all()
    assert (
        books.scalar(select(func.count()).select_from(BankLine).where(BankLine.booked_at.is_(None)))
        == 0
    )


def test_running_a_bulk_confirmation_twice_books_nothing_twice(app, books, org, job_redis):
    add_bank_account(books, ING, None)
    import_statement(books, camt_statement(ING, 5), None)
    books.commit()
    pairs = [(i, "Expenses:Bank:Fees") for i in books.scalars(select(BankLine.id))]

    first = enqueue_confirmations(job_redis, org.id, pairs, None)
    second = enqueue_confirmations(job_redis, org.id, pairs, None)
    run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)

    assert first.return_value()["booked"] == 5
    assert (second.return_value()["booked"], len(second.return_value()["refused"])) == (0, 5)


def test_a_bulk_confirmation_books_each_lines_typed_project_and_a_queued_pair_none(
    app, books, org, job_redis
):
    add_bank_account(books, ING, None)
    import_statement(books, camt_statement(ING, 3), None)
    books.commit()
    first, second, third = books.scalars(select(BankLine.id).order_by(BankLine.id)).all()
    fees = "Expenses:Bank:Fees"

    triples = enqueue_confirmations(
        job_redis, org.id, [(first, fees, "moestuin"), (second, fees, "")], None
    )
    # A job queued before lines had projects holds (line, account) pairs: it books them still.
    pair = enqueue_confirmations(job_redis, org.id, [(third, fees)], None)  # type: ignore[list-item]
    run_worker(worker_runtime(app), burst=True, fork=False, connection=job_redis)

    assert (triples.return_value()["booked"], pair.return_value()["booked"]) == (2, 1)
    books.expire_all()
    projects = dict(
        books.execute(
            select(BankLine.id, Transaction.meta["project"].astext).join(
                Transaction, Transaction.id == BankLine.transaction_id
            )
        ).all()
    )
    assert projects == {first: "moestuin", second: None, third: None}
