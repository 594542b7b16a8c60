"""Reads about runs, for the page that lists them and the one that watches one run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from purchasing.models import Invoice, InvoiceRun, RunItem, RunKind, RunStatus
from purchasing.runs.runs import get_run


@dataclass(frozen=True)
class RunView:
    """A run as a page shows it: what, which period, how far, and why it stopped if it did."""

    run_id: int
    kind: RunKind
    subject_id: int
    starts_on: date
    ends_on: date
    status: RunStatus
    done: int
    total: int
    error: str | None
    job_id: str | None
    finished_at: datetime | None

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else self.done * 100 // self.total


def run_view(session: Session, run_id: int) -> RunView:
    return _view(get_run(session, run_id))


def recent_runs(session: Session, limit: int = 50) -> list[RunView]:
    """The latest runs first."""
    rows = session.scalars(select(InvoiceRun).order_by(InvoiceRun.id.desc()).limit(limit))
    return [_view(run) for run in rows]


def _view(run: InvoiceRun) -> RunView:
    subject = run.plan_id if run.plan_id is not None else run.pool_id
    assert subject is not None
    return RunView(
        run_id=run.id,
        kind=RunKind(run.kind),
        subject_id=subject,
        starts_on=run.starts_on,
        ends_on=run.ends_on,
        status=RunStatus(run.status),
        done=run.done,
        total=run.total,
        error=run.error,
        job_id=run.job_id,
        finished_at=run.finished_at,
    )


def run_invoices(session: Session, run_id: int) -> list[Invoice]:
    """The invoices a run issued, in the order it issued them."""
    return list(
        session.scalars(
            select(Invoice)
            .join(RunItem, RunItem.invoice_id == Invoice.id)
            .where(RunItem.run_id == run_id)
            .order_by(RunItem.id)
        )
    )
