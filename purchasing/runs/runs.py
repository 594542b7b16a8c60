"""Running a run: one invoice per due member, exactly once, resumable, with progress.

A run is a row per (plan or pool, period); asking for the same run again returns it. The
invoices it has to make are computed afresh each time from the same data (pure and
reproducible). The driver (``workers.purchasing_jobs``) gives each member its own unit of
work: ``issue_run_item`` issues the member's invoice together with its run item under the
run's row lock, and a member already invoiced is a skip. So a run that died halfway (or is run
twice, or by two workers at once) resumes where it stopped and changes nothing that was done;
the invoice numbers stay without gaps, since a number is only taken in the transaction that
keeps it. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from purchasing.errors import NotFound, ValidationFailed, message
from purchasing.invoices.documents import NewInvoice, has_vat, issue_credit_note, issue_invoice
from purchasing.invoices.requirements import check_customers, check_supplier
from purchasing.models import (
    Booking,
    InvoiceRun,
    MembershipPlan,
    Pool,
    RunItem,
    RunKind,
    RunStatus,
)
from purchasing.proration import Period


class PlannedInvoice(NamedTuple):
    """One member's document of a run: an invoice, or a credit note on ``credits_invoice_id``.

    ``breakdown`` (plain JSON) is kept on the run item: why the member pays this.
    """

    organisation_id: int
    invoice: NewInvoice
    breakdown: dict[str, Any] | None = None
    credits_invoice_id: int | None = None


Planner = Callable[
    [Session, InvoiceRun], Sequence[tuple[int, NewInvoice]] | Sequence[PlannedInvoice]
]
# Runs of a pool that bill days, of which no two of one kind may share a day.
NON_OVERLAPPING = (RunKind.PREMIUM, RunKind.TRUE_UP)


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

    The invoice date is fixed when the run is first asked for, so a rerun issues alike. A
    premium (or true-up) run whose period overlaps another of the same pool, without being
    the same, is refused: the shared days would be billed twice. A correction run is the
    pool's unfinished one for the period, or a new one once the last has finished. A new run
    is refused while the bureau's billing details lack what its invoices must show, or while
    a member it would invoice lacks its address (naming those members).
    """
    subject = {"plan_id": subject_id} if kind == RunKind.MEMBERSHIP else {"pool_id": subject_id}
    existing = _find(session, kind, subject, period)
    if existing is not None:
        return existing
    _check_bureau(session, kind, subject_id)
    if kind in NON_OVERLAPPING:
        _refuse_overlap(session, kind, subject_id, period)
    run = InvoiceRun(
        kind=kind,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        issued_on=issued_on,
        **subject,
    )
    _check_customers(session, [PlannedInvoice(*item) for item in _planner(kind)(session, run)])
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        # Someone started the same run (or an overlapping one) just now.
        found = _find(session, kind, subject, period)
        if found is None:
            _refuse_overlap(session, kind, subject_id, period)
            raise
        return found
    return run.id


def begin_run(session: Session, run_id: int, planner: Planner) -> list[PlannedInvoice]:
    """What the run has to issue, once every invoice of it could be; marks the run running.

    A refusal (a bureau or member lacking billing details) raises before anything is issued;
    the driver then records it with ``fail_run`` in a unit of work of its own.
    """
    run = get_run(session, run_id)
    planned = [PlannedInvoice(*item) for item in planner(session, run)]
    _check_suppliers(session, planned)
    done = set(session.scalars(select(RunItem.organisation_id).where(RunItem.run_id == run_id)))
    _check_customers(session, [item for item in planned if item.organisation_id not in done])
    run.status, run.error = RunStatus.RUNNING, None
    run.started_at = run.started_at or datetime.now(UTC)
    run.total, run.done = len(planned), _invoiced(session, run_id)
    session.flush()
    return planned


def issue_run_item(session: Session, run_id: int, planned: PlannedInvoice) -> int:
    """Issue one member's document with its run item; 0 if the member was invoiced already.

    The run's row is locked first, so two workers on one run take turns, and the second finds
    the first one's item once that is committed.
    """
    run = get_run(session, run_id, lock=True)
    if _item(session, run_id, planned.organisation_id) is not None:
        return 0
    if planned.credits_invoice_id is None:
        invoice_id = issue_invoice(session, planned.invoice)
    else:
        invoice_id = issue_credit_note(session, planned.credits_invoice_id, planned.invoice)
    session.add(
        RunItem(
            run_id=run_id,
            organisation_id=planned.organisation_id,
            invoice_id=invoice_id,
            breakdown=planned.breakdown,
        )
    )
    run.done += 1
    session.flush()
    return 1


def finish_run(
    session: Session, run_id: int, made_now: int, booked: int, booking_failures: int
) -> RunResult:
    """Mark the run done; what it did, for the page and the job's result."""
    run = get_run(session, run_id)
    run.status, run.finished_at = RunStatus.DONE, datetime.now(UTC)
    run.done = _invoiced(session, run_id)
    session.flush()
    return RunResult(
        run_id, RunStatus.DONE, run.done, run.total, made_now, booked, booking_failures
    )


