"""Insurers and the bureau's collective policies: lines, rates with tiers, documents, co-insured."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from purchasing.models._columns import created_at, money, one_of
from purchasing.rating import Basis, Line, TierMeasure
from tenants.tables import PublicBase


class Insurer(PublicBase):
    """An insurance company the bureau buys collective policies from."""

    __tablename__ = "insurers"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    afm_number: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = created_at()


class CollectivePolicy(PublicBase):
    """A policy held by the bureau (policyholder) for one line, over one term.

    Rates are in ``tiers``: euros per unit per year, or percent for payroll and turnover.
    ``taxable_share`` is only for lines taxed in part (volunteers: liability taxed, accident
    exempt); other lines take their treatment from the dated tax settings.
    """

    __tablename__ = "collective_policies"
    __table_args__ = (
        CheckConstraint(one_of("line", Line), name="line"),
        CheckConstraint(one_of("basis", Basis), name="basis"),
        CheckConstraint(one_of("tier_measure", TierMeasure), name="tier_measure"),
        CheckConstraint("ends_on >= starts_on", name="term_order"),
        CheckConstraint("minimum_premium >= 0", name="minimum_premium_not_negative"),
        CheckConstraint("annual_costs >= 0", name="annual_costs_not_negative"),
        CheckConstraint("taxable_share BETWEEN 0 AND 1", name="taxable_share_range"),
        CheckConstraint("notice_days >= 0", name="notice_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    policyholder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    line: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    policy_number: Mapped[str | None] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(20))
    tier_measure: Mapped[str] = mapped_column(
        String(12), default=TierMeasure.MEMBERS.value, server_default=TierMeasure.MEMBERS.value
    )
    minimum_premium: Mapped[Decimal] = money("0")
    annual_costs: Mapped[Decimal] = money("0")
    taxable_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    notice_days: Mapped[int] = mapped_column(Integer, default=30, server_default=text("30"))
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    created_at: Mapped[datetime] = created_at()

    insurer: Mapped[Insurer] = relationship()
    tiers: Mapped[list[RateTier]] = relationship(
        order_by="RateTier.threshold", cascade="all, delete-orphan", passive_deletes=True
    )


class RateTier(PublicBase):
    """From ``threshold`` (members, or the pool's total exposure) up, the pool pays ``rate``."""

    __tablename__ = "policy_rate_tiers"
    __table_args__ = (
        UniqueConstraint("policy_id", "threshold"),
        CheckConstraint("threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("rate >= 0", name="rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("collective_policies.id", ondelete="CASCADE"))
    threshold: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    rate: Mapped[Decimal] = mapped_column(Numeric(12, 6))


class PolicyDocument(PublicBase):
    """A policy document (conditions, schedule, certificate), stored as a file reference."""

    __tablename__ = "policy_documents"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("collective_policies.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(Text)
    file_ref: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str | None] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = created_at()


class CoInsured(PublicBase):
    """A member organisation named as co-insured on a policy, from one date until another."""

    __tablename__ = "policy_co_insured"
    __table_args__ = (
        CheckConstraint("named_until IS NULL OR named_until >= named_from", name="period_order"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("collective_policies.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    named_from: Mapped[date] = mapped_column(Date)
    named_until: Mapped[date | None] = mapped_column(Date)
