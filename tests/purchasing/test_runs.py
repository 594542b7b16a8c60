"""Invoice runs through a real rq worker and Redis: once per member, resumable, booked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rq.job import JobStatus
from sqlalchemy import func, select

from purchasing.invoices import accounts
from purchasing.models import Booking, Cadence, Invoice, InvoiceRun, RunItem, RunKind
from purchasing.plans import NewPlan, create_plan, end_subscription, subscribe
from purchasing.proration import Period
from purchasing.runs.membership import membership_invoices
from purchasing.runs.queries import run_view
from purchasing.runs.runs import start_run
from tests.conftest import worker_runtime
from tests.purchasing.billing import make_member
from tests.purchasing.books import balance, balances, run_redis  # noqa: F401  (fixture)
from workers import runtime
from workers.purchasing_jobs import enqueue_invoice_run, execute_run
from workers.queues import RUNS, queue
from workers.worker import run_worker

D = Decimal
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
EXEMPT = "Vrijgesteld van btw (art. 11 lid 1 onder f Wet OB 1968)"


class SimulatedCrash(Exception):
    """The worker dies in the middle of a run."""


def crashing_run_job(run_id: int, after: int) -> None:
    """The membership run, dying right after its ``after``-th invoice is committed."""

    def progress(done: int, total: int) -> None:
        if done >= after:
            raise SimulatedCrash(f"killed after {done} of {total}")

    execute_run(runtime.engine(), run_id, membership_invoices, progress)


@pytest.fixture
def membership_run(session, bureau, make_org):
    """A yearly plan with five members (one joining on 1 July) and its 2026 run."""
    plan_id = create_plan(
        session,
        NewPlan(
            bureau_id=bureau.id,
            name=f"Lidmaatschap {bureau.slug}",
            cadence=Cadence.YEARLY,
            tiers=[(D(0), D("120.00")), (D(10), D("480.00"))],
            vat_exemption=EXEMPT,
        ),
    )
    members = [make_member(make_org, session) for _ in range(5)]
    for index, member in enumerate(members):
        joined_on = date(2026, 7, 1) if index == 4 else date(2025, 1, 1)
        subscribe(session, plan_id, member.id, D(12 if index == 0 else 3), joined_on)
    run_id = start_run(session, RunKind.MEMBERSHIP, plan_id, YEAR, date(2026, 1, 5))
    session.commit()
    return run_id, members


def _invoices_of_run(session, run_id: int) -> list[Invoice]:
    items = select(RunItem.invoice_id).where(RunItem.run_id == run_id)
    session.commit()
    return list(session.scalars(select(Invoice).where(Invoice.id.in_(items)).order_by(Invoice.id)))


def test_a_membership_run_invoices_every_member_once_with_progress_and_books_both_sides(
    app,
    engine,
    session,
    bureau,
    membership_run,
    run_redis,  # noqa: F811
):
    run_id, members = membership_run
    session.commit()
    job = enqueue_invoice_run(run_redis, run_id)
    session.commit()
    assert run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)

    assert job.get_status() == JobStatus.FINISHED
    assert job.get_meta()["progress"] == {"done": 5, "total": 5}
    session.commit()
    run = session.get(InvoiceRun, run_id)
    assert (run.status, run.done, run.total, run.job_id) == ("done", 5, 5, job.id)
    assert run_view(session, run_id).percent == 100
    invoices = _invoices_of_run(session, run_id)
    assert sorted(invoice.customer_id for invoice in invoices) == sorted(m.id for m in members)
    totals = {invoice.customer_id: invoice.total for invoice in invoices}
    assert totals[members[0].id] == D("480.00")
    assert totals[members[4].id] == D("60.49")  # 120 × 184 / 365, joined on 1 July
    assert balance(engine, bureau.tenant, accounts.RECEIVABLE) == sum(totals.values())
    for member in members:
        assert balance(engine, member.tenant, accounts.PAYABLE) == -totals[member.id]


def test_running_the_same_membership_run_twice_changes_nothing(
    app,
    engine,
    session,
    bureau,
    membership_run,
    run_redis,  # noqa: F811
):
    run_id, _ = membership_run
    session.commit()
    first = enqueue_invoice_run(run_redis, run_id)
    session.commit()
    second = enqueue_invoice_run(run_redis, run_id)
    session.commit()
    run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)

    assert first.return_value()["made_now"] == 5
    assert second.return_value()["made_now"] == 0
    assert len(_invoices_of_run(session, run_id)) == 5
    assert len(balances(engine, bureau.tenant)) == 2
    assert balance(engine, bureau.tenant, accounts.RECEIVABLE) == D("540.49") + 3 * D(120)
    assert start_run(session, RunKind.MEMBERSHIP, *_subject(session, run_id)) == run_id


def test_a_run_killed_midway_resumes_and_invoices_each_member_exactly_once(
    app,
    engine,
    session,
    bureau,
    membership_run,
    run_redis,  # noqa: F811
):
    run_id, members = membership_run
    crashed = queue(RUNS, run_redis).enqueue(crashing_run_job, run_id, 2)
    session.commit()
    run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)

    assert crashed.get_status() == JobStatus.FAILED
    session.expire_all()
    session.commit()
    run = session.get(InvoiceRun, run_id)
    assert (run.status, run.done) == ("failed", 2)
    assert "killed after 2 of 5" in run.error
    assert len(_invoices_of_run(session, run_id)) == 2

    session.commit()
    resumed = enqueue_invoice_run(run_redis, run_id)
    session.commit()
    run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)

    assert resumed.return_value()["made_now"] == 3
    invoices = _invoices_of_run(session, run_id)
    assert sorted(invoice.customer_id for invoice in invoices) == sorted(m.id for m in members)
    sequences = sorted(invoice.sequence for invoice in invoices)
    assert sequences == list(range(sequences[0], sequences[0] + 5))
    pending = session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.invoice_id.in_([i.id for i in invoices]), Booking.status != "booked")
    )
    assert pending == 0
    assert balance(engine, bureau.tenant, accounts.RECEIVABLE) == sum(i.total for i in invoices)


def _subject(session, run_id: int) -> tuple[int, Period, date]:
    session.commit()
    run = session.get(InvoiceRun, run_id)
    session.commit()
    return run.plan_id, Period(run.starts_on, run.ends_on), run.issued_on


def test_a_member_that_left_rejoined_and_grew_in_one_year_gets_one_invoice_with_a_line_each(
    engine, session, bureau, make_org
):
    plan_id = create_plan(
        session,
        NewPlan(
            bureau_id=bureau.id,
            name=f"Lidmaatschap {bureau.slug}",
            cadence=Cadence.YEARLY,
            tiers=[(D(0), D("365.00")), (D(10), D("730.00"))],
            size_label="werknemers",
            vat_exemption=EXEMPT,
        ),
    )
    member, steady = make_member(make_org, session), make_member(make_org, session)
    first = subscribe(session, plan_id, member.id, D(3), date(2025, 1, 1))
    end_subscription(session, first, date(2026, 3, 31))  # left: 90 days of 2026
    back = subscribe(session, plan_id, member.id, D(3), date(2026, 6, 1))
    end_subscription(session, back, date(2026, 8, 31))  # rejoined: 92 days
    subscribe(session, plan_id, member.id, D(12), date(2026, 9, 1))  # grew: 122 days
    subscribe(session, plan_id, steady.id, D(3), date(2025, 1, 1))
    run_id = start_run(session, RunKind.MEMBERSHIP, plan_id, YEAR, date(2026, 1, 5))

    session.commit()
    result = execute_run(engine, run_id, membership_invoices)

    assert (result.invoiced, result.total) == (2, 2)
    invoice = next(i for i in _invoices_of_run(session, run_id) if i.customer_id == member.id)
    assert [line.amount for line in invoice.lines] == [D("90.00"), D("92.00"), D("244.00")]
    assert invoice.total == D("426.00")
    assert (invoice.supply_from, invoice.supply_until) == (date(2026, 1, 1), date(2026, 12, 31))
    assert "werknemers 12" in invoice.lines[2].description
    assert "01-06-2026 t/m 31-08-2026" in invoice.lines[1].description
    assert balance(engine, bureau.tenant, accounts.RECEIVABLE) == D("426.00") + D("365.00")
