"""SEPA direct debit without a provider: the bureau as creditor, mandates, batches, collections."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from purchasing.models._columns import created_at, money, one_of, status
from tenants.tables import PublicBase


class SequenceType(StrEnum):
    FIRST = "FRST"
    RECURRING = "RCUR"


class CollectionStatus(StrEnum):
    PENDING = "pending"  # in a batch, not yet seen on the bank statement
    COLLECTED = "collected"  # booked as paid
    RETURNED = "returned"  # came back (AM04, MD06, AC04, ...): the invoice is open again


class SepaCreditor(PublicBase):
    """The bureau as SEPA creditor: its creditor id and the account that receives the debits."""

    __tablename__ = "sepa_creditors"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    creditor_id: Mapped[str] = mapped_column(String(35))
    name: Mapped[str] = mapped_column(Text)
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    updated_at: Mapped[datetime] = created_at()


class SepaMandate(PublicBase):
    """A member's signed mandate: the bureau may debit this IBAN until it is revoked."""

    __tablename__ = "sepa_mandates"
    __table_args__ = (
        Index(
            "uq_sepa_mandates_active",
            "organisation_id",
            unique=True,
            postgresql_where=text("revoked_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    reference: Mapped[str] = mapped_column(String(35), unique=True)
    debtor_name: Mapped[str] = mapped_column(Text)
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    signed_on: Mapped[date] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()


class SepaBatch(PublicBase):
    """One pain.008 file: the collections the bureau asks its bank to debit on one date."""

    __tablename__ = "sepa_batches"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    reference: Mapped[str] = mapped_column(String(35), unique=True)
    collection_on: Mapped[date] = mapped_column(Date)
    notified_on: Mapped[date] = mapped_column(Date)
    total: Mapped[Decimal] = money()
    exported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    settled_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()

    collections: Mapped[list[SepaCollection]] = relationship(
        order_by="SepaCollection.id", back_populates="batch"
    )


class SepaCollection(PublicBase):
    """One invoice debited under one mandate in one batch; its end-to-end id comes back."""

    __tablename__ = "sepa_collections"
    __table_args__ = (
        UniqueConstraint("batch_id", "invoice_id"),
        CheckConstraint(one_of("sequence_type", SequenceType), name="sequence_type"),
        CheckConstraint(one_of("status", CollectionStatus), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index(
            "uq_sepa_collections_invoice_pending",
            "invoice_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("sepa_batches.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("sepa_mandates.id"), index=True)
    amount: Mapped[Decimal] = money()
    sequence_type: Mapped[str] = mapped_column(String(4))
    end_to_end_id: Mapped[str] = mapped_column(String(35), unique=True)
    status: Mapped[CollectionStatus] = status(CollectionStatus.PENDING, 10)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_payments.id"))
    return_reason: Mapped[str | None] = mapped_column(String(4))

    batch: Mapped[SepaBatch] = relationship(back_populates="collections")
