"""The chart of accounts: Beancount account names with Dutch and English labels."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Identity,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ledger.chart import AccountType
from ledger.enum_columns import check_one_of, enum_column
from ledger.tables import LedgerBase


class BookingMethod(StrEnum):
    """How a reduction of a holding at cost picks its lots: Beancount's ``Booking`` names."""

    STRICT = "STRICT"
    STRICT_WITH_SIZE = "STRICT_WITH_SIZE"
    NONE = "NONE"
    AVERAGE = "AVERAGE"
    FIFO = "FIFO"
    LIFO = "LIFO"
    HIFO = "HIFO"


class Account(LedgerBase):
    """An account, open from ``opened_on`` and, once closed, until ``closed_on``."""

    __tablename__ = "accounts"
    __table_args__ = (
        check_one_of("type", AccountType),
        check_one_of("booking", BookingMethod, nullable=True),
        CheckConstraint("split_part(name, ':', 1) = type", name="name_matches_type"),
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_open"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[AccountType] = enum_column(AccountType, 12)
    label_nl: Mapped[str] = mapped_column(Text, default="")
    label_en: Mapped[str] = mapped_column(Text, default="")
    rgs_code: Mapped[str | None] = mapped_column(String(40))
    currencies: Mapped[list[str]] = mapped_column(ARRAY(String(24)), default=list)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    booking: Mapped[BookingMethod | None] = enum_column(BookingMethod, 16)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
