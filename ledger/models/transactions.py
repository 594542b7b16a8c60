"""Transactions and their postings, stored as Beancount has them after booking.

Amounts are ``NUMERIC`` without a fixed scale, so ``1.50`` stays ``1.50`` and a number read from a
Beancount file is written back digit for digit. Metadata is JSONB in the form of ``ledger.meta``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
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
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ledger.tables import LedgerBase


class Transaction(LedgerBase):
    """One balanced entry; ``reverses_id`` links a reversal to what it undoes."""

    __tablename__ = "transactions"
    __table_args__ = (
        CheckConstraint("length(flag) = 1", name="flag"),
        Index("ix_transactions_date_id", "date", "id"),
        # A booking key (purchasing's outbox) is posted once; other sources repeat on purpose.
        Index(
            "uq_transactions_booking_source",
            "source",
            unique=True,
            postgresql_where=text("source LIKE 'booking:%'"),
        ),
        # A form is posted once: a second send of the same form finds the first booking.
        Index(
            "uq_transactions_form_source",
            "source",
            unique=True,
            postgresql_where=text("source LIKE 'form:%'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date)
    flag: Mapped[str] = mapped_column(String(1), default="*")
    payee: Mapped[str | None] = mapped_column(Text)
    narration: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    links: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    source: Mapped[str | None] = mapped_column(Text)
    reverses_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("transactions.id"), unique=True
    )
    pad_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("pads.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    created_by: Mapped[int | None] = mapped_column(BigInteger)


class Posting(LedgerBase):
    """One leg of a transaction: units, and an optional cost (a lot) and price."""

    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("(cost_number IS NULL) = (cost_currency IS NULL)", name="cost_complete"),
        CheckConstraint("(price_number IS NULL) = (price_currency IS NULL)", name="price_complete"),
        Index("ix_postings_account_id_date", "account_id", "date"),
        Index("ix_postings_date", "date"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("transactions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[Decimal] = mapped_column(Numeric)
    currency: Mapped[str] = mapped_column(String(24))
    cost_number: Mapped[Decimal | None] = mapped_column(Numeric)
    cost_currency: Mapped[str | None] = mapped_column(String(24))
    cost_date: Mapped[dt.date | None] = mapped_column(Date)
    cost_label: Mapped[str | None] = mapped_column(Text)
    price_number: Mapped[Decimal | None] = mapped_column(Numeric)
    price_currency: Mapped[str | None] = mapped_column(String(24))
    flag: Mapped[str | None] = mapped_column(String(1))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
