"""Pools of member organisations on one policy: enrolments and their exposure declarations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from purchasing.models._columns import created_at, money, one_of, status
from purchasing.models.policies import CollectivePolicy
from tenants.tables import PublicBase


class PoolStatus(StrEnum):
    WAITING = "waiting"  # enrolling, not yet enough members to start
    ACTIVE = "active"
    CLOSED = "closed"


class InsurerInvoiceKind(StrEnum):
    ADVANCE = "advance"  # the premium for a period, as premium runs invoice it
    FINAL = "final"  # after the year, on the actual figures: what a true-up run splits


class DeclarationKind(StrEnum):
    ESTIMATE = "estimate"  # declared beforehand: the advance is invoiced on it
    ACTUAL = "actual"  # reported after the year: the true-up (naverrekening) uses it


class Pool(PublicBase):
    """Organisations enrolling together on one policy; it starts once it has enough members."""

    __tablename__ = "insurance_pools"
    __table_args__ = (
        CheckConstraint(one_of("status", PoolStatus), name="status"),
        CheckConstraint("minimum_members >= 1", name="minimum_members_positive"),
        CheckConstraint(
            "enrolment_closes_on IS NULL OR enrolment_closes_on >= enrolment_opens_on",
            name="window_order",
        ),
        CheckConstraint("status = 'waiting' OR started_on IS NOT NULL", name="started_when_on"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("collective_policies.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    minimum_members: Mapped[int] = mapped_column(Integer)
    enrolment_opens_on: Mapped[date] = mapped_column(Date)
    enrolment_closes_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[PoolStatus] = status(PoolStatus.WAITING, 8)
    started_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()

    policy: Mapped[CollectivePolicy] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="pool")

    def is_enrolling_on(self, day: date) -> bool:
        closes_on = self.enrolment_closes_on
        in_window = self.enrolment_opens_on <= day and (closes_on is None or day <= closes_on)
        return self.status != PoolStatus.CLOSED and in_window


class Enrolment(PublicBase):
    """An organisation's membership of a pool; covered from ``joined_on`` through ``left_on``.

    Its exposure is in ``declarations``: a change is a new declaration, never an overwrite.
    """

    __tablename__ = "pool_enrolments"
    __table_args__ = (
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="period_order"),
        CheckConstraint(
            "notice_given_on IS NULL OR left_on IS NOT NULL", name="notice_sets_leaving_date"
        ),
        Index(
            "uq_pool_enrolments_current",
            "pool_id",
            "organisation_id",
            unique=True,
            postgresql_where=text("left_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("insurance_pools.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    notice_given_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()

    pool: Mapped[Pool] = relationship(back_populates="enrolments")
    declarations: Mapped[list[ExposureDeclaration]] = relationship(
        order_by="ExposureDeclaration.id", back_populates="enrolment"
    )


class ExposureDeclaration(PublicBase):
    """What a member declared, effective from a date: one row per declaration, kept forever."""

    __tablename__ = "exposure_declarations"
    __table_args__ = (
        CheckConstraint(one_of("kind", DeclarationKind), name="kind"),
        CheckConstraint(
            "employees >= 0 AND fte >= 0 AND payroll >= 0 AND volunteers >= 0 AND turnover >= 0",
            name="figures_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("pool_enrolments.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    effective_from: Mapped[date] = mapped_column(Date)
    employees: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    fte: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    payroll: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    volunteers: Mapped[Decimal] = mapped_column(Numeric(10, 0))
    turnover: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    declared_at: Mapped[datetime] = created_at()

    enrolment: Mapped[Enrolment] = relationship(back_populates="declarations")


class InsurerInvoice(PublicBase):
    """The insurer's invoice to the bureau for a pool over a period, as bureau staff entered it.

    When there is one, a run splits these pots among the members instead of the pots the
    rates imply, so what the bureau owes the insurer is exactly what the insurer invoiced.
    """

    __tablename__ = "insurer_invoices"
    __table_args__ = (
        UniqueConstraint("pool_id", "kind", "starts_on", "ends_on"),
        CheckConstraint(one_of("kind", InsurerInvoiceKind), name="kind"),
        CheckConstraint("ends_on >= starts_on", name="period_order"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("insurance_pools.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    net: Mapped[Decimal] = money()
    costs: Mapped[Decimal] = money()
    tax: Mapped[Decimal] = money()
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at()
