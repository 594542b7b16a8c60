"""Running a run: one invoice per due member, exactly once, resumable, with progress.

A run is a row per (plan or pool, period); asking for the same run again returns it. The
invoices it has to make are computed afresh each time from the same data (pure and
reproducible), and each member's invoice is issued in one transaction together with its run
item, whose unique (run, organisation) pair makes a member already invoiced a skip. So a run
that died halfway (or is run twice, or by two workers at once) resumes where it stopped and
changes nothing that was done. Last, it drives the bookings of its invoices on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.invoices.bookings import SessionFactory, book_pending
from purchasing.invoices.documents import NewInvoice, add_invoice
from purchasing.models import Booking, InvoiceRun, RunItem, RunKind, RunStatus
from purchasing.proration import Period

Progress = Callable[[int, int], None]
Planner = Callable[[Session, InvoiceRun], Sequence[tuple[int, NewInvoice]]]


@dataclass(frozen=True)
class RunResult:
    """What a run has done so far, as a page or a job's result shows it."""

    run_id: int
    status: RunStatus
    invoiced: int
    total: int
    made_now: int
    booked: int
    booking_failures: int

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "status": self.status.value}


def start_run(
    session: Session,
    kind: RunKind,
    subject_id: int,
    period: Period,
    issued_on: date,
) -> int:
    """The run of ``kind`` for a plan or pool over ``period``: the existing one, or a new one.

    The invoice date is fixed when the run is first asked for, so a rerun issues alike.
    Commits.
    """
    subject = {"plan_id": subject_id} if kind == RunKind.MEMBERSHIP else {"pool_id": subject_id}
    existing = _find(session, kind, subject, period)
    if existing is not None:
        return existing
    run = InvoiceRun(
        kind=kind.value,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        issued_on=issued_on,
        **subject,
    )
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # someone started the same run just now: theirs is ours
        found = _find(session, kind, subject, period)
        assert found is not None
        return found
    return run.id


def execute_run(
    open_session: SessionFactory,
    run_id: int,
    planner: Planner,
    on_progress: Progress | None = None,
) -> RunResult:
    """Issue every invoice of the run not issued yet, then book both sides of all of them."""
    with open_session() as session:
        run = get_run(session, run_id)
        invoices = planner(session, run)
        run.status, run.error = RunStatus.RUNNING.value, None
        run.started_at = run.started_at or datetime.now(UTC)
        run.total, run.done = len(invoices), _invoiced(session, run_id)
        session.commit()
        done_already = run.done
    report = on_progress or (lambda done, total: None)
    made = 0
    try:
        for organisation_id, new in invoices:
            made += _issue_once(open_session, run_id, organisation_id, new)
            report(done_already + made, len(invoices))
        bookings = book_pending(open_session, booking_ids=_bookings_of(open_session, run_id))
    except Exception as error:
        _fail(open_session, run_id, error)
        raise
    with open_session() as session:
        run = get_run(session, run_id)
        run.status, run.finished_at = RunStatus.DONE.value, datetime.now(UTC)
        run.done = _invoiced(session, run_id)
        session.commit()
        return RunResult(
            run_id, RunStatus.DONE, run.done, run.total, made, bookings.booked, bookings.failed
        )


def get_run(session: Session, run_id: int) -> InvoiceRun:
    run = session.get(InvoiceRun, run_id)
    if run is None:
        raise NotFound(message("Deze factuurrun bestaat niet."))
    return run


def run_period(run: InvoiceRun) -> Period:
    return Period(run.starts_on, run.ends_on)


def _issue_once(
    open_session: SessionFactory, run_id: int, organisation_id: int, new: NewInvoice
) -> int:
    """Issue one member's invoice with its run item in one transaction; 0 if it was done."""
    with open_session() as session:
        if _item(session, run_id, organisation_id) is not None:
            return 0
        invoice = add_invoice(session, new)
        session.add(RunItem(run_id=run_id, organisation_id=organisation_id, invoice_id=invoice.id))
        run = get_run(session, run_id)
        run.done += 1
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another worker on the same run got there first
            if _item(session, run_id, organisation_id) is None:
                raise
            return 0
        return 1


def _find(session: Session, kind: RunKind, subject: dict[str, int], period: Period) -> int | None:
    column = InvoiceRun.plan_id if kind == RunKind.MEMBERSHIP else InvoiceRun.pool_id
    found = session.scalar(
        select(InvoiceRun.id).where(
            column == next(iter(subject.values())),
            InvoiceRun.starts_on == period.starts_on,
            InvoiceRun.ends_on == period.ends_on,
        )
    )
    return None if found is None else int(found)


def _item(session: Session, run_id: int, organisation_id: int) -> int | None:
    return session.scalar(
        select(RunItem.id).where(
            RunItem.run_id == run_id, RunItem.organisation_id == organisation_id
        )
    )


def _invoiced(session: Session, run_id: int) -> int:
    count = session.scalar(
        select(func.count()).select_from(RunItem).where(RunItem.run_id == run_id)
    )
    return int(count or 0)


def _bookings_of(open_session: SessionFactory, run_id: int) -> list[int]:
    with open_session() as session:
        invoices = select(RunItem.invoice_id).where(RunItem.run_id == run_id)
        return list(session.scalars(select(Booking.id).where(Booking.invoice_id.in_(invoices))))


def _fail(open_session: SessionFactory, run_id: int, error: Exception) -> None:
    with open_session() as session:
        run = get_run(session, run_id)
        run.status, run.error = RunStatus.FAILED.value, str(error)[:2000]
        session.commit()


def check_period_inside(period: Period, within: Period) -> None:
    if period.starts_on < within.starts_on or period.ends_on > within.ends_on:
        raise ValidationFailed(
            message("De periode valt buiten de looptijd van de polis."), field="period"
        )
