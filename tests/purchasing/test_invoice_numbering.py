"""Invoice numbers under real concurrency: threads and processes, some rolling back, no gaps."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date
from decimal import Decimal

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from purchasing.invoices.documents import NewInvoice, NewLine, issue_invoice
from purchasing.models import Invoice, InvoicePurpose, LineKind
from tests.purchasing.billing import make_member

EXEMPT = "Vrijgesteld van btw"


def _new(supplier_id: int, customer_id: int, year: int) -> NewInvoice:
    return NewInvoice(
        supplier_id=supplier_id,
        customer_id=customer_id,
        purpose=InvoicePurpose.MEMBERSHIP_FEE,
        issued_on=date(year, 6, 1),
        supply_from=date(year, 6, 1),
        supply_until=date(year, 6, 30),
        lines=[NewLine(LineKind.FEE, "Contributie", Decimal("10.00"), vat_exemption=EXEMPT)],
    )


def issue_some(
    url: str, supplier_id: int, customer_id: int, year: int, count: int, start: object
) -> None:
    """Issue ``count`` invoices; every third one takes a number and then rolls back."""
    engine = create_engine(url, pool_size=1)
    try:
        if hasattr(start, "wait"):
            start.wait()
        for attempt in range(count):
            with Session(engine) as session:
                issue_invoice(session, _new(supplier_id, customer_id, year))
                if attempt % 3 == 2:
                    session.rollback()  # a run that fails after taking its number
                else:
                    session.commit()
    finally:
        engine.dispose()


def _sequences(session: Session, year: int) -> list[int]:
    return list(
        session.scalars(
            select(Invoice.sequence)
            .where(Invoice.series == "F", Invoice.year == year)
            .order_by(Invoice.sequence)
        )
    )


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_eight_threads_issuing_at_once_get_an_unbroken_run_of_unique_numbers(
    engine, session, bureau, make_org
):
    customer = make_member(make_org, session)
    year, threads, each = 2031, 8, 12
    start = threading.Barrier(threads)
    workers = [
        threading.Thread(
            target=issue_some, args=(_url(engine), bureau.id, customer.id, year, each, start)
        )
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    committed = threads * (each - each // 3)
    assert _sequences(session, year) == list(range(1, committed + 1))


def test_four_processes_issuing_at_once_get_an_unbroken_run_of_unique_numbers(
    engine, session, bureau, make_org
):
    customer = make_member(make_org, session)
    year, processes, each = 2032, 4, 9
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes)
    workers = [
        context.Process(
            target=issue_some, args=(_url(engine), bureau.id, customer.id, year, each, start)
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * processes
    committed = processes * (each - each // 3)
    numbers = session.scalars(
        select(Invoice.number).where(Invoice.series == "F", Invoice.year == year)
    ).all()
    assert _sequences(session, year) == list(range(1, committed + 1))
    assert len(set(numbers)) == committed
