"""The chart of accounts: Beancount account names with Dutch and English labels."""

from __future__ import annotations

from datetime import date, datetime
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

from ledger.tables import LedgerBase

ACCOUNT_TYPES = ("Assets", "Liabilities", "Equity", "Income", "Expenses")


class Account(LedgerBase):
    """An account, open from ``opened_on`` and, once closed, until ``closed_on``."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(
            "type IN ('Assets', 'Liabilities', 'Equity', 'Income', 'Expenses')", name="type"
        ),
        CheckConstraint("split_part(name, ':', 1) = type", name="name_matches_type"),
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_open"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(12))
    label_nl: Mapped[str] = mapped_column(Text, default="")
    label_en: Mapped[str] = mapped_column(Text, default="")
    rgs_code: Mapped[str | None] = mapped_column(String(40))
    currencies: Mapped[list[str]] = mapped_column(ARRAY(String(24)), default=list)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    booking: Mapped[str | None] = mapped_column(String(16))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
