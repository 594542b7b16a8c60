"""Two people start the same run at the same moment, and both runs go at once: one run, one
invoice per member, numbers without a gap, and members joining mid-run change nothing of it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from purchasing.models import Invoice, InvoiceRun, RunItem, RunKind, Subscription
from purchasing.plans import subscribe
from purchasing.proration import Period
from purchasing.runs.membership import membership_invoices
from purchasing.runs.runs import start_run
from tenants.unit_of_work import unit_of_work
from tests.conftest import OrgHandle
from tests.purchasing.billing import fee_plan, make_bureau, make_member
from workers.purchasing_jobs import execute_run

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
MEMBERS = 6


def together(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released at one moment; their results, or what they raised."""
    start = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        start.wait()
        try:
            results[index] = action()
        except BaseException as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_same_run_started_twice_at_once_issues_each_invoice_once_and_gapless(
    engine: Engine, session: Session, make_org: Callable[..., OrgHandle]
) -> None:
    bureau = make_bureau(make_org, session)
    plan_id = fee_plan(session, bureau.id)
    members = [make_member(make_org, session) for _ in range(MEMBERS)]
    for member in members:
        subscribe(session, plan_id, member.id, Decimal(3), date(2025, 1, 1))
    session.commit()

    def start() -> int:
        with unit_of_work(engine) as work:
            return start_run(work, RunKind.MEMBERSHIP, plan_id, YEAR, date(2026, 1, 5))

    first, second = together(start, start)
    assert first == second, (first, second)

    late = make_member(make_org, session)  # joins while the run goes: next year's invoice
    results = together(
        lambda: execute_run(engine, first, membership_invoices),
        lambda: execute_run(engine, first, membership_invoices),
        lambda: subscribe_and_commit(engine, plan_id, late.id),
    )
    assert not [r for r in results if isinstance(r, BaseException)], results

    session.expire_all()
    runs_of_plan = select(func.count()).select_from(InvoiceRun).where(InvoiceRun.plan_id == plan_id)
    assert session.scalar(runs_of_plan) == 1
    assert session.get(Subscription, results[2]) is not None  # the join was not lost
    items = select(RunItem.invoice_id).where(RunItem.run_id == first)
    invoices = session.scalars(select(Invoice).where(Invoice.id.in_(items))).all()
    assert sorted(i.customer_id for i in invoices) == sorted(m.id for m in members)
    sequences = sorted(i.sequence for i in invoices)
    assert sequences == list(range(sequences[0], sequences[0] + MEMBERS))


def subscribe_and_commit(engine: Engine, plan_id: int, organisation_id: int) -> int:
    with unit_of_work(engine) as work:
        return subscribe(work, plan_id, organisation_id, Decimal(3), date(2027, 1, 1))
