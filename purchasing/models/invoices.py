"""The bureau's invoices and credit notes, their numbering, payments, and the booking outbox."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from purchasing.models._columns import MONEY, created_at, enum_column, money, one_of, status
from tenants.tables import PublicBase


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoicePurpose(StrEnum):
    MEMBERSHIP_FEE = "membership_fee"
    PREMIUM = "premium"


class LineKind(StrEnum):
    FEE = "fee"
    PREMIUM = "premium"
    COSTS = "costs"  # the insurer's policy and administration costs, taxed like the premium
    PREMIUM_TAX = "premium_tax"  # assurantiebelasting: its own line, never shown as VAT


class Side(StrEnum):
    BUREAU = "bureau"
    MEMBER = "member"


class BookingStatus(StrEnum):
    PENDING = "pending"
    BOOKED = "booked"
    FAILED = "failed"


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    SEPA_DIRECT_DEBIT = "sepa_direct_debit"
    STRIPE = "stripe"
    CASH = "cash"


class BillingDetails(PublicBase):
    """Who an organisation is on an invoice: copied into every invoice as it is issued."""

    __tablename__ = "billing_details"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    legal_name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text, default="", server_default="")
    postcode: Mapped[str] = mapped_column(String(16), default="", server_default="")
    city: Mapped[str] = mapped_column(Text, default="", server_default="")
    country: Mapped[str] = mapped_column(String(2), default="NL", server_default="NL")
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    vat_number: Mapped[str | None] = mapped_column(String(14))
    iban: Mapped[str | None] = mapped_column(String(34))
    email: Mapped[str | None] = mapped_column(String(254))
    payment_days: Mapped[int] = mapped_column(Integer, default=14, server_default=text("14"))
    updated_at: Mapped[datetime] = created_at()


class InvoiceCounter(PublicBase):
    """The last number given in one series and year; locked by the transaction that issues."""

    __tablename__ = "invoice_counters"
    __table_args__ = (
        PrimaryKeyConstraint("series", "year"),
        CheckConstraint("last_number >= 0", name="last_number_not_negative"),
    )

    series: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)


class Invoice(PublicBase):
    """An invoice or credit note of the bureau: issued once, never edited afterwards."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("series", "year", "sequence"),
        CheckConstraint(one_of("kind", InvoiceKind), name="kind"),
        CheckConstraint(one_of("purpose", InvoicePurpose), name="purpose"),
        CheckConstraint(
            "(kind = 'credit_note') = (credits_invoice_id IS NOT NULL)", name="credit_refers"
        ),
        CheckConstraint("supply_until >= supply_from", name="supply_order"),
        CheckConstraint("due_on >= issued_on", name="due_after_issue"),
        CheckConstraint("total = net_total + vat_total + premium_tax_total", name="total_adds_up"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    series: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[InvoiceKind] = enum_column(InvoiceKind, 12)
    purpose: Mapped[InvoicePurpose] = enum_column(InvoicePurpose, 16)
    # Several partial credit notes (corrections) may refer to one invoice.
    credits_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier: Mapped[dict[str, Any]] = mapped_column(JSONB)
    customer: Mapped[dict[str, Any]] = mapped_column(JSONB)
    issued_on: Mapped[date] = mapped_column(Date)
    supply_from: Mapped[date] = mapped_column(Date)
    supply_until: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    payment_reference: Mapped[str] = mapped_column(String(25), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    net_total: Mapped[Decimal] = money()
    vat_total: Mapped[Decimal] = money()
    premium_tax_total: Mapped[Decimal] = money()
    total: Mapped[Decimal] = money()
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = created_at()

    lines: Mapped[list[InvoiceLine]] = relationship(
        order_by="InvoiceLine.position", back_populates="invoice"
    )
    bookings: Mapped[list[Booking]] = relationship(order_by="Booking.id", viewonly=True)


class InvoiceLine(PublicBase):
    """One line: what was supplied, how much, and its VAT rate or the reason it is exempt."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position"),
        CheckConstraint(one_of("kind", LineKind), name="kind"),
        CheckConstraint(
            "(vat_percent IS NULL) <> (vat_exemption IS NULL)", name="vat_rate_or_exemption"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[LineKind] = enum_column(LineKind, 12)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    unit_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    amount: Mapped[Decimal] = money()
    vat_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    vat_exemption: Mapped[str | None] = mapped_column(Text)
    vat_amount: Mapped[Decimal] = money("0")

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class Payment(PublicBase):
    """Money received for an invoice, or (``reverses_id``) a payment that came back."""

    __tablename__ = "invoice_payments"
    __table_args__ = (
        CheckConstraint(one_of("method", PaymentMethod), name="method"),
        CheckConstraint("(reverses_id IS NULL) = (amount > 0)", name="sign_matches_kind"),
        Index(
            "uq_invoice_payments_method_reference",
            "method",
            "reference",
            unique=True,
            postgresql_where=text("reference IS NOT NULL AND reverses_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[PaymentMethod] = enum_column(PaymentMethod, 20)
    reference: Mapped[str | None] = mapped_column(Text)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_payments.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = created_at()


class Booking(PublicBase):
    """Outbox: ledger entries one side still has to post in its own books, or has posted.

    ``entries`` holds the transactions as plain JSON (amounts as strings), fixed when the
    document is issued, so a retry posts exactly what was decided then. Each entry carries a
    key (``booking:...``) unique in that organisation's books, which makes posting idempotent.
    ``transaction_ids`` are ids in the tenant's schema: a plain list, never a foreign key.
    """

    __tablename__ = "ledger_bookings"
    __table_args__ = (
        UniqueConstraint("key"),
        CheckConstraint(one_of("side", Side), name="side"),
        CheckConstraint(one_of("status", BookingStatus), name="status"),
        CheckConstraint("(invoice_id IS NULL) <> (payment_id IS NULL)", name="one_document"),
        Index("ix_ledger_bookings_pending", "id", postgresql_where=text("status <> 'booked'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_payments.id"), index=True)
    side: Mapped[Side] = enum_column(Side, 8)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    status: Mapped[BookingStatus] = status(BookingStatus.PENDING, 8)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    transaction_ids: Mapped[list[int]] = mapped_column(
        ARRAY(BigInteger), default=list, server_default="{}"
    )
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