def fail_run(session: Session, run_id: int, error: Exception) -> None:
    """Record why the run stopped; asking for it again resumes it."""
    run = get_run(session, run_id)
    run.status, run.error = RunStatus.FAILED, str(error)[:2000]
    session.flush()


def run_bookings(session: Session, run_id: int) -> list[int]:
    """The outbox rows of the run's invoices."""
    invoices = select(RunItem.invoice_id).where(RunItem.run_id == run_id)
    return list(session.scalars(select(Booking.id).where(Booking.invoice_id.in_(invoices))))


def get_run(session: Session, run_id: int, *, lock: bool = False) -> InvoiceRun:
    run = session.get(InvoiceRun, run_id, with_for_update=lock)
    if run is None:
        raise NotFound(message("Deze factuurrun bestaat niet."))
    return run


def run_period(run: InvoiceRun) -> Period:
    return Period(run.starts_on, run.ends_on)


def _check_bureau(session: Session, kind: RunKind, subject_id: int) -> None:
    """Refuse a run of a plan or pool whose bureau could not issue its invoices."""
    if kind == RunKind.MEMBERSHIP:
        plan = session.get(MembershipPlan, subject_id)
        if plan is None:
            raise NotFound(message("Deze contributieregeling bestaat niet."))
        check_supplier(session, plan.bureau_id, has_vat=plan.vat_percent is not None)
        return
    pool = session.get(Pool, subject_id)
    if pool is None:
        raise NotFound(message("Deze pool bestaat niet."))
    check_supplier(session, pool.policy.policyholder_id, has_vat=False)  # premiums: no VAT


def _check_suppliers(session: Session, planned: Sequence[PlannedInvoice]) -> None:
    """Refuse the whole run before its first invoice if one of them could not be issued.

    Credit notes keep the details of the invoice they credit, so only invoices are checked.
    """
    wanted = {
        (item.invoice.supplier_id, has_vat(item.invoice))
        for item in planned
        if item.credits_invoice_id is None
    }
    for supplier_id, vat in sorted(wanted):
        check_supplier(session, supplier_id, has_vat=vat)


def _check_customers(session: Session, planned: Sequence[PlannedInvoice]) -> None:
    """Refuse the whole run if a member it invoices lacks its address, naming every such member.

    Credit notes keep the original's details and are skipped; so are, by the caller, members a
    resumed run has already invoiced.
    """
    check_customers(
        session, [item.invoice.customer_id for item in planned if item.credits_invoice_id is None]
    )


def _planner(kind: RunKind) -> Planner:
    """The planner of a run's kind, to see at its start whom it would invoice."""
    # Imported here: the planners build on this module's PlannedInvoice and run_period.
    from purchasing.runs.adjustments import correction_invoices, true_up_invoices
    from purchasing.runs.membership import membership_invoices
    from purchasing.runs.premium import premium_invoices

    planners: dict[RunKind, Planner] = {
        RunKind.MEMBERSHIP: membership_invoices,
        RunKind.PREMIUM: premium_invoices,
        RunKind.CORRECTION: correction_invoices,
        RunKind.TRUE_UP: true_up_invoices,
    }
    return planners[kind]


def _find(session: Session, kind: RunKind, subject: dict[str, int], period: Period) -> int | None:
    column = InvoiceRun.plan_id if kind == RunKind.MEMBERSHIP else InvoiceRun.pool_id
    query = select(InvoiceRun.id).where(
        column == next(iter(subject.values())),
        InvoiceRun.kind == kind,
        InvoiceRun.starts_on == period.starts_on,
        InvoiceRun.ends_on == period.ends_on,
    )
    if kind == RunKind.CORRECTION:
        query = query.where(InvoiceRun.status != RunStatus.DONE)
    found = session.scalar(query)
    return None if found is None else int(found)


def _refuse_overlap(session: Session, kind: RunKind, pool_id: int, period: Period) -> None:
    """Refuse a run of ``kind`` that would bill a day another run of the pool billed."""
    # A premium run may not bill days a true-up has settled either.
    kinds = [kind] + ([RunKind.TRUE_UP] if kind == RunKind.PREMIUM else [])
    other = session.scalar(
        select(InvoiceRun)
        .where(
            InvoiceRun.pool_id == pool_id,
            InvoiceRun.kind.in_(kinds),
            InvoiceRun.starts_on <= period.ends_on,
            InvoiceRun.ends_on >= period.starts_on,
        )
        .order_by(InvoiceRun.starts_on)
        .limit(1)
    )
    if other is not None:
        raise ValidationFailed(
            message(
                "Deze periode overlapt met de run van %(starts_on)s t/m %(ends_on)s van deze"
                " pool: die dagen zijn al gefactureerd. Kies een periode die daarna begint,"
                " of corrigeer die run met een correctierun."
            ),
            field="starts_on",
            starts_on=f"{other.starts_on:%d-%m-%Y}",
            ends_on=f"{other.ends_on:%d-%m-%Y}",
        )


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


def check_period_inside(period: Period, within: Period) -> None:
    if period.starts_on < within.starts_on or period.ends_on > within.ends_on:
        raise ValidationFailed(
            message("De periode valt buiten de looptijd van de polis."), field="period"
        )
