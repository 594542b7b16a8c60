"""Online payments' shared tables: provider customers, payment attempts, mandates, seen events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from purchasing.models._columns import created_at as stamped_now
from purchasing.models._columns import enum_column, money, one_of, status
from purchasing.payments.provider import Method
from tenants.tables import PublicBase


class AttemptStatus(StrEnum):
    OPEN = "open"  # waiting for the customer to choose, authorise or confirm
    PROCESSING = "processing"  # a SEPA debit waiting for the bank's answer
    PAID = "paid"  # booked as a payment of the invoice, on both sides
    FAILED = "failed"  # nothing was paid
    REVERSED = "reversed"  # paid, then refunded, disputed or returned: booked back
    UNAPPLIED = "unapplied"  # money received that no longer fits the invoice: for a person


class MandateStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    FAILED = "failed"
    REPLACED = "replaced"  # a newer mandate of the same organisation is active


class PaymentCustomer(PublicBase):
    """A member organisation's customer at a payment provider: made once, then reused."""

    __tablename__ = "payment_customers"
    __table_args__ = (
        PrimaryKeyConstraint("organisation_id", "provider"),
        UniqueConstraint("provider", "customer_ref"),
    )

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    provider: Mapped[str] = mapped_column(String(16))
    customer_ref: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = stamped_now()


class PaymentAttempt(PublicBase):
    """One try to pay one invoice online: one payment intent at the provider."""

    __tablename__ = "payment_attempts"
    __table_args__ = (
        UniqueConstraint("invoice_id", "attempt"),
        UniqueConstraint("provider", "intent_ref"),
        CheckConstraint(one_of("method", Method), name="method"),
        CheckConstraint(one_of("status", AttemptStatus), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(16))
    intent_ref: Mapped[str] = mapped_column(Text)
    method: Mapped[Method] = enum_column(Method, 12)
    amount: Mapped[Decimal] = money()
    status: Mapped[AttemptStatus] = status(AttemptStatus.OPEN, 12, in_database=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_payments.id"), unique=True)
    failure_code: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = stamped_now()
    updated_at: Mapped[datetime] = stamped_now()


class PaymentMandate(PublicBase):
    """A SEPA mandate given through the provider (a setup intent), for later debits."""

    __tablename__ = "payment_mandates"
    __table_args__ = (
        UniqueConstraint("organisation_id", "attempt"),
        UniqueConstraint("provider", "setup_ref"),
        CheckConstraint(one_of("status", MandateStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(16))
    setup_ref: Mapped[str] = mapped_column(Text)
    payment_method_ref: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MandateStatus] = status(MandateStatus.PENDING, 8, in_database=False)
    created_at: Mapped[datetime] = stamped_now()
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When a replaced mandate was settled at the provider: its payment method detached there, so
    # that nothing is debited under it again, or left attached because the active mandate uses
    # the same method (``purchasing.payments.detaching``).
    detached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProviderEventRecord(PublicBase):
    """A webhook event already handled: its id is what makes a second delivery a no-op."""

    __tablename__ = "payment_events"
    __table_args__ = (PrimaryKeyConstraint("provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = stamped_now()
