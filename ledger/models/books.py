"""Book-wide state: Beancount options, accounting periods, balance buckets and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Numeric,
    String,
    column,
    func,
    literal_column,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.tables import LedgerBase


class BookOption(LedgerBase):
    """A Beancount option that changes meaning (tolerances, booking method, title)."""

    __tablename__ = "book_options"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)


class AccountingPeriod(LedgerBase):
    """A stretch of dates that can be closed: nothing dated inside a closed period changes.

    Periods never overlap, so reopening one period opens its days and no twin keeps them shut.
    """

    __tablename__ = "accounting_periods"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        Index("ix_accounting_periods_starts_on_ends_on", "starts_on", "ends_on"),
        ExcludeConstraint(
            (func.daterange(column("starts_on"), column("ends_on"), literal_column("'[]'")), "&&"),
            name="ex_accounting_periods_overlap",
            using="gist",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(BigInteger)


class BalanceBucket(LedgerBase):
    """One account's units in one currency: the change over one calendar month, and the
    closing balance at its end (the running total, kept by every write; see ``ledger.roll_up``).

    A balance as of any date is the closing balance of the last month before it plus the postings
    of its own month, so reports cost what the number of accounts costs, not the history's length.
    """

    __tablename__ = "balance_buckets"

    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(24), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    units: Mapped[Decimal] = mapped_column(Numeric)
    closing_units: Mapped[Decimal] = mapped_column(Numeric)


class AuditEntry(LedgerBase):
    """Who changed what and when, with the entity before and after (kept for seven years)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id_id", "entity", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    before: Mapped[Any | None] = mapped_column(JSONB)
    after: Mapped[Any | None] = mapped_column(JSONB)
