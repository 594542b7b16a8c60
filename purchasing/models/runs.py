"""Invoice runs (membership fees, premiums) and the one invoice each run made per member."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from purchasing.models._columns import created_at, enum_column, one_of, status
from tenants.tables import PublicBase


class RunKind(StrEnum):
    MEMBERSHIP = "membership"
    PREMIUM = "premium"
    CORRECTION = "correction"  # a change after invoicing: credit notes and extra invoices
    TRUE_UP = "true_up"  # naverrekening on the actual figures after the year

    @property
    def is_pool_run(self) -> bool:
        return self is not RunKind.MEMBERSHIP


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def _no_overlap(kind: RunKind) -> ExcludeConstraint:
    """No two runs of ``kind`` of one pool share a day (the pool as a one-point range)."""
    return ExcludeConstraint(
        (func.int8range(column("pool_id"), column("pool_id"), literal_column("'[]'")), "="),
        (func.daterange(column("starts_on"), column("ends_on"), literal_column("'[]'")), "&&"),
        name=f"ex_invoice_runs_{kind.value}_period",
        using="gist",
        where=text(f"kind = '{kind.value}'"),
    )


class InvoiceRun(PublicBase):
    """One run for a plan or a pool over one period.

    A plan has at most one run per period; a pool's premium runs (and its true-up runs) never
    overlap, so no day is billed twice; a pool has at most one unfinished correction run per
    period. ``done`` and ``total`` are the progress a page shows; ``error`` why it stopped.
    """

    __tablename__ = "invoice_runs"
    __table_args__ = (
        CheckConstraint(one_of("kind", RunKind), name="kind"),
        CheckConstraint(one_of("status", RunStatus), name="status"),
        CheckConstraint(
            "(kind = 'membership') = (plan_id IS NOT NULL)"
            " AND (kind <> 'membership') = (pool_id IS NOT NULL)",
            name="subject_matches_kind",
        ),
        CheckConstraint("ends_on >= starts_on", name="period_order"),
        Index(
            "uq_invoice_runs_plan_period",
            "plan_id",
            "starts_on",
            "ends_on",
            unique=True,
            postgresql_where=text("plan_id IS NOT NULL"),
        ),
        *(_no_overlap(kind) for kind in (RunKind.PREMIUM, RunKind.TRUE_UP)),
        Index(
            "uq_invoice_runs_open_correction",
            "pool_id",
            "starts_on",
            "ends_on",
            unique=True,
            postgresql_where=text("kind = 'correction' AND status <> 'done'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[RunKind] = enum_column(RunKind, 10)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("membership_plans.id"))
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_pools.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    status: Mapped[RunStatus] = status(RunStatus.PENDING, 8)
    total: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    done: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()


class RunItem(PublicBase):
    """The invoice a run made for one member: the unique pair makes a rerun skip it.

    ``breakdown`` is why the member pays it, as computed when the invoice was issued (the
    page shows this, never a recomputation from today's data).
    """

    __tablename__ = "invoice_run_items"
    __table_args__ = (UniqueConstraint("run_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("invoice_runs.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = created_at()
