"""Membership plans: a yearly fee by size tier, invoiced yearly or quarterly, and who is on one."""

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
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from purchasing.models._columns import MONEY, created_at, one_of
from tenants.tables import PublicBase


class Cadence(StrEnum):
    YEARLY = "yearly"
    QUARTERLY = "quarterly"


class MembershipPlan(PublicBase):
    """A fee schedule: from each tier's threshold (of the member's size) up, a yearly fee.

    The fee is VAT-exempt with ``vat_exemption`` as the reason printed on the invoice, or taxed
    at ``vat_percent`` when the bureau is VAT-registered for it: exactly one of the two is set.
    """

    __tablename__ = "membership_plans"
    __table_args__ = (
        CheckConstraint(one_of("cadence", Cadence), name="cadence"),
        CheckConstraint(
            "(vat_percent IS NULL) <> (vat_exemption IS NULL)", name="vat_rate_or_exemption"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    cadence: Mapped[str] = mapped_column(String(10))
    size_label: Mapped[str] = mapped_column(Text, default="", server_default="")
    vat_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    vat_exemption: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()

    tiers: Mapped[list[PlanTier]] = relationship(order_by="PlanTier.threshold")


class PlanTier(PublicBase):
    """From ``threshold`` (the member's size: employees, volunteers, ...) up, this yearly fee."""

    __tablename__ = "membership_plan_tiers"
    __table_args__ = (
        UniqueConstraint("plan_id", "threshold"),
        CheckConstraint("threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("annual_fee >= 0", name="annual_fee_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("membership_plans.id"), index=True)
    threshold: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    annual_fee: Mapped[Decimal] = mapped_column(MONEY)


class Subscription(PublicBase):
    """An organisation on a plan from ``joined_on`` through ``left_on``, with its size."""

    __tablename__ = "membership_subscriptions"
    __table_args__ = (
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="period_order"),
        CheckConstraint("size >= 0", name="size_not_negative"),
        Index(
            "uq_membership_subscriptions_current",
            "plan_id",
            "organisation_id",
            unique=True,
            postgresql_where=text("left_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("membership_plans.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    size: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()
