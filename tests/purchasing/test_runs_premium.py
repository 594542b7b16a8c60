"""The premium run end to end through rq: shares over the period as lived, both sides booked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rq.job import JobStatus
from sqlalchemy import delete, func, select

from purchasing.invoices import accounts
from purchasing.models import (
    Booking,
    Invoice,
    InvoiceRun,
    PremiumTaxRate,
    PremiumTaxTreatment,
    RunItem,
    RunKind,
)
from purchasing.policies import set_line_treatment, set_tax_rate
from purchasing.pools import change_declaration, join, leave
from purchasing.premium_tax import Treatment
from purchasing.proration import Period
from purchasing.rating import Basis, Exposure, Line
from purchasing.runs.premium import period_shares, premium_invoices, premium_shares
from purchasing.runs.runs import start_run
from tests.conftest import worker_runtime
from tests.purchasing.billing import make_member
from tests.purchasing.books import balance, balances, run_redis  # noqa: F401  (fixture)
from workers import runtime
from workers.purchasing_jobs import enqueue_invoice_run, execute_run
from workers.queues import RUNS, queue
from workers.worker import run_worker

D = Decimal
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))


@pytest.fixture
def pool(session, make_org, make_policy, make_pool):
    """An AVB pool (taxed 21%) at €100 per employee a year plus €36.50 costs, started 1 Jan.

    steady: 2 employees all quarter, 4 from 1 March; leaver: 3 employees, leaves 28 February;
    late: 1 employee, joins 1 February.
    """
    policy_id = make_policy(
        line=Line.AVB,
        basis=Basis.PER_EMPLOYEE,
        tiers=[(D(0), D(100))],
        annual_costs=D("36.50"),
        name="Collectieve AVB 2026",
    )
    pool_id = make_pool(policy_id=policy_id, minimum_members=2)
    steady, leaver, late = (make_member(make_org, session) for _ in range(3))
    first = join(session, pool_id, steady.id, Exposure(employees=D(2)), date(2025, 12, 1))
    going = join(session, pool_id, leaver.id, Exposure(employees=D(3)), date(2025, 12, 1))
    join(session, pool_id, late.id, Exposure(employees=D(1)), date(2026, 2, 1))
    change_declaration(session, first, Exposure(employees=D(4)), date(2026, 3, 1))
    leave(session, going, date(2026, 1, 10), date(2026, 2, 28))
    session.commit()
    return pool_id, {"steady": steady, "leaver": leaver, "late": late}


def test_every_member_covered_on_any_day_is_priced_over_the_stretches_it_lived(session, pool):
    pool_id, orgs = pool
    shares = premium_shares(session, pool_id, Q1)
    assert set(shares) == {org.id for org in orgs.values()}  # the leaver too
    # steady: 2 employees for 59 days, then 4 for 31 days, at €100 a year: 66.30 exactly-ish.
    exact = (D(2) * 100 * 59 + D(4) * 100 * 31) / 365
    assert abs(shares[orgs["steady"].id].net - exact) <= D("0.02")
    # leaver: 3 employees for 59 days (priced per stretch: January, then February).
    assert abs(shares[orgs["leaver"].id].net - D(3) * 100 * 59 / 365) <= D("0.02")
    for pots in shares.values():
        assert abs(pots.tax - (pots.net + pots.costs) * D("0.21")) <= D("0.02")


def test_the_premium_run_invoices_each_member_and_books_both_sides_through_rq(
    app,
    engine,
    session,
    bureau,
    pool,
    run_redis,  # noqa: F811
):
    pool_id, orgs = pool
    run_id = start_run(session, RunKind.PREMIUM, pool_id, Q1, date(2026, 1, 15))
    session.commit()
    job = enqueue_invoice_run(run_redis, run_id)
    session.commit()
    assert run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)
    assert job.return_value()["made_now"] == 3 and job.return_value()["booking_failures"] == 0

    shares = premium_shares(session, pool_id, Q1)
    invoices = _invoices(session, run_id)
    assert {invoice.customer_id for invoice in invoices} == set(shares)
    for invoice in invoices:
        pots = shares[invoice.customer_id]
        assert (invoice.net_total, invoice.premium_tax_total, invoice.vat_total) == (
            pots.net + pots.costs,
            pots.tax,
            0,
        )
        assert [line.kind for line in invoice.lines] == ["premium", "costs", "premium_tax"]
        assert invoice.lines[0].vat_exemption.startswith("Vrijgesteld van btw")
    owed_to_insurer = sum(pots.net + pots.costs for pots in shares.values())
    premium_tax = sum(pots.tax for pots in shares.values())
    assert balances(engine, bureau.tenant) == {
        accounts.RECEIVABLE: owed_to_insurer + premium_tax,
        accounts.INSURER_PAYABLE: -owed_to_insurer,
        accounts.PREMIUM_TAX_PAYABLE: -premium_tax,
    }
    for invoice in invoices:
        member = next(org for org in orgs.values() if org.id == invoice.customer_id)
        books = balances(engine, member.tenant)
        assert books[accounts.PAYABLE] == -invoice.total
        assert books["Expenses:Insurance:Liability"] == invoice.total  # after the releases
        session.commit()
        assert books.get(accounts.PREPAID_INSURANCE, 0) == 0


def test_rerunning_the_premium_run_changes_nothing(
    app,
    engine,
    session,
    bureau,
    pool,
    run_redis,  # noqa: F811
):
    pool_id, _ = pool
    run_id = start_run(session, RunKind.PREMIUM, pool_id, Q1, date(2026, 1, 15))
    session.commit()
    enqueue_invoice_run(run_redis, run_id)
    session.commit()
    run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)
    before = balances(engine, bureau.tenant)
    numbers = [invoice.number for invoice in _invoices(session, run_id)]

    again = start_run(session, RunKind.PREMIUM, pool_id, Q1, date(2026, 2, 1))
    assert again == run_id
    session.commit()
    job = enqueue_invoice_run(run_redis, again)
    session.commit()
    run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)

    assert job.return_value()["made_now"] == 0
    assert balances(engine, bureau.tenant) == before
    session.expire_all()
    assert [invoice.number for invoice in _invoices(session, run_id)] == numbers
    session.commit()
    assert session.get(InvoiceRun, run_id).status == "done"
    assert balance(engine, bureau.tenant, accounts.INSURER_PAYABLE) < 0


class SimulatedCrash(Exception):
    """The worker dies in the middle of a run."""


def crashing_premium_run_job(run_id: int, after: int) -> None:
    """The premium run, dying right after its ``after``-th invoice is committed."""

    def progress(done: int, total: int) -> None:
        if done >= after:
            raise SimulatedCrash(f"killed after {done} of {total}")

    execute_run(runtime.engine(), run_id, premium_invoices, progress)


def test_a_premium_run_killed_midway_resumes_and_invoices_each_member_exactly_once(
    app,
    engine,
    session,
    bureau,
    pool,
    run_redis,  # noqa: F811
):
    pool_id, orgs = pool
    run_id = start_run(session, RunKind.PREMIUM, pool_id, Q1, date(2026, 1, 15))
    crashed = queue(RUNS, run_redis).enqueue(crashing_premium_run_job, run_id, 1)
    session.commit()
    run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)

    assert crashed.get_status() == JobStatus.FAILED
    session.expire_all()
    session.commit()
    run = session.get(InvoiceRun, run_id)
    assert (run.status, run.done) == ("failed", 1)
    assert "killed after 1 of 3" in run.error
    assert len(_invoices(session, run_id)) == 1

    session.commit()
    resumed = enqueue_invoice_run(run_redis, run_id)
    session.commit()
    run_worker(worker_runtime(app), burst=True, fork=False, connection=run_redis)

    assert resumed.return_value()["made_now"] == 2
    assert resumed.return_value()["mails_queued"] == 3  # premium invoices are mailed like fees
    invoices = _invoices(session, run_id)
    assert sorted(i.customer_id for i in invoices) == sorted(o.id for o in orgs.values())
    sequences = sorted(invoice.sequence for invoice in invoices)
    assert sequences == list(range(sequences[0], sequences[0] + 3))
    pending = session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.invoice_id.in_([i.id for i in invoices]), Booking.status != "booked")
    )
    assert pending == 0
    shares = premium_shares(session, pool_id, Q1)
    assert {i.customer_id: i.total for i in invoices} == {o: p.total for o, p in shares.items()}
    assert balance(engine, bureau.tenant, accounts.RECEIVABLE) == sum(i.total for i in invoices)


@pytest.fixture
def far_term(session, make_org, make_policy, make_pool):
    """An AVB pool over 2041 (a year no other test taxes), two members at €365 a year each.

    The tax settings it adds are removed afterwards: they are shared by the whole database.
    """
    policy_id = make_policy(
        line=Line.AVB,
        basis=Basis.FLAT,
        tiers=[(D(0), D(365))],
        starts_on=date(2041, 1, 1),
        ends_on=date(2041, 12, 31),
        name="AVB 2041",
    )
    pool_id = make_pool(
        policy_id=policy_id,
        minimum_members=2,
        enrolment_opens_on=date(2040, 11, 1),
        enrolment_closes_on=date(2041, 10, 31),
    )
    members = [make_member(make_org, session), make_member(make_org, session)]
    for member in members:
        join(session, pool_id, member.id, Exposure(), date(2041, 1, 1))
    session.commit()
    yield pool_id, members
    session.rollback()
    session.execute(delete(PremiumTaxRate).where(PremiumTaxRate.valid_from >= date(2041, 1, 1)))
    session.execute(
        delete(PremiumTaxTreatment).where(PremiumTaxTreatment.valid_from >= date(2041, 1, 1))
    )
    session.commit()


def test_a_tax_rate_changed_mid_term_applies_from_its_date_pro_rata_by_stretch(session, far_term):
    pool_id, (member, _) = far_term
    quarter = Period(date(2041, 1, 1), date(2041, 3, 31))
    set_tax_rate(session, date(2041, 3, 1), D("25"), "test: a higher rate from March")

    share = period_shares(session, pool_id, quarter)[member.id]
    assert [(s.starts_on, s.ends_on) for s, _ in share.stretches] == [
        (date(2041, 1, 1), date(2041, 2, 28)),
        (date(2041, 3, 1), date(2041, 3, 31)),
    ]
    # €365 a year is €1 a day: 59 days at 21%, then 31 days at 25%.
    assert share.pots.net == D("90.00")
    assert share.pots.tax == D("12.39") + D("7.75")
    assert share.tax_percents == [D(21), D(25)]


def test_a_line_made_exempt_mid_term_stops_carrying_tax_from_that_day(session, far_term):
    pool_id, (member, _) = far_term
    set_line_treatment(session, Line.AVB, date(2041, 2, 1), Treatment.EXEMPT)
    january_and_february = Period(date(2041, 1, 1), date(2041, 2, 28))
    share = period_shares(session, pool_id, january_and_february)[member.id]
    assert share.pots.tax == D("6.51")  # 31 days × €1 × 21%; February exempt


def _invoices(session, run_id: int) -> list[Invoice]:
    items = select(RunItem.invoice_id).where(RunItem.run_id == run_id)
    session.commit()
    return list(session.scalars(select(Invoice).where(Invoice.id.in_(items)).order_by(Invoice.id)))
