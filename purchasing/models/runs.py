"""Invoice runs (membership fees, premiums) and the one invoice each run made per member."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from purchasing.models._columns import created_at, one_of
from tenants.tables import PublicBase


class RunKind(StrEnum):
    MEMBERSHIP = "membership"
    PREMIUM = "premium"


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class InvoiceRun(PublicBase):
    """One run for a plan or a pool over one period: at most one per (subject, period).

    ``done`` and ``total`` are the progress a page shows; ``error`` why it stopped, if it did.
    """

    __tablename__ = "invoice_runs"
    __table_args__ = (
        CheckConstraint(one_of("kind", RunKind), name="kind"),
        CheckConstraint(one_of("status", RunStatus), name="status"),
        CheckConstraint(
            "(kind = 'membership') = (plan_id IS NOT NULL)"
            " AND (kind = 'premium') = (pool_id IS NOT NULL)",
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
        Index(
            "uq_invoice_runs_pool_period",
            "pool_id",
            "starts_on",
            "ends_on",
            unique=True,
            postgresql_where=text("pool_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("membership_plans.id"))
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_pools.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        String(8), default=RunStatus.PENDING.value, server_default=RunStatus.PENDING.value
    )
    total: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    done: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()


class RunItem(PublicBase):
    """The invoice a run made for one member: the unique pair makes a rerun skip it."""

    __tablename__ = "invoice_run_items"
    __table_args__ = (UniqueConstraint("run_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("invoice_runs.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    created_at: Mapped[datetime] = created_at()
